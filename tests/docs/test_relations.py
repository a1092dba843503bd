"""Dependencies and reviews across the catalog (load/relations.py): what `validate`,
`generate` and `check` say, located, with the numbers and the dates."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from sloforge.errors import SpecError
from sloforge.load.catalog import load_catalog
from sloforge.load.options import LoadOptions

from tests.conftest import run_cli

SLO = """  - name: {name}
    objective: {objective}
    sli: {{ratio: 'sum(rate(e[{{{{ window }}}}])) / sum(rate(t[{{{{ window }}}}]))'}}
"""


def _service(name: str, slos: dict[str, float], extra: str = "") -> str:
    body = "".join(SLO.format(name=n, objective=o) for n, o in slos.items())
    return f"apiVersion: sloforge/v1\nkind: ServiceLevels\nservice: {name}\n{extra}slos:\n{body}---\n"


def _write(tmp_path: Path, shop: str, shop_slos: dict[str, float] | None = None) -> Path:
    path = tmp_path / "specs.yml"
    path.write_text(_service("shop", shop_slos or {"availability": 99.86}, shop)
                    + _service("pay", {"availability": 99.95, "latency": 99.0})
                    + _service("search", {"availability": 99.9}))
    return path


HARD_BOTH = "dependencies:\n  - {service: pay}\n  - {service: search, kind: hard}\n"


def _warnings(path: Path, today: str = "2026-12-01") -> list[str]:
    _, problems = load_catalog([str(path)], LoadOptions(today=datetime.date.fromisoformat(today)))
    return [str(p) for p in problems]


@pytest.mark.parametrize(("objective", "warned"), [(99.85, False), (99.86, True), (99.9, True), (99.5, False)])
def test_objective_above_the_product_of_hard_dependencies(tmp_path: Path, objective: float, warned: bool) -> None:
    """pay/availability 99.95% x search/availability 99.9% = 99.85005%: 99.85 fits, 99.86 does not."""
    path = _write(tmp_path, HARD_BOTH, {"availability": objective})
    expected = (f"{path}:5: dependencies: warning: SLO 'availability' promises {objective:g}%, more than its "
                "hard dependencies allow: pay/availability 99.95% x search/availability 99.9% = 99.85005%")
    found = [w for w in _warnings(path) if "promises" in w]
    assert [w.startswith(expected) for w in found] == ([True] if warned else [])


def test_soft_dependencies_and_named_slos_bound_differently(tmp_path: Path) -> None:
    # soft search: only pay/availability (the SLO of the same name) bounds: 99.9 <= 99.95
    soft = "dependencies:\n  - {service: pay}\n  - {service: search, kind: soft}\n"
    assert not [w for w in _warnings(_write(tmp_path, soft, {"availability": 99.9})) if "promises" in w]
    # naming pay/latency (99%) bounds availability by 99% instead
    named = "dependencies:\n  - {service: pay, slo: latency}\n"
    found = [w for w in _warnings(_write(tmp_path, named, {"availability": 99.9})) if "promises" in w]
    assert len(found) == 1 and "pay/latency 99% = 99%" in found[0]
    # an SLO with no namesake in the dependency is bounded by the dependency's most generous SLO
    other = "dependencies:\n  - {service: pay}\n"
    found = [w for w in _warnings(_write(tmp_path, other, {"errors": 99.96})) if "promises" in w]
    assert len(found) == 1 and "SLO 'errors' promises 99.96%" in found[0] and "pay/availability 99.95%" in found[0]


@pytest.mark.parametrize(("dependencies", "expected"), [
    ("  - {service: payy}\n",
     "specs.yml:6: dependencies[0].service: unknown service 'payy': a dependency names a service "
     "of the specs being read; did you mean 'pay'?"),
    ("  - {service: search}\n  - {service: pay, slo: latncy}\n",
     "specs.yml:7: dependencies[1].slo: service 'pay' has no SLO 'latncy'; did you mean 'latency'?"),
    ("  - {service: pay, slo: speed}\n",
     "specs.yml:6: dependencies[0].slo: service 'pay' has no SLO 'speed'; its SLOs: availability, latency"),
    ("  - {service: shop}\n", "specs.yml:6: dependencies[0].service: service 'shop' cannot depend on itself"),
    ("  - {service: pay, kind: weak}\n",
     "specs.yml:6: dependencies[0].kind: \"weak\" must be one of \"hard\", \"soft\""),
])
def test_bad_dependencies_are_located_errors(tmp_path: Path, dependencies: str, expected: str) -> None:
    path = _write(tmp_path, "owner: payments\ndependencies:\n" + dependencies)
    out = tmp_path / "out"
    result = run_cli("generate", "specs.yml", "--out", str(out), cwd=tmp_path)
    assert result.returncode == 1
    assert expected in result.stderr.splitlines(), result.stderr
    assert "Traceback" not in result.stderr and not out.exists()
    with pytest.raises(SpecError):
        load_catalog([str(path)])


REVIEW = "review: {every: 90d, last: 2026-08-01}\n"  # unquoted: YAML would read a date


@pytest.mark.parametrize(("today", "overdue"), [("2026-10-29", False), ("2026-10-30", False),
                                                 ("2026-10-31", True), ("2027-06-01", True)])
def test_overdue_review(tmp_path: Path, today: str, overdue: bool) -> None:
    """Due on last + every = 2026-10-30; overdue from the day after."""
    path = _write(tmp_path, REVIEW)
    expected = (f"{path}:4: review: warning: the review of service 'shop' is overdue since 2026-10-30 "
                "(last 2026-08-01, every 90d)")
    assert [w.startswith(expected) for w in _warnings(path, today) if "review" in w] == ([True] if overdue else [])


def test_review_dates_from_the_cli_and_the_cache(tmp_path: Path) -> None:
    """SLOFORGE_TODAY sets the date; a cached second run gives the same warnings, once each,
    and judges the review on its own date (never a cached verdict)."""
    _write(tmp_path, REVIEW + HARD_BOTH, {"availability": 99.9})
    out = tmp_path / "out"
    runs = [run_cli("generate", "specs.yml", "--out", str(out), cwd=tmp_path, env={"SLOFORGE_TODAY": day})
            for day in ("2026-12-01", "2026-12-01", "2026-10-01")]
    assert all(r.returncode == 0 for r in runs), runs[0].stderr
    warnings = [[line for line in r.stderr.splitlines() if "warning" in line and "specs.yml" in line] for r in runs]
    assert len(warnings[0]) == 2 and warnings[1] == warnings[0]
    assert [w for w in warnings[2] if "overdue" in w] == [] and len(warnings[2]) == 1
    # `check` reads the date from the document
    late = run_cli("check", str(out), env={"SLOFORGE_TODAY": "2026-12-01"})
    assert late.returncode == 0
    assert f"note: {out.as_posix()}/docs/shop.md: warning: the review is overdue since 2026-10-30" in late.stderr
    early = run_cli("check", str(out), env={"SLOFORGE_TODAY": "2026-10-30"})
    assert early.returncode == 0 and "overdue" not in early.stderr


@pytest.mark.parametrize(("review", "expected"), [
    ("review: {every: 90d, last: '2026-02-30'}\n",
     "specs.yml:4: review.last: '2026-02-30' is not a date of the calendar; write it like 2026-10-01"),
    ("review: {every: 90d, last: 2026-02-30}\n",  # YAML's own date reading says it first
     "specs.yml:4: review.last: invalid value: day is out of range for month"),
    ("review: {every: 90d, last: 1 Oct 2026}\n",
     "specs.yml:4: review.last: \"1 Oct 2026\" is not a date (write it like 2026-10-01)"),
    ("review: {last: 2026-10-01}\n", "specs.yml:4: review: missing required field 'every'"),
])
def test_bad_review_is_located(tmp_path: Path, review: str, expected: str) -> None:
    _write(tmp_path, review)
    result = run_cli("validate", "specs.yml", cwd=tmp_path)
    assert result.returncode == 1 and expected in result.stderr.splitlines(), result.stderr


def test_convert_keeps_the_new_fields(tmp_path: Path) -> None:
    """`convert --to native` writes version, review, dependencies, rationale and the SLI's words
    back, and the converted specs read as the same values."""
    source = Path(__file__).parents[1] / "golden" / "documents" / "input"
    result = run_cli("convert", str(source), "--to", "native", "--out", str(tmp_path / "native"))
    assert result.returncode == 0, result.stderr
    before, _ = load_catalog([str(source)])
    after, _ = load_catalog([str(tmp_path / "native"), str(source / "routing.yml")])

    def words(catalog):  # type: ignore[no-untyped-def]
        return [(s.name, s.version, s.review_every, s.review_last,
                 [(d.service, d.slo, d.kind) for d in s.dependencies],
                 [(o.name, o.rationale, o.sli_definition, o.sli_exclusions) for o in s.slos])
                for s in catalog.services]

    assert words(after) == words(before)
    shop = words(before)[2]
    assert shop[1:5] == ("7", 90 * 86400, "2026-08-01", [("pay", None, "hard"), ("pay", "latency", "soft"),
                                                         ("search", None, "hard")])
    assert shop[5][0][3] == ("health checks | probes", "1. not a list", "- not an item")
