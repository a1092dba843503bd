"""The Jinja2 environment (StrictUndefined) and the macros the compilers call.

Templates only lay out what Python built; user text is data, never template source.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FunctionLoader(_template_source),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
    )


@cache
def html_environment() -> jinja2.Environment:
    """The environment of the HTML pages (`report`, `backtest`): every value is escaped.

    `autoescape=True` rather than `select_autoescape` by file name: this environment loads
    only HTML templates, and a template named unlike the list must not lose escaping
    silently. Values that are already markup (the SVG charts) arrive as `markupsafe.Markup`.
    """
    return jinja2.Environment(
        loader=jinja2.FunctionLoader(_template_source),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_html(template: str, **values: Any) -> str:
    """Render one HTML page template (they extend `base.html.j2`)."""
    return html_environment().get_template(template).render(**values)


def _template_source(name: str) -> str:
    # The templates ship as the package `sloforge.templates` (top-level
    # templates/ in the repo); importlib finds them in a wheel and in -e installs.
    from importlib import resources

    return resources.files("sloforge.templates").joinpath(name).read_text("utf-8")


def macro(template: str, name: str, **values: Any) -> str:
    """Call one macro of a template; values are data, never template source."""
    return str(getattr(_module(template), name)(**values)).strip()


@cache
def _module(template: str) -> Any:
    """A template's macros, looked up once (compilers call them tens of thousands of times)."""
    return environment().get_template(template).module


def go_template_literal(text: str) -> str:
    """Escape user text for Prometheus' Go templates (annotations are templates).

    Only `{{` opens an action, so it is the only thing to neutralise.
    """
    return text.replace("{{", '{{ "{{" }}')
