"""The backtest HTML page and its charts, from hand-made histories: what is drawn where.

Varied on purpose: a quiet SLO (no firing, no incident), one that paged and ticketed, a
grouped SLO with two groups (one with attribution), and hostile text in label values.
Structural checks (rows, the x of each firing band, the thresholds' y) instead of golden files.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from sloforge.history import html
from sloforge.history.result import GroupHistory
from sloforge.model.catalog import Slo
from sloforge.render import charts

from tests.history.cases import DAY, END, HOSTILE, HOUR, OUTAGE, SLOW, START, histories, history, load_slos

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def slos(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Slo]:
    return load_slos(tmp_path_factory.mktemp("specs"))


@pytest.fixture(scope="module")
def rendered(slos: dict[tuple[str, str], Slo]) -> str:
    return page(slos)


def page(slos: dict[tuple[str, str], Slo]) -> str:
    return html.render_page(histories(slos), slos, prometheus="http://127.0.0.1:9090?a=1&b=2", start=START, end=END,
                            problems=[f"shop/broken: no data in the range {HOSTILE}"],
                            notes=["shop/availability: 2 of 720 steps had no samples"])


class Tree(HTMLParser):
    """Elements, their attributes and their text, in document order, from Python's own parser."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.texts.append(data)


def parsed(text: str) -> Tree:
    tree = Tree()
    tree.feed(text)
    return tree


def sections(text: str) -> list[str]:
    return re.findall(r"<section class=\"slo\".*?</section>", text, re.S)


def svgs(section: str) -> dict[str, ET.Element]:
    return {element.get("class", ""): element
            for element in map(ET.fromstring, re.findall(r"<svg .*?</svg>", section, re.S))}


def x_of(t: float) -> float:
    frame = html.FRAME
    return frame.left + (t - START) / (END - START) * frame.plot_w


def rows(section: str, table: str) -> list[list[str]]:
    match = re.search(rf"<table class=\"summary {table}\">(.*?)</table>", section, re.S)
    if match is None:
        return []
    body = match.group(1).split("</tr>", 1)[1]
    return [[cell for cell in parsed(row).texts if cell.strip()] for row in body.split("</tr>") if "<td" in row]


def test_one_section_per_group_in_order_with_its_tables(slos: dict[tuple[str, str], Slo], rendered: str) -> None:
    text = rendered
    shop, quiet, eu, hostile = sections(text)
    assert [parsed(s).texts[0] for s in (shop, quiet, eu)] == [
        "shop/availability", "shop/quiet", 'shop/regional{region="eu"}']
    # incidents, largest budget share first: the 2h outage at 50x (13.9%) before the 30h burn at 2x (8.33%)
    incidents = rows(shop, "incidents")
    assert [r[0] for r in incidents] == ["1", "2"]
    assert [r[3] for r in incidents] == ["50x", "2x"]  # the outage spent 13.9%, the slow burn 8.33%
    assert [r[4] for r in incidents] == ["13.9%", "8.33%"]
    assert [r[1] for r in incidents] == ["2026-11-16 06:00", "2026-11-26 00:00"]
    assert [r[5] for r in incidents] == ["7m", "no page"]  # time to first page
    assert [r[2] for r in incidents] == ["2h", "1d 6h"]
    firings = rows(shop, "firings")
    assert [(r[0], r[3], r[4], r[5]) for r in firings] == [
        ("page", "2026-11-16 06:07", "2026-11-16 08:05", "1h 58m"),
        ("ticket", "2026-11-16 06:40", "2026-11-16 11:00", "4h 20m"),
        ("ticket", "2026-11-26 09:00", "still firing", "9d 15h")]
    assert rows(quiet, "incidents") == rows(quiet, "firings") == []
    assert "No incident" in quiet and "No alert would have fired" in quiet
    assert "Who spent the budget" not in shop and "Who spent the budget" in eu
    assert "<h3>Burn rate over 1h and would-be alerts</h3>" in shop
    assert rows(eu, "attribution") == [["503", "/pay", "1,200", "80%", "75%"],
                                       ["500", HOSTILE, "400", "27%", "25%"]]
    # the summary: one row per group, linked to its section
    summary = rows(text.split("<section")[0], "top")
    assert [r[0] for r in summary] == ["shop/availability", "shop/quiet", 'shop/regional{region="eu"}',
                                       f'shop/regional{{region="{HOSTILE}"}}']
    assert [r[4:6] for r in summary][0] == ["0.23", "0.47"]  # 1 page and 2 tickets over 30 days
    assert text.count("<a href=\"#slo-") == 4 and all(f"id=\"slo-{k}\"" in text for k in range(4))


