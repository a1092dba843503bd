"""Model -> native `sloforge/v1` spec text, for `sloforge convert --to native`.

The model is the only intermediate: whatever a format's importer made of a
spec is written back as the native fields that load into the same model, so
converting and then generating gives byte-for-byte the rules generating
directly gives (tests/importers check this on every fixture). Comments of the
source are kept where they can be placed: the file's leading block goes into
the header, and a Sloth SLO's comments go above the converted SLO.
"""

from __future__ import annotations

import re
from pathlib import Path

from sloforge import conventions, durations
from sloforge.errors import Problem
from sloforge.load.formats.native import API_VERSION, KIND
from sloforge.load.reader import NAME_PATTERN
from sloforge.model import policy
from sloforge.model.catalog import Alerting, Catalog, Service, Slo
from sloforge.model.sli import EventsSli, LatencySli, ProbeSli, RatioSli, Sli
from sloforge.render.yaml import to_yaml

TARGETS = {"native": "sloforge/v1 ServiceLevels specs, one file per service"}


def name_problems(catalog: Catalog) -> list[Problem]:
    """Names a native spec cannot hold (Sloth's capitals and dots, `Svc01`, `slo.02`): converting
    them as they are would write a spec that does not load, and renaming them silently would
    change every alert's slo_service/slo_name label, so the user renames them in the source."""
    problems = []
    for service in catalog.services:
        wrong = [("service", service.name, service.source)] if not NAME_PATTERN.fullmatch(service.name) else []
        wrong += [("name", slo.name, slo.source) for slo in service.slos if not NAME_PATTERN.fullmatch(slo.name)]
        for field, name, source in wrong:
            what = f"service '{name}'" if field == "service" else f"SLO '{name}' of service '{service.name}'"
            problems.append(Problem(source, None, field, f"{what} cannot be written to a native spec, "
                                    "whose names are a-z, 0-9, - and _; rename it in the source first (e.g. to "
                                    f"'{conventions.file_name(name)}': its rules' and alerts' labels change too)"))
    return problems


def files(catalog: Catalog) -> dict[str, str]:
    """{relative path: text}: one native spec per service, stamped with its digest (convert/stamp.py)."""
    from sloforge.convert.stamp import stamped

    return {f"{service.name}.yml": stamped(service_text(service)) for service in catalog.services}


def service_text(service: Service) -> str:
    comments = _SourceComments.read(service.source)
    # A Sloth service may be spread over several files: name them all, each SLO's comments from its own.
    sources = list(dict.fromkeys([service.source, *(slo.source for slo in service.slos if slo.source)]))
    others = {source: _SourceComments.read(source) for source in sources[1:]}
    header = [f"# converted by sloforge from {', '.join(sources)}; edit this file from now on",
              conventions.schema_comment("ServiceLevels")]
    leading = comments.leading
    if leading:
        header += ["#", "# comments of the source:"] + leading
    top = service_spec(service)
    slos = top.pop("slos")
    out = "\n".join(header) + "\n" + to_yaml(top) + "slos:\n"
    for slo, spec in zip(service.slos, list(slos), strict=True):  # type: ignore[call-overload]
        for line in others.get(slo.source, comments).for_slo(slo.name):
            out += f"  {line}\n"
        item = to_yaml([spec])
        out += "".join(f"  {line}\n" for line in item.splitlines())
    return out


def service_spec(service: Service) -> dict[str, object]:
    spec: dict[str, object] = {"apiVersion": API_VERSION, "kind": KIND, "service": service.name}
    if service.owner:
        spec["owner"] = service.owner
    if service.labels:
        spec["labels"] = dict(service.labels)
    if service.version is not None:
        spec["version"] = service.version
    if service.review_every is not None:
        review: dict[str, object] = {"every": durations.format(service.review_every)}
        if service.review_last is not None:
            review["last"] = service.review_last
        spec["review"] = review
    if service.dependencies:
        spec["dependencies"] = [{"service": d.service, **({"slo": d.slo} if d.slo else {}), "kind": d.kind}
                                for d in service.dependencies]
    spec["slos"] = [slo_spec(slo, dict(service.labels)) for slo in service.slos]
    return spec


def slo_spec(slo: Slo, service_labels: dict[str, str]) -> dict[str, object]:
    spec: dict[str, object] = {"name": slo.name}
    if slo.description:
        spec["description"] = slo.description
    spec["objective"] = int(slo.objective) if slo.objective.is_integer() else slo.objective
    if slo.rationale:
        spec["rationale"] = slo.rationale
    spec["window"] = slo.period_text
    own = {k: v for k, v in slo.labels if service_labels.get(k) != v}
    if own:
        spec["labels"] = own
    sli = sli_spec(slo.sli)
    if slo.sli_definition:
        sli["definition"] = slo.sli_definition
    if slo.sli_exclusions:
        sli["exclusions"] = list(slo.sli_exclusions)
    spec["sli"] = sli
    alerting = alerting_spec(slo)
    if alerting:
        spec["alerting"] = alerting
    return spec


