"""The schemas as files next to the specs, for editors (yaml-language-server)."""

from __future__ import annotations

import json
from pathlib import Path

from sloforge import conventions


def write_schemas(folder: Path) -> list[Path]:
    """Every kind's schema file in `folder`; the ones that changed (or were missing)."""
    from sloforge.schema.validate import schema as load
    from sloforge.write import atomic_write

    written = []
    for packaged, file_name in conventions.SCHEMA_FILES.values():
        path = folder / file_name
        text = json.dumps(load(packaged), indent=2) + "\n"
        try:
            if path.read_text("utf-8") == text:
                continue
        except OSError:
            pass
        atomic_write(path, text)
        written.append(path)
    return written
