"""Every compiling fixture passes promtool; converting then generating equals generating directly;
Sloth's own output (fixtures/sloth/_gen) has the same alert semantics, rule by rule."""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml
from importers_cases import COMPILING, FIXTURES, SLOTH, cases, compile_files
from sloforge import durations
from sloforge.convert import native as convert
from sloforge.load.options import LoadOptions
from sloforge.pipeline import load_catalog

COMPILED = [(case, paths, period) for case, paths, period in cases() if compile_files(paths, period)[0]]
# Sloth's `slo:sli_error:ratio_rate<w> > (<factor> * <budget>)` and sloforge's `... > (<factor> * <budget>)`
SPEC_LABELS: set[str] = set()  # labels Sloth puts on recording rules: the spec's own labels
CONDITION = re.compile(r"slo:sli_error:ratio_rate(\w+)\{[^}]*\} > \(([\d.e+-]+) \* ([\d.e+-]+)\)")


def test_every_output_passes_promtool(promtool: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        names = []
        for case, paths, period in COMPILED:
            for name, text in compile_files(paths, period)[0].items():
                path = Path(tmp) / f"{case}-{Path(name).name}"
                path.write_text(text, "utf-8")
                names.append(str(path))
        assert len(names) >= 12
        result = subprocess.run([promtool, "check", "rules", "--lint-fatal", *names], capture_output=True,
                                text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("case", "paths", "period"), COMPILED, ids=[c[0] for c in COMPILED])
def test_convert_then_generate_equals_generate(case: str, paths: list[Path], period: str,
                                               tmp_path: Path) -> None:
    direct, _ = compile_files(paths, period)
    catalog, _ = load_catalog([str(p) for p in paths], LoadOptions(durations.parse(period)))
    for name, text in convert.files(catalog).items():
        (tmp_path / name).write_text(text, "utf-8")
    converted, _ = compile_files(sorted(tmp_path.glob("*.yml")))
    body = {name: text.split("\n", 1)[1] for name, text in direct.items()}  # drop the source-naming header
    assert {name: text.split("\n", 1)[1] for name, text in converted.items()} == body


def sloth_alerts(path: Path) -> dict[tuple[str, str], tuple[frozenset[tuple[str, float]], dict[str, str]]]:
    """(sloth_service/slo, tier) -> ({(window, factor)}, user labels) from Sloth's output."""
    out = {}
    documents = [d for d in yaml.safe_load_all(path.read_text("utf-8")) if d]
    groups = [g for d in documents for g in (d.get("groups") or d.get("spec", {}).get("groups", []))]
    for group in groups:
        for rule in group["rules"]:
            if "alert" not in rule:
                SPEC_LABELS.update(k for k in rule["labels"] if not k.startswith("sloth_"))
                continue
            ids = dict(re.findall(r'sloth_(service|slo)="([^"]+)"', rule["expr"]))
            labels = {k: v for k, v in rule["labels"].items() if not k.startswith("sloth_")}
            labels["alertname"] = rule["alert"]
            windows = frozenset((w, float(f)) for w, f, _ in CONDITION.findall(rule["expr"]))
            out[(f"{ids['service']}/{ids['slo']}", rule["labels"]["sloth_severity"])] = (windows, labels)
    return out


def our_alerts(rules: dict[str, str]) -> dict[tuple[str, str], tuple[frozenset[tuple[str, float]], dict[str, str]]]:
    out = {}
    for text in rules.values():
        for group in yaml.safe_load(text)["groups"]:
            for rule in group["rules"]:
                if "alert" not in rule:
                    continue
                labels = {k: v for k, v in rule["labels"].items() if not k.startswith("slo_")}
                labels["alertname"] = rule["alert"]
                windows = frozenset((w, float(f)) for w, f, _ in CONDITION.findall(rule["expr"]))
                key = f"{rule['labels']['slo_service']}/{rule['labels']['slo_name']}"
                out[(key, rule["labels"]["slo_severity"])] = (windows, labels)
    return out


SLOTH_WITH_GEN = [p for p in COMPILING if (SLOTH / "_gen" / p.name).exists() and not p.name.startswith("openslo")]


@pytest.mark.parametrize("path", SLOTH_WITH_GEN, ids=[p.stem for p in SLOTH_WITH_GEN])
def test_alerts_match_sloths_own_output(path: Path) -> None:
    """Same tiers, windows and factors; alert names and user labels kept. Intended differences:
    sloth_* labels are slo_service/slo_name/slo_severity; a tier without a `severity` label gets
    sloforge's default (critical/warning); the spec's service and SLO labels are on every rule,
    alerts included (Sloth leaves them off alerts); thresholds read exact budgets (0.001, not
    Sloth's 0.0009999999999999432); alerts hold `for:` (2m page, 15m ticket; Sloth has none)."""
    SPEC_LABELS.clear()
    theirs = sloth_alerts(SLOTH / "_gen" / path.name)
    ours = our_alerts(compile_files([path])[0])
    assert set(ours) == set(theirs)
    for key, (windows, labels) in theirs.items():
        our_windows, our_labels = ours[key]
        assert our_windows == windows, key
        assert {k: v for k, v in our_labels.items() if k in labels} == labels, key
        assert set(our_labels) - set(labels) <= {"severity"} | SPEC_LABELS, key


@pytest.mark.parametrize("path", [p for p in COMPILING if (SLOTH / "_gen" / p.name).exists()],
                         ids=lambda p: p.stem)
def test_recorded_windows_match_sloths(path: Path) -> None:
    """Sloth records the error ratio over 5m 30m 1h 2h 6h 1d 3d and the period; so does sloforge
    (plus its 5m event rates, whose sums make every ratio traffic-weighted)."""
    def windows(texts: list[str]) -> set[str]:
        return {m for text in texts for m in re.findall(r"record: slo:sli_error:ratio_rate(\w+)", text)}

    theirs = windows([(SLOTH / "_gen" / path.name).read_text("utf-8")])
    assert windows(list(compile_files([path])[0].values())) == theirs
    assert FIXTURES.exists()
