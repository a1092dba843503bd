"""`explain --plot`: detection time against error ratio, one curve per alert tier.

The picture of the SRE Workbook's "Alerting on SLOs" chapter, for this SLO's
numbers (with the 5m base-window lag and `for:` of the generated rules).
matplotlib is an optional extra: `pip install 'sloforge[plot]'`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sloforge.errors import SloforgeError
from sloforge.explain.slo import detection_curve
from sloforge.model.catalog import Slo

MAX_SLOS = 12
COLOURS = {"page": ("#c0392b", "#e67e22"), "ticket": ("#2471a3", "#17a589")}


def plot(slos: list[Slo], path: Path) -> None:
    if len(slos) > MAX_SLOS:
        raise SloforgeError(f"--plot draws at most {MAX_SLOS} SLOs ({len(slos)} selected); "
                            "pick some with --slo")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise SloforgeError("--plot needs matplotlib: pip install 'sloforge[plot]'") from None
    columns = 1 if len(slos) == 1 else 2
    rows = (len(slos) + columns - 1) // columns
    figure, axes = plt.subplots(rows, columns, figsize=(8 * columns, 5.5 * rows), squeeze=False)
    for index, slo in enumerate(slos):
        _draw(axes[index // columns][index % columns], slo)
    for index in range(len(slos), rows * columns):
        axes[index // columns][index % columns].set_visible(False)
    figure.tight_layout()
    try:
        figure.savefig(path, dpi=110)
    except OSError as exc:
        raise SloforgeError(f"cannot write {path}: {exc.strerror}") from None
    finally:
        plt.close(figure)


def _draw(ax: Any, slo: Slo) -> None:
    used: dict[str, int] = {}
    for pair in slo.alerting.pairs:
        curve = detection_curve(slo, pair)
        shade = used.get(pair.tier, 0)
        used[pair.tier] = shade + 1
        label = (f"{pair.tier} {pair.long_text}/{pair.short_text} x{pair.factor:.3g} "
                 f"(threshold {pair.threshold(slo.error_budget) * 100:.3g}%)")
        if not curve:
            ax.plot([], [], " ", label=label + ": never fires")
            continue
        colour = COLOURS.get(pair.tier, ("#555555", "#999999"))[min(shade, 1)]
        ax.plot([r * 100 for r, _ in curve], [s / 60 for _, s in curve],
                color=colour, linewidth=2, linestyle="-" if shade == 0 else "--", label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("sustained error ratio (%)")
    ax.set_ylabel("time to fire (minutes, incl. for:)")
    ax.set_title(f"{slo.service}/{slo.name}: {slo.objective:g}% over {slo.period_text}, "
                 f"budget {slo.error_budget * 100:.3g}%")
    ax.axvline(slo.error_budget * 100, color="#888888", linestyle=":",
               label="error budget (burn rate 1)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="upper right")