def sli_spec(sli: Sli) -> dict[str, object]:
    grouped: dict[str, object] = {"group_by": list(sli.group_by)} if sli.group_by else {}
    if isinstance(sli, EventsSli):
        return {"events": {"errors": sli.errors, "total": sli.total, **grouped}}
    if isinstance(sli, LatencySli):
        return {"latency": {"metric": sli.metric, "selector": sli.selector,
                            "threshold": threshold_text(sli.threshold_seconds), **grouped}}
    kind = "ratio" if isinstance(sli, RatioSli) else "probe"
    assert isinstance(sli, (RatioSli, ProbeSli))
    return {kind: {"query": sli.query, **grouped} if grouped else sli.query}


def threshold_text(seconds: float) -> str:
    """0.3 -> "300ms", 1.5 -> "1.5s": a threshold always carries its unit."""
    millis = round(seconds * 1000, 6)
    if millis.is_integer() and millis % 1000:
        return f"{int(millis)}ms"
    return f"{seconds:.9f}".rstrip("0").rstrip(".") + "s"


def alerting_spec(slo: Slo) -> dict[str, object]:
    alerting = slo.alerting
    spec: dict[str, object] = {}
    if alerting.name != conventions.alert_name(slo.service, slo.name):
        spec["name"] = alerting.name
    if alerting.disabled:
        spec["disable"] = True
    if alerting.labels:
        spec["labels"] = dict(alerting.labels)
    if alerting.annotations:
        spec["annotations"] = dict(alerting.annotations)
    for tier in alerting.tiers:
        body: dict[str, object] = {}
        if tier.disabled:
            body["disable"] = True
        if tier.for_seconds != policy.DEFAULT_FOR[tier.name]:
            body["for"] = durations.format(tier.for_seconds)
        labels = dict(tier.labels)
        if tier.severity != conventions.DEFAULT_SEVERITY[tier.name]:
            labels[conventions.LABEL_SEVERITY] = tier.severity
        if labels:
            body["labels"] = dict(sorted(labels.items()))
        if tier.annotations:
            body["annotations"] = dict(tier.annotations)
        if body:
            spec[tier.name] = body
    if alerting.pairs and alerting.pairs != policy.default_pairs(slo.period):
        spec["windows"] = windows_spec(alerting)
    if alerting.min_events is not None:
        spec["min_events"] = alerting.min_events
    if alerting.absent_seconds:
        spec["absent"] = durations.format(alerting.absent_seconds)
    if alerting.budget:
        spec["budget"] = [{**({"consumed": b.consumed_text} if b.consumed is not None
                              else {"exhausts_within": b.exhausts_within_text}),
                           "severity": b.tier, "for": durations.format(b.for_seconds),
                           **({"action": b.action} if b.action else {})} for b in alerting.budget]
    return spec


def windows_spec(alerting: Alerting) -> list[dict[str, object]]:
    out = []
    for pair in alerting.pairs:
        item: dict[str, object] = {"severity": pair.tier, "long": pair.long_text, "short": pair.short_text}
        budget = f"{pair.budget_fraction * 100:.6g}"
        # Prefer the readable budget share when it gives back the exact factor.
        if policy.factor_for(float(budget) / 100, pair.period, pair.long) == pair.factor:
            item["budget"] = f"{budget}%"
        else:
            item["factor"] = pair.factor
        out.append(item)
    return out


class _SourceComments:
    """Comment lines of a source file: its leading block, and comments by SLO name."""

    def __init__(self, lines: list[str]):
        self.lines = lines

    @classmethod
    def read(cls, path: str) -> _SourceComments:
        try:
            return cls(Path(path).read_text("utf-8").splitlines())
        except (OSError, UnicodeDecodeError):
            return cls([])

    @property
    def leading(self) -> list[str]:
        out: list[str] = []
        for line in self.lines:
            stripped = line.strip()
            if stripped in ("", "---"):
                continue
            if not stripped.startswith("#"):
                break
            out.append(stripped)
        return out

    def for_slo(self, name: str) -> list[str]:
        """Comments directly above `- name: <name>` and inside that list item (Sloth's layout)."""
        pattern = re.compile(rf"^(\s*)-\s+name:\s*[\"']?{re.escape(name)}[\"']?\s*(#.*)?$")
        for index, line in enumerate(self.lines):
            match = pattern.match(line)
            if not match:
                continue
            above: list[str] = []
            back = index - 1
            while back >= 0 and self.lines[back].strip().startswith("#"):
                above.insert(0, self.lines[back].strip())
                back -= 1
            inside: list[str] = []
            pending: list[str] = []  # comments that may belong to the next item
            indent = len(match.group(1))
            for later in self.lines[index + 1:]:
                stripped = later.strip()
                if stripped.startswith("#"):
                    pending.append(stripped)
                elif stripped:
                    if len(later) - len(later.lstrip()) <= indent:
                        break
                    inside += pending
                    pending = []
            return above + inside
        return []
