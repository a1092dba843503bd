"""The input plugin registries (load/__init__.py) agree with each other."""

from __future__ import annotations

from sloforge.load import all_formats, all_kinds, all_overlays


def test_every_plugin_is_registered_under_its_name_once():
    formats, overlays = all_formats(), all_overlays()
    assert all(name == plugin.NAME for name, plugin in {**formats, **overlays}.items())
    assert not set(formats) & set(overlays)


def test_the_unknown_document_message_lists_every_plugin():
    names = [kind.NAME for kind in all_kinds()]
    assert sorted(names) == sorted([*all_formats(), *all_overlays()])
