"""Re-derive the two operator schemas in this folder (not imported by sloforge).

Source: the PyPI package `cloudcoil-models-prometheus-operator` (Apache-2.0), pydantic models
generated from the Prometheus Operator's CustomResourceDefinitions; see NOTICE for the
version. Run it in a throwaway virtualenv:

    python -m venv /tmp/crd && /tmp/crd/bin/pip install cloudcoil-models-prometheus-operator==0.80.1.0
    /tmp/crd/bin/python generator/sloforge/check/crds/derive.py

What is changed from pydantic's JSON Schema, so that it reads as the API server and the
operator read objects:
- `null` alternatives go: no field of these CRDs is `nullable`, and sloforge writes no null;
- `title`/`default`/`description` go (noise; defaults are the API server's business);
- `additionalProperties: false` on every object with properties: the CRDs allow unknown keys
  (the API server prunes them silently), so a misspelt key would vanish unseen;
- Go's `(?i)` inside a pattern (RE2 lets it start anywhere; Python's `re` only at the start) is
  moved to the front: every pattern that has one is case-insensitive throughout in RE2 already
  or differs only in digits and ':';
- a route's child `routes` (`x-kubernetes-preserve-unknown-fields` in the CRD: raw JSON) are
  routes: the operator decodes them strictly, so they are checked as routes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
DROP = {"title", "default", "description"}


def clean(node: Any) -> Any:
    """A schema node, cleaned (`properties` and `$defs` are maps of names, not schema keywords)."""
    if isinstance(node, list):
        return [clean(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: ({name: clean(sub) for name, sub in v.items()} if k in ("properties", "$defs") else clean(v))
           for k, v in node.items() if k not in DROP}
    if "anyOf" in out:
        kept = [alt for alt in out["anyOf"] if alt != {"type": "null"}]
        if len(kept) == 1:
            del out["anyOf"]
            out = {**kept[0], **out}
        else:
            out["anyOf"] = kept
    pattern = out.get("pattern")
    if isinstance(pattern, str) and "(?i)" in pattern:
        out["pattern"] = "(?i)" + pattern.replace("(?i)", "")
    if out.get("type") == "object" and "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


def main() -> None:
    from cloudcoil.models.prometheus_operator import v1, v1alpha1

    for name, model in (("prometheusrule-v1", v1.PrometheusRule),
                        ("alertmanagerconfig-v1alpha1", v1alpha1.AlertmanagerConfig)):
        schema = clean(model.model_json_schema(by_alias=True, mode="validation"))
        if "Route" in schema.get("$defs", {}):
            schema["$defs"]["Route"]["properties"]["routes"]["items"] = {"$ref": "#/$defs/Route"}
        schema["required"] = sorted(set(schema.get("required", [])) | {"apiVersion", "kind", "metadata", "spec"})
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        (HERE / f"{name}.json").write_text(json.dumps(schema, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
