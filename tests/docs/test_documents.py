"""SLO documents (out/docs): well-formed GFM tables, spec text kept literal, receivers that
agree with amtool, journeys shown when the catalog has them, byte-stable and cache-correct.

The golden documents themselves are in tests/golden/documents/expected/docs (test_golden.py)
and out/docs (test_committed_out_matches_specs)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt
from sloforge.check.tools import amtool_routes_test
from sloforge.compile.docs.document import service_doc
from sloforge.load.catalog import load_catalog
from sloforge.model.catalog import Catalog
from sloforge.model.journey import Journey, SloRef
from sloforge.outputs import docs

from tests.conftest import REPO, run_cli

GOLDEN_DOCS = REPO / "tests" / "golden" / "documents"
DOCUMENTS = sorted([*(REPO / "out" / "docs").glob("*.md"), *REPO.glob("tests/golden/*/expected/docs/*.md")])


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


def _tables(text: str) -> list[list[int]]:
    """Cells per row of every table markdown-it finds (header row first)."""
    tables: list[list[int]] = []
    for token in _parser().parse(text):
        if token.type == "table_open":
            tables.append([])
        elif token.type == "tr_open":
            tables[-1].append(0)
        elif token.type in ("th_open", "td_open"):
            tables[-1][-1] += 1
    return tables


def _source_tables(text: str) -> list[list[int]]:
    """Cells per row as the source writes them: unescaped `|` between cells."""
    tables: list[list[int]] = []
    previous = ""
    for line in text.splitlines():
        if line.startswith("|") and not line.startswith("|---") and not line.startswith("|--"):
            if not previous.startswith("|"):
                tables.append([])
            tables[-1].append(len(re.findall(r"(?<!\\)\|", line)) - 1)
        previous = line
    return tables


def test_there_are_documents_to_check() -> None:
    names = {p.name for p in DOCUMENTS}
    assert {"checkout.md", "search.md", "README.md", "shop.md", "batch.md"} <= names


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_table_is_well_formed(path: Path) -> None:
    """Each table the source writes is one table to a real GFM parser, with as many rows and,
    in every row, as many cells as its header: no spec text (a `|` in a rationale) split a row."""
    text = path.read_text("utf-8")
    parsed, written = _tables(text), _source_tables(text)
    assert parsed, "no table found"
    assert len(parsed) == len(written)
    for rows, source in zip(parsed, written, strict=True):
        assert len(rows) == len(source)
        assert set(rows) == {rows[0]}, f"rows with other cell counts than the header: {rows}"
        assert set(source) == {rows[0]}


def test_spec_text_stays_literal() -> None:
    """Markdown-active characters in the spec's words render as those characters."""
    html = _parser().render((GOLDEN_DOCS / "expected" / "docs" / "shop.md").read_text("utf-8"))
    assert "users retry | twice; &lt;b&gt;not html&lt;/b&gt; and [not](a link) nor `code`" in html
    assert "<p># not a heading: 99.9% of *orders* | succeed</p>" in html
    assert "<li>1. not a list</li>" in html and "<li>- not an item</li>" in html
    assert "5xx_errors (see *docs*)" in html
    assert "<b>" not in html and "<em>" not in html and "<ol>" not in html
    assert '<a href="https://runbooks.example.com/shop/availability?view=full(1)">' in html
    # sloforge's own hints stay Markdown: the field to write is code
    search = _parser().render((GOLDEN_DOCS / "expected" / "docs" / "search.md").read_text("utf-8"))
    assert "not written (<code>rationale:</code> in the spec)" in search
    assert "no definition written (<code>sli.definition:</code> in the spec)" in search


