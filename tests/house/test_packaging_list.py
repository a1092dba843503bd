"""Every package of the source tree ships in the wheel: pyproject.toml lists packages by hand
(the templates folder is mapped into the package), and a forgotten one installs fine but fails
the first time its command runs (`sloforge plan` from a wheel once lacked sloforge.plan)."""

from __future__ import annotations

import tomllib

from tests.conftest import REPO


def test_pyproject_lists_every_package() -> None:
    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    source = REPO / "generator"
    found = {init.parent.relative_to(source).as_posix().replace("/", ".")
             for init in (source / "sloforge").rglob("__init__.py")}
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
