"""Sloth documents are read as Sloth reads them: unknown fields are warnings, Sloth's wider
name rule, one service over several files; native specs stay strict."""

from __future__ import annotations

from pathlib import Path

import pytest
from sloforge import outputs as targets
from sloforge.errors import SpecError
from sloforge.packaging import PACKAGINGS
from sloforge.pipeline import load_catalog

SLO = """  - name: "{name}"
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(http_requests_total{{code=~"5.."}}[{{{{.window}}}}]))
        total_query: sum(rate(http_requests_total[{{{{.window}}}}]))
"""


def sloth(service: str, *slos: str, extra: str = "") -> str:
    return f'version: "prometheus/v1"\nservice: "{service}"\nslos:\n' + "".join(
        SLO.format(name=s) for s in slos) + extra


def problems(tmp_path: Path, **files: str) -> list[str]:
    for name, text in files.items():
        (tmp_path / name).write_text(text, "utf-8")
    try:
        _, warnings = load_catalog([str(tmp_path / n) for n in files])
    except SpecError as exc:
        return [str(p).replace(f"{tmp_path}/", "") for p in exc.problems]
    return [str(p).replace(f"{tmp_path}/", "") for p in warnings]


@pytest.mark.parametrize(("field", "hint"), [
    pytest.param("pageAlert", "did you mean page_alert?", id="camelCase page alert"),
    pytest.param("ticketAlert", "did you mean ticket_alert?", id="camelCase ticket alert"),
    pytest.param("page_alerts", "did you mean page_alert?", id="plural"),
])
def test_unknown_sloth_field_is_a_warning_with_a_hint(tmp_path: Path, field: str, hint: str) -> None:
    extra = f"    alerting:\n      {field}:\n        disable: true\n"
    found = problems(tmp_path, **{"a.yml": sloth("api", "availability", extra=extra)})
    assert found == [f"a.yml:11: slos[0].alerting.{field}: warning: unknown field ignored, as Sloth does; {hint}"]


def test_unknown_native_field_stays_an_error(tmp_path: Path) -> None:
    native = ("apiVersion: sloforge/v1\nkind: ServiceLevels\nservice: api\nslos:\n  - name: a\n    objective: 99\n"
              "    sli: {probe: 'probe_success'}\n    alerting: {pageAlert: {}}\n")
    (tmp_path / "a.yml").write_text(native, "utf-8")
    with pytest.raises(SpecError) as caught:
        load_catalog([str(tmp_path / "a.yml")])
    assert not caught.value.problems[0].warning
    assert "pageAlert" in str(caught.value.problems[0])


def test_sloth_names_keep_their_spelling_in_labels_and_become_safe_file_names(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_text(sloth("Svc01", "slo.02", "Latency_P99"), "utf-8")
    catalog, _ = load_catalog([str(tmp_path / "a.yml")])
    files = {f.path: f.content for f in targets.files(catalog, targets.Context(PACKAGINGS["prometheus"]))}
    rules = files["prometheus/svc01.yml"]
    assert "prometheus/tests/svc01.test.yml" in files and "grafana/svc01.json" in files
    assert "- name: sloforge-svc01-slo-02\n" in rules and "- name: sloforge-svc01-latency_p99\n" in rules
    assert "slo_service: Svc01\n" in rules and "slo_name: slo.02\n" in rules
    assert 'slo_service="Svc01", slo_name="slo.02"' in rules


@pytest.mark.parametrize(("files", "expected"), [
    pytest.param({"a.yml": sloth("api", "slo.02", "Slo-02")},
                 "a.yml:10: slos[1].name: SLO 'Slo-02' and SLO 'slo.02' of service 'api' both become the rule "
                 "group name 'sloforge-api-slo-02'; rename one", id="two SLOs, one group"),
    pytest.param({"a.yml": sloth("Svc01", "a"), "b.yml": sloth("svc01", "b")},
                 "b.yml:2: service: service 'svc01' and service 'Svc01' (in a.yml) both become the file "
                 "name 'svc01'; rename one", id="two services, one file"),
    pytest.param({"a.yml": sloth("bad name", "a")},
                 "a.yml:2: service: service 'bad name' must be 1-63 characters of letters, digits, -, _ and ., "
                 "starting with a letter or digit (Sloth's rule)", id="a space is still refused"),
])
def test_names_that_collide_are_located_errors(tmp_path: Path, files: dict[str, str], expected: str) -> None:
    found = problems(tmp_path, **files)
    assert [p.replace(str(tmp_path) + "/", "") for p in found] == [expected]


def test_one_service_over_several_files_as_sloth_allows(tmp_path: Path) -> None:
    found = problems(tmp_path, **{"a.yml": sloth("api", "availability"), "b.yml": sloth("api", "latency")})
    assert found == []
    catalog, _ = load_catalog([str(tmp_path / "a.yml"), str(tmp_path / "b.yml")])
    assert [(s.name, [slo.name for slo in s.slos]) for s in catalog.services] == [("api", ["availability",
                                                                                             "latency"])]
    from sloforge.convert import native as convert

    text = convert.files(catalog)["api.yml"]
    assert text.splitlines()[0].startswith(f"# converted by sloforge from {tmp_path}/a.yml, {tmp_path}/b.yml; "
                                           "edit this file from now on")


def test_the_same_slo_of_a_service_twice_is_an_error(tmp_path: Path) -> None:
    found = problems(tmp_path, **{"a.yml": sloth("api", "availability"), "b.yml": sloth("api", "availability")})
    assert found == ["b.yml:4: slos[0].name: SLO 'availability' of service 'api' is already defined at "
                     "a.yml:4"]


def test_convert_refuses_names_a_native_spec_cannot_hold(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    (tmp_path / "a.yml").write_text(sloth("Svc01", "availability"), "utf-8")
    done = run_cli("convert", "a.yml", "--to", "native", "--out", "native", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == (
        "a.yml: service: service 'Svc01' cannot be written to a native spec, whose names are a-z, 0-9, - and _; "
        "rename it in the source first (e.g. to 'svc01': its rules' and alerts' labels change too)")
    assert not (tmp_path / "native").exists()
