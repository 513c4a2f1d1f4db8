"""The chart staff paste into reports: satisfaction index per procedure, and the trend.

Drawn with matplotlib's Agg canvas (no display, no pyplot global state) in DejaVu Sans, which
ships with matplotlib and has every Vietnamese glyph.
"""

from __future__ import annotations

import io
import math
import textwrap

from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from bot.reports.figures import Report

FONT = {"font.family": "DejaVu Sans", "font.size": 10}
BAR_COLOR, LINE_COLOR, COUNT_COLOR = "#1f4e78", "#c00000", "#9dc3e6"
MAX_BARS = 25
DPI = 110


def short_name(code: str | None, name: str, width: int = 45) -> str:
    label = textwrap.shorten(name, width, placeholder="…")
    return f"{code} · {label}" if code else label


def render_png(report: Report) -> bytes:
    rated = [p for p in report.procedures if p.figures.responses][:MAX_BARS]
    height = 2.5 + 0.38 * max(len(rated), 2) + 3.2
    with rc_context(FONT):
        figure = Figure(figsize=(11, height), dpi=DPI, layout="constrained")
        FigureCanvasAgg(figure)
        top, bottom = figure.subplots(2, 1, height_ratios=[0.38 * max(len(rated), 2) + 0.8, 3.2])
        figure.suptitle(
            f"{report.agency}\nMức độ hài lòng qua trợ lý ảo — {report.period.label}"
            + (f" — kênh {report.channel}" if report.channel else ""),
            fontweight="bold",
        )
        _bars(top, report, rated)
        _trend(bottom, report)
        out = io.BytesIO()
        figure.savefig(out, format="png")
    return out.getvalue()


def _bars(axes, report: Report, rated) -> None:  # type: ignore[no-untyped-def]
    axes.set_title("Chỉ số hài lòng theo thủ tục (tỷ lệ phiếu Hài lòng + Rất hài lòng)")
    axes.set_xlim(0, 1.25)
    axes.set_xticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    axes.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    if not rated:
        axes.set_yticks([])
        axes.text(
            0.5, 0.5, report.note or "Chưa có phiếu khảo sát nào trong kỳ.",
            ha="center", va="center", wrap=True, transform=axes.transAxes,
        )  # fmt: skip
        return
    rated = list(reversed(rated))  # busiest on top
    values = [p.figures.satisfaction_index for p in rated]
    positions = range(len(rated))
    axes.barh(positions, values, color=BAR_COLOR)
    axes.set_yticks(list(positions), [short_name(p.code, p.name) for p in rated])
    for y, p in zip(positions, rated, strict=True):
        index = f"{p.figures.satisfaction_index * 100:.1f}".replace(".", ",")
        axes.text(
            p.figures.satisfaction_index + 0.01, y,
            f"{index}% ({p.figures.responses} phiếu)", va="center", fontsize=8,
        )  # fmt: skip
    axes.grid(axis="x", alpha=0.3)


def _trend(axes, report: Report) -> None:  # type: ignore[no-untyped-def]
    axes.set_title("Xu hướng: số câu hỏi và chỉ số hài lòng theo kỳ")
    labels = [t.label for t in report.trend]
    positions = list(range(len(labels)))
    counts = [t.figures.questions for t in report.trend]
    axes.bar(positions, counts, color=COUNT_COLOR)
    axes.set_ylim(0, max([1, *counts]) * 1.1)
    axes.set_ylabel("Số câu hỏi")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    rotate = len(labels) > 8
    axes.set_xticks(
        positions, labels, rotation=45 if rotate else 0, ha="right" if rotate else "center"
    )
    index_axes = axes.twinx()
    index_axes.set_ylim(0, 1.05)
    index_axes.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    index_axes.set_ylabel("Chỉ số hài lòng", color=LINE_COLOR)
    values = [
        t.figures.satisfaction_index if t.figures.responses else math.nan for t in report.trend
    ]
    index_axes.plot(positions, values, color=LINE_COLOR, marker="o", linewidth=2)
    if report.empty:
        axes.text(
            0.5, 0.5, "Không có dữ liệu trong kỳ", ha="center", va="center",
            transform=axes.transAxes,
        )  # fmt: skip