def _doc_receivers(text: str, slo: str) -> dict[str, set[str]]:
    """Tier -> receivers of the burn-rate table under `### <slo>: alerts`."""
    section = text.split(f"### {slo}: alerts", 1)[1].split("###", 1)[0]
    found: dict[str, set[str]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells[0] in ("page", "ticket"):
            found.setdefault(cells[0], set()).add(cells[-1])
    return found


@pytest.mark.parametrize("root", [REPO / "out", GOLDEN_DOCS / "expected"], ids=["specs", "golden"])
def test_receivers_agree_with_amtool(root: Path) -> None:
    """Every tier's receiver in the documents is the one amtool routes that tier's generated
    alert to, in the generated Alertmanager config (an override included)."""
    config = (root / "alertmanager" / "alertmanager.yml").read_text()
    checked = 0
    for rules in sorted((root / "prometheus").glob("*.yml")):
        for group in yaml.safe_load(rules.read_text())["groups"]:
            for rule in group["rules"]:
                labels = rule.get("labels", {})
                if "alert" not in rule or labels.get("slo_alert_kind") != "burn-rate":
                    continue
                if "slo_journey" in labels:  # a journey's alerts (specs/buy.yml): no service document
                    continue
                doc = (root / "docs" / f"{labels['slo_service']}.md").read_text()
                _, receivers = amtool_routes_test(config, labels)
                assert _doc_receivers(doc, labels["slo_name"])[labels["slo_severity"]] == set(receivers)
                checked += 1
    assert checked >= 5


def test_override_reaches_its_own_receiver() -> None:
    text = (GOLDEN_DOCS / "expected" / "docs" / "shop.md").read_text()
    assert _doc_receivers(text, "latency") == {"page": {"sloforge-payments-page"},
                                               "ticket": {"sloforge-payments-shop-latency-ticket"}}
    assert _doc_receivers(text, "availability")["ticket"] == {"sloforge-payments-ticket"}


def test_document_numbers_are_explains() -> None:
    """Budget minutes and time to page are `explain`'s for the same SLO."""
    result = run_cli("explain", "specs", "--slo", "checkout/availability", "--format", "json")
    assert result.returncode == 0, result.stderr
    import json

    numbers = json.loads(result.stdout)
    numbers = numbers["slos"][0]
    text = (REPO / "out" / "docs" / "checkout.md").read_text()
    assert f"{numbers['bad_seconds_per_day'] / 60:.1f} min a day" in text
    assert f"{numbers['bad_seconds_per_period'] / 60:.1f} min per 30d" in text
    first_page = next(t for t in numbers["tiers"] if t["tier"] == "page")
    assert f"| {first_page['outage_fire'] / 60:.1f} min |" in text


def _journey_catalog() -> Catalog:
    catalog, _ = load_catalog([str(GOLDEN_DOCS / "input")])
    journey = Journey(name="buy", steps=(SloRef("search", "availability"), SloRef("shop", "availability"),
                                         SloRef("pay", "availability")),
                      objective=99.75, period=30 * 86400, owner="payments", description="find | pay")
    other = Journey(name="browse", steps=(SloRef("search", "availability"),), objective=99.9,
                    period=7 * 86400, owner="discovery")
    return Catalog(services=catalog.services, routing=catalog.routing, journeys=(journey, other))


def test_journeys_appear_when_the_catalog_has_them() -> None:
    catalog = _journey_catalog()
    search, shop = (next(s for s in catalog.services if s.name == name) for name in ("search", "shop"))
    assert service_doc(search, catalog).slos[0].journeys == ("browse (99.9%)", "buy (99.75%)")
    assert service_doc(shop, catalog).slos[0].journeys == ("buy (99.75%)",)
    assert service_doc(shop, catalog).slos[1].journeys == ()  # shop/latency: in no journey
    files = {f.path: f.content for f in docs.catalog_files(catalog, _context())}
    index = files["docs/README.md"]
    assert ("| buy | payments | 99.75% | 30d | [search/availability](search.md) 99.9%, "
            "[shop/availability](shop.md) 99.9%, [pay/availability](pay.md) 99.95% |") in index
    assert "| browse | discovery | 99.9% | 7d |" in index
    assert "**buy:** find \\| pay" in index
    assert 'j1(["journey buy<br/>99.75%"])' in index and 'j1 ==>|"step 2: availability"| s2' in index
    assert "| Journeys | buy (99.75%) |" in files["docs/shop.md"]
    for text in files.values():
        assert all(len(set(rows)) == 1 for rows in _tables(text))
    # without journeys, no journey section at all
    plain = {f.path: f.content for f in docs.catalog_files(load_catalog([str(GOLDEN_DOCS / "input")])[0],
                                                            _context())}
    assert "## Journeys" not in plain["docs/README.md"] and "| Journeys | - |" in plain["docs/shop.md"]


def _context():  # type: ignore[no-untyped-def]
    from sloforge.outputs import Context
    from sloforge.packaging import PACKAGINGS

    return Context(PACKAGINGS["prometheus"])


def test_routing_change_rerenders_the_documents(tmp_path: Path) -> None:
    """The documents are keyed on the routing too: a cached run after a routing edit shows
    the new receiver (the rule files, unchanged, are kept)."""
    import shutil

    specs = tmp_path / "input"
    shutil.copytree(GOLDEN_DOCS / "input", specs)
    out = tmp_path / "out"
    assert run_cli("generate", str(specs), "--out", str(out)).returncode == 0
    routing = specs / "routing.yml"
    routing.write_text(routing.read_text().replace("slo: latency", "slo: availability"))
    result = run_cli("generate", str(specs), "--out", str(out))
    assert result.returncode == 0, result.stderr
    text = (out / "docs" / "shop.md").read_text()
    assert _doc_receivers(text, "availability")["ticket"] == {"sloforge-payments-shop-availability-ticket"}
    assert _doc_receivers(text, "latency")["ticket"] == {"sloforge-payments-ticket"}


def test_a_dependency_change_rerenders_the_dependent_document(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Each document is cached under what it shows: editing pay's objective rewrites shop's
    document (which shows it), and the warm output equals a cold one."""
    import shutil

    specs = tmp_path / "input"
    shutil.copytree(GOLDEN_DOCS / "input", specs)
    monkeypatch.setenv("SLOFORGE_CACHE_DIR", str(tmp_path / "cache"))
    warm, cold = tmp_path / "warm", tmp_path / "cold"
    for _ in range(2):
        assert run_cli("generate", str(specs), "--out", str(warm)).returncode == 0
    assert list((tmp_path / "cache").rglob("*.pickle"))
    shop = specs / "shop.yml"
    shop.write_text(shop.read_text().replace("objective: 99.95", "objective: 99.97"))
    assert run_cli("generate", str(specs), "--out", str(warm)).returncode == 0
    text = (warm / "docs" / "shop.md").read_text()
    assert "| [pay](pay.md) | hard | availability 99.97%, latency 99% |" in text
    assert "pay/availability 99.97% x search/availability 99.9%" in text
    monkeypatch.setenv("SLOFORGE_NO_CACHE", "1")
    assert run_cli("generate", str(specs), "--out", str(cold)).returncode == 0
    for name in ("shop.md", "pay.md", "search.md", "README.md"):
        assert (warm / "docs" / name).read_text() == (cold / "docs" / name).read_text()