def test_facts_name_the_sli_against_the_objective(slos: dict[tuple[str, str], Slo], rendered: str) -> None:
    shop, quiet, *_ = sections(rendered)
    facts = parsed(shop).texts
    spent = 0.2 + 0.139 - 0.2 * 2 / (30 * 24) + 0.0833 - 0.2 * 30 / (30 * 24)  # base burn + the two incidents
    sli = 1 - 0.001 * spent
    assert f"SLI {sli * 100:.5g}% (objective 99.9%)" in facts
    assert "class=\"below\"" not in shop and "class=\"below\"" not in quiet
    # a burn above 1x over the whole range is an SLI below the objective: flagged
    quiet = slos[("shop", "quiet")]
    burning = html.render_page([history(quiet, [], base=1.5)], slos, prometheus="p", start=START, end=END)
    assert "<span class=\"below\">SLI 98.5% (objective 99%)</span>" in burning
    assert "0.23 pages and 0.47 tickets a week" in facts
    assert f"{spent * 100:.3g}% of a 30d budget consumed" in facts


def test_firing_bands_sit_at_their_times_coloured_by_tier(slos: dict[tuple[str, str], Slo], rendered: str) -> None:
    shop, quiet, eu, _ = sections(rendered)
    timeline = svgs(shop)["timeline"]
    bands = [(r.get("class"), float(r.get("x", "")), float(r.get("width", "")), r.get("fill"))
             for r in timeline.iter(f"{SVG}rect") if (r.get("class") or "").startswith("band")]
    # tickets first, then the page on top of them
    expected = [("band band-ticket", OUTAGE + 40 * 60, OUTAGE + 5 * HOUR),
                ("band band-ticket", SLOW + 9 * HOUR, END),  # still firing: to the chart's end
                ("band band-page", OUTAGE + 7 * 60, OUTAGE + 2 * HOUR + 5 * 60)]
    assert len(bands) == 3
    for (kind, x, width, fill), (want, start, end) in zip(bands, expected, strict=True):
        assert kind == want and fill == html.TIER_COLOURS[want.split("-")[1]]
        assert x == pytest.approx(x_of(start), abs=0.06)
        assert x + width == pytest.approx(max(x_of(end), x_of(start) + 2), abs=0.12)
    titles = [r.findtext(f"{SVG}title") for r in timeline.iter(f"{SVG}rect") if r.get("class") == "band band-page"]
    assert titles == ["page: ShopAvailabilityErrorBudgetBurn (burn-rate) from 2026-11-16 06:07 to "
                      "2026-11-16 08:05, 9% of the budget"]
    assert not [r for r in svgs(quiet)["timeline"].iter(f"{SVG}rect")]
    assert len([r for r in svgs(eu)["timeline"].iter(f"{SVG}rect") if r.get("class") == "band band-page"]) == 1


def test_thresholds_are_the_burn_rate_factors_on_a_log_axis(slos: dict[tuple[str, str], Slo], rendered: str) -> None:
    shop, quiet, eu, _ = sections(rendered)
    for section, slo in ((shop, slos[("shop", "availability")]), (quiet, slos[("shop", "quiet")]),
                         (eu, slos[("shop", "regional")])):
        timeline = svgs(section)["timeline"]
        lines = sorted(float(line.get("y1", "")) for line in timeline.iter(f"{SVG}line")
                       if line.get("class") == "threshold")
        labels = [t.text for t in timeline.iter(f"{SVG}text") if t.get("class") == "threshold"]
        factors = sorted((p.factor for p in slo.alerting.pairs), reverse=True)  # highest on top
        assert labels == [f"{p.tier} {p.long_text} {p.factor:.3g}x"
                          for p in sorted(slo.alerting.pairs, key=lambda p: -p.factor)]
        levels = {t.text: float(t.get("y", "")) - 4 for t in timeline.iter(f"{SVG}text") if t.get("class") == "level"}
        # log axis: y is linear in log10(burn) between the decade levels
        one, ten = levels["1x"], levels["10x"]
        for y, factor in zip(lines, factors, strict=True):
            assert y == pytest.approx(one + (ten - one) * math.log10(factor), abs=0.06)
    # 30d: the workbook's 14.4, 6, 3, 1; 7d: 3.36, 1.4, 0.7, 0.233
    assert "page 1h 14.4x" in shop and "ticket 3d 0.233x" in eu


