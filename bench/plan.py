"""`sloforge plan --base HEAD~1` over a 1,000-SLO catalog in a git repository (issue 18: target < 5 s).

    python bench/plan.py

The catalog of bench/core.py (100 files, 10 SLOs each) is committed, one SLO's objective and
one service's labels are changed in a second commit, and the whole `sloforge plan` process is
timed (median of 5). Nothing is asserted.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from core import write_specs  # noqa: E402

ENV = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.com", "GIT_COMMITTER_NAME": "b",
       "GIT_COMMITTER_EMAIL": "b@example.com"}


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=ENV)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "specs").mkdir()
        write_specs(root / "specs", 100, 10)
        git(root, "init", "-q", "-b", "main")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "before")
        first = sorted((root / "specs").glob("*.yml"))[0]
        text = first.read_text()
        first.write_text(text.replace("objective: 99.9", "objective: 99.5", 1).replace('tier: "', 'tier: "x', 1))
        git(root, "commit", "-q", "-am", "after")
        times = []
        for _ in range(5):
            began = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "sloforge", "plan", "specs", "--base", "HEAD~1",
                                   "--format", "json"], cwd=root, capture_output=True, text=True, check=False)
            times.append(time.perf_counter() - began)
            assert done.returncode == 0, done.stderr
        changes = done.stdout.count('"kind"')
    print(f"| plan, 1,000 SLOs in 100 files, one file changed | {statistics.median(times):.2f} s "
          f"(min {min(times):.2f} s) | < 5 s | {changes} changes |")


if __name__ == "__main__":
    main()
