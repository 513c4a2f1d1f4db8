"""Satisfaction and administrative-reform reports: figures from the database, rendered for
staff (terminal table, workbook, chart) and for tools (JSON, CSV).
"""

from __future__ import annotations

from collections.abc import Callable

from bot.reports.figures import Figures, Report, build_report
from bot.reports.periods import Period, PeriodError, resolve

FORMATS = ("table", "json", "csv", "xlsx", "png")
CHANNELS = ("telegram", "zalo", "console")


def render(report: Report, fmt: str) -> bytes:
    """The report in `fmt`, as bytes (text formats in UTF-8)."""
    if fmt == "xlsx":
        from bot.reports.render_xlsx import render_xlsx

        return render_xlsx(report)
    if fmt == "png":
        from bot.reports.render_png import render_png

        return render_png(report)
    from bot.reports import render_text

    text_renderers: dict[str, Callable[[Report], str]] = {
        "table": render_text.render_table,
        "json": render_text.render_json,
        "csv": render_text.render_csv,
    }
    if fmt not in text_renderers:
        raise ValueError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    return text_renderers[fmt](report).encode("utf-8")


__all__ = [
    "CHANNELS",
    "FORMATS",
    "Figures",
    "Period",
    "PeriodError",
    "Report",
    "build_report",
    "render",
    "resolve",
]