def test_the_burn_line_reaches_its_peaks_and_the_burndown_its_end(slos: dict[tuple[str, str], Slo],
                                                                  rendered: str) -> None:
    shop = sections(rendered)[0]
    charts = svgs(shop)
    [line] = [p for p in charts["timeline"].iter(f"{SVG}polyline")]
    points = [tuple(map(float, p.split(","))) for p in line.get("points", "").split()]
    assert len(points) < 2 * html.FRAME.plot_w * 2  # 8641 samples drawn as at most 4 per pixel column
    levels = {t.text: float(t.get("y", "")) - 4 for t in charts["timeline"].iter(f"{SVG}text")
              if t.get("class") == "level"}
    peak = levels["10x"] + (levels["100x"] - levels["10x"]) * (math.log10(50) - 1)
    assert min(y for _, y in points) == pytest.approx(peak, abs=0.06)  # the 50x outage is drawn, not averaged away
    outage = [x for x, y in points if y == pytest.approx(peak, abs=0.06)]
    assert min(outage) == pytest.approx(x_of(OUTAGE), abs=1.0) and max(outage) == pytest.approx(
        x_of(OUTAGE + 2 * HOUR), abs=1.0)
    burndown = charts["burndown"]
    [curve] = burndown.iter(f"{SVG}polyline")
    last = curve.get("points", "").split()[-1]
    assert float(last.split(",")[0]) == pytest.approx(x_of(END), abs=0.06)
    end_label = [t.text for t in burndown.iter(f"{SVG}text") if t.get("class") == "now"]
    assert end_label == [f"{(1 - histories(slos)[0].budget_consumed) * 100:.3g}% left"]


def test_hostile_text_stays_text(slos: dict[tuple[str, str], Slo], rendered: str) -> None:
    text = rendered
    assert "<script" not in text and "&lt;script&gt;alert(" in text
    tree = parsed(text)
    assert {tag for tag, _ in tree.elements} <= {"html", "head", "meta", "title", "style", "body", "h1", "div", "b",
                                                  "table", "tr", "th", "td", "a", "p", "i", "section", "h2", "h3",
                                                  "span", "svg", "line", "text", "rect", "polyline", "circle",
                                                  "defs", "pattern"}
    assert f'shop/regional{{region="{HOSTILE}"}}' in tree.texts  # the heading reads back as written
    assert f" shop/broken: no data in the range {HOSTILE}" in tree.texts  # after "Not backtested."
    hostile = sections(text)[3]
    for chart in svgs(hostile).values():  # well-formed XML, the title as written
        assert (chart.findtext(f"{SVG}title") or "").startswith(f'shop/regional{{region="{HOSTILE}"}}')


def test_the_page_is_self_contained_and_deterministic(slos: dict[tuple[str, str], Slo], rendered: str) -> None:
    text = rendered
    assert text == page(slos)
    assert "<script" not in text and "<link" not in text and "@import" not in text and "<img" not in text
    assert set(re.findall(r"https?://[^\s\"<&]+", text)) == {"http://127.0.0.1:9090?a=1", "http://www.w3.org/2000/svg"}
    hatches = re.findall(r"<pattern id=\"([^\"]+)\"", text)
    assert len(hatches) == len(set(hatches)) == 4  # one per burn-down, ids unique on the page


