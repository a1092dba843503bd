"""One exception tree and the located Problem every stage reports.

Stages collect Problems and raise SpecError with all of them at once; only
cli/ turns exceptions into messages and exit codes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    path: str
    line: int | None
    field: str
    message: str
    warning: bool = False

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        kind = "warning: " if self.warning else ""
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {kind}{self.message}"

    def sort_key(self) -> tuple[str, int, str]:
        return (self.path, self.line or 0, self.field)


class SloforgeError(Exception):
    """Base for every error sloforge reports to a user (exit 1)."""


class SpecError(SloforgeError):
    """Invalid input: one or more located problems."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=Problem.sort_key)
        super().__init__("\n".join(str(p) for p in self.problems))


class CheckError(SloforgeError):
    """Generated output was rejected by promtool or amtool."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class UsageError(SloforgeError):
    """The command line asks for something that cannot work (exit 2): a missing or invalid flag."""


class ToolMissing(SloforgeError):
    """An external tool (promtool, amtool) is required but not installed."""


class OutOfDate(SloforgeError):
    """`generate --check` found files that differ from what would be generated."""

    def __init__(self, changed: list[str]):
        self.changed = changed
        super().__init__("out of date: " + ", ".join(changed))
