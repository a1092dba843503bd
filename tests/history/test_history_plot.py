"""`backtest --plot`: the figure's marks where the history puts them, the PNG, the errors."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
from sloforge.errors import SloforgeError
from sloforge.history.plot import history_figure, plot_history
from sloforge.history.result import GroupHistory
from sloforge.model.catalog import Slo

from tests.history.cases import END, OUTAGE, SLOW, START, histories, history, load_slos

pytest.importorskip("matplotlib")


@pytest.fixture(scope="module")
def slos(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Slo]:
    return load_slos(tmp_path_factory.mktemp("specs"))


def test_the_figure_draws_thresholds_bands_and_both_curves(slos: dict[tuple[str, str], Slo]) -> None:
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    shop = histories(slos)[0]
    slo = slos[("shop", "availability")]
    figure = history_figure(shop, slo)
    try:
        burn, budget = figure.axes
        assert burn.get_yscale() == "log"
        dashed = sorted(line.get_ydata()[0] for line in burn.get_lines() if line.get_linestyle() == "--")
        assert dashed == sorted(p.factor for p in slo.alerting.pairs) == [1, 3, 6, 14.4]
        # the bands: one per firing, from its start to its end (the open one to the range's end)
        spans = sorted((round(p.get_bbox().x0, 6), round(p.get_bbox().x1, 6)) for p in burn.patches)
        def num(t: float) -> float:
            return round(float(mdates.date2num(dt.datetime.fromtimestamp(t, dt.UTC))), 6)

        assert spans == sorted([(num(OUTAGE + 7 * 60), num(OUTAGE + 2 * 3600 + 5 * 60)),
                                (num(OUTAGE + 40 * 60), num(OUTAGE + 5 * 3600)),
                                (num(SLOW + 9 * 3600), num(END))])
        [line] = [line for line in burn.get_lines() if line.get_linestyle() == "-"]
        assert max(line.get_ydata()) == 50.0 and len(line.get_ydata()) == len(shop.burn_rate)
        [left] = [line for line in budget.get_lines() if line.get_label() == "error budget left"]
        assert list(left.get_ydata()) == pytest.approx([v * 100 for _, v in shop.budget_remaining])
        assert left.get_ydata()[-1] == pytest.approx((1 - shop.budget_consumed) * 100)
        assert "0.23 pages and 0.47 tickets a week" in figure.texts[0].get_text()
    finally:
        plt.close(figure)


def test_the_png_is_written_and_hostile_labels_stay_literal(slos: dict[tuple[str, str], Slo],
                                                             tmp_path: Path) -> None:
    slo = slos[("shop", "regional")]
    odd = history(slo, [(OUTAGE, 1, 40.0)], labels={"region": "$eu_$1 \\frac{"})  # mathtext would fail on this
    png = tmp_path / "eu.png"
    plot_history(odd, slo, png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
    empty = GroupHistory("shop", "regional", {}, START, END, 0.0, 0.0, 0.0, (), ())
    plot_history(empty, slo, tmp_path / "empty.png")  # no samples: a picture that says so, no crash
    assert (tmp_path / "empty.png").stat().st_size > 10_000


def test_unwritable_path_and_missing_matplotlib_are_one_line_errors(slos: dict[tuple[str, str], Slo],
                                                                    tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    shop = histories(slos)[1]
    slo = slos[("shop", "quiet")]
    with pytest.raises(SloforgeError, match=r"cannot write .*missing/x.png"):
        plot_history(shop, slo, tmp_path / "missing" / "x.png")
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(SloforgeError, match=r"--plot needs matplotlib: pip install 'sloforge\[plot\]'"):
        plot_history(shop, slo, tmp_path / "x.png")