def test_an_empty_page_and_a_history_without_samples(slos: dict[tuple[str, str], Slo]) -> None:
    shop = slos[("shop", "availability")]
    empty = GroupHistory("shop", "availability", {}, START, END, 0.0, 0.0, 0.0, (), ())
    text = html.render_page([empty], slos, prometheus="p", start=START, end=END)
    [section] = sections(text)
    assert "SLI - (objective 99.9%)" in parsed(section).texts
    assert [t.text for t in svgs(section)["timeline"].iter(f"{SVG}text") if t.text == "no data"] == ["no data"]
    assert "no data" in section and shop.objective == 99.9
    nothing = html.render_page([], slos, prometheus="p", start=START, end=END, problems=["a/b: no data"])
    assert "0 SLOs" in nothing and "2026-11-06 00:00 to 2026-12-06 00:00 UTC (30d)" in nothing
    assert "<div class=\"notice problem\"><b>Not backtested.</b> a/b: no data</div>" in nothing


@pytest.mark.parametrize(("rate", "text"), [(0.0, "0"), (0.2333, "0.23"), (4.66, "4.7"), (9.96, "10"),
                                             (150.4, "150"), (1234.0, "1234")])
def test_counts_a_week_never_in_exponent_notation(rate: float, text: str) -> None:
    assert html.weekly(rate) == text


@pytest.mark.parametrize(("seconds", "text"), [(0, "0s"), (45, "45s"), (125, "2m 5s"), (3600, "1h"),
                                               (7500, "2h 5m"), (3 * DAY, "3d"), (90061, "1d 1h")])
def test_durations_read_in_two_units(seconds: float, text: str) -> None:
    assert html._span(seconds) == text


def test_linear_axis_and_label_spacing() -> None:
    # linear: round levels from 0; two thresholds 0.1 apart get labels at least 12 px apart
    chart = ET.fromstring(str(charts.line_chart([(0, 0.0), (HOUR, 7.0)], 0, HOUR, title="t", y_title="y", log=False,
                                             thresholds=[charts.Threshold(3.0, "a", "#000"),
                                                         charts.Threshold(3.1, "b", "#000")])))
    levels = [t.text for t in chart.iter(f"{SVG}text") if t.get("class") == "level"]
    assert levels == ["0x", "2x", "4x", "6x", "8x"]
    ys = [float(t.get("y", "")) for t in chart.iter(f"{SVG}text") if t.get("class") == "threshold"]
    assert ys[1] - ys[0] >= 12


def test_chart_labels_are_escaped_and_no_data_breaks_the_line() -> None:
    nasty = '</svg><script>x</script> & "q"'
    points = [(0.0, 1.0), (600.0, 2.0), (1200.0, math.nan), (1800.0, 3.0), (2400.0, 0.5)]
    markup = str(charts.line_chart(points, 0, 2400, title=nasty, y_title=nasty,
                                   thresholds=[charts.Threshold(2.0, nasty, "#000")],
                                   bands=[charts.Band(600, 1800, "#c0392b", nasty)]))
    assert "<script" not in markup
    chart = ET.fromstring(markup)  # still one well-formed element
    assert chart.findtext(f"{SVG}title") == nasty
    assert [t.text for t in chart.iter(f"{SVG}text") if t.get("class") in ("threshold", "axis")] == [
        "time (UTC)", nasty, nasty]
    assert [r.findtext(f"{SVG}title") for r in chart.iter(f"{SVG}rect")] == [nasty]
    # the NaN sample is a hole: two runs, not one line bridging it
    lines = [p.get("points", "").split() for p in chart.iter(f"{SVG}polyline")]
    assert [len(run) for run in lines] == [2, 2]


def test_decimation_keeps_each_columns_extremes_and_the_holes() -> None:
    from sloforge.render import svg

    frame = svg.Frame()
    minutes = 30 * 24 * 60
    points = [(k * 60.0, math.nan if 20_000 <= k < 20_100 else 1.0 + (k % 97) / 97) for k in range(minutes)]
    points[31_337] = (31_337 * 60.0, 500.0)  # one minute's spike
    points[12_345] = (12_345 * 60.0, 0.001)  # one minute's dip
    axis = svg.TimeAxis(frame, 0, (minutes - 1) * 60.0)
    kept = svg.decimate(points, axis, frame)
    assert len(kept) <= 4 * (frame.plot_w + 1) and kept == sorted(kept)
    values = [v for _, v in kept]
    assert 500.0 in values and 0.001 in values  # neither averaged nor skipped away
    assert len(svg.runs(kept)) == 2  # the 100-minute hole still splits the line
    short = points[:100]
    assert svg.decimate(short, axis, frame) == short  # few samples pass unchanged
