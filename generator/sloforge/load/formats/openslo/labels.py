"""OpenSLO `metadata.labels` -> sloforge labels and owner.

OpenSLO labels map a name to a string or a list of strings (`env: [prod]`). A
Service object's labels, then each SLO's own (which win), become the SLO's
labels, kept on every generated rule as a sloforge spec's `labels` are; a list
is joined with commas. `team` is sloforge's routing label: a single team
becomes the service's `owner` (the `team` label on every alert, Alertmanager
routing); several teams cannot route one alert, so they are reported and left
out. Names Prometheus cannot carry, or that sloforge sets itself, are reported
as warnings and skipped: labels are metadata, not a reason to refuse an SLO.
"""

from __future__ import annotations

from sloforge import conventions
from sloforge.load.formats.native import RESERVED_LABELS
from sloforge.load.formats.openslo.objects import Obj, ObjReader
from sloforge.load.reader import is_label_name, scalar_text

_SET_BY_SLOFORGE = RESERVED_LABELS | conventions.ALERT_LABELS


def metadata_labels(reader: ObjReader, obj: Obj) -> tuple[dict[str, str], list[str]]:
    """(labels, teams) of one object; problems go to `reader` as warnings."""
    metadata = obj.data.get("metadata")
    raw = metadata.get("labels") if isinstance(metadata, dict) else None
    if raw is None:
        return {}, []
    at = ("metadata", "labels")
    if not isinstance(raw, dict):
        reader.warn(at, "metadata.labels must be a mapping of names to values; ignored")
        return {}, []
    labels: dict[str, str] = {}
    teams: list[str] = []
    for name, value in raw.items():
        values = value if isinstance(value, list) else [value]
        if any(v is None or isinstance(v, (dict, list)) for v in values):
            reader.warn(at + (name,), "label values must be text or a list of text; label ignored")
            continue
        texts = [scalar_text(v) for v in values]
        if name == conventions.LABEL_TEAM:
            teams = texts
        elif not is_label_name(name) or name.startswith("__"):
            reader.warn(at + (name,), f"'{name}' is not a Prometheus label name; label ignored")
        elif name in _SET_BY_SLOFORGE or name.startswith("slo_"):
            reader.warn(at + (name,), f"label '{name}' is set by sloforge itself; label ignored")
        elif any(texts):  # an empty value is no label at all in Prometheus
            labels[name] = ",".join(t for t in texts if t)
    return labels, teams


def owner(reader: ObjReader, obj: Obj, teams: list[str]) -> str | None:
    """The one team of `teams`, else None (several are reported)."""
    teams = list(dict.fromkeys(t for t in teams if t))
    if len(teams) == 1:
        return teams[0]
    if len(teams) > 1:
        reader.warn(("metadata", "labels", conventions.LABEL_TEAM),
                    f"lists several teams ({', '.join(teams)}); sloforge routes each alert to one "
                    "owner, so none is set: keep one team here")
    return None
