"""Text renderings of a report: the stable JSON for tools, the per-procedure CSV, and the
aligned terminal tables staff read or paste (Vietnamese headers).
"""

from __future__ import annotations

import csv
import io
import json
import textwrap
from collections.abc import Sequence
from typing import Any

from bot.reports.columns import (
    COLUMNS,
    LEGEND,
    Column,
    figures_dict,
    flat_figures,
    show,
    value_of,
)
from bot.reports.figures import Figures, Report
from bot.reports.periods import TIME_ZONE

JSON_VERSION = 1
NO_FIELD = "Chưa xác định"
CSV_HEAD = ("key", "code", "name", "field")


def to_dict(report: Report) -> dict[str, Any]:
    """The documented JSON shape (README, "Reports")."""
    period = report.period
    return {
        "version": JSON_VERSION,
        "agency": report.agency,
        "period": {
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "kind": period.kind,
            "label": period.label,
            "time_zone": TIME_ZONE,
        },
        "channel": report.channel,
        "note": report.note,
        "overall": figures_dict(report.overall),
        "procedures": [
            {"key": p.key, "code": p.code, "name": p.name, "field": p.field}
            | figures_dict(p.figures)
            for p in report.procedures
        ],
        "unassigned": figures_dict(report.unassigned),
        "fields": [{"field": g.label} | figures_dict(g.figures) for g in report.fields],
        "channels": [{"channel": g.label} | figures_dict(g.figures) for g in report.channels],
        "trend": [
            {"label": t.label, "from": t.span.start.isoformat(), "to": t.span.end.isoformat()}
            | figures_dict(t.figures)
            for t in report.trend
        ],
        "unanswered": [
            {"text": u.text, "example": u.example, "count": u.count} for u in report.unanswered
        ],
    }


def render_json(report: Report) -> str:
    return json.dumps(to_dict(report), ensure_ascii=False, indent=2) + "\n"


def render_csv(report: Report) -> str:
    """One row per procedure asked about in the period; columns as in the JSON figures."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*CSV_HEAD, *flat_figures(Figures())])
    for p in report.procedures:
        writer.writerow(
            [p.key, p.code or "", p.name, p.field or "", *flat_figures(p.figures).values()]
        )
    return out.getvalue()


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], right_from: int = 1) -> str:
    """Aligned plain-text table; columns from `right_from` on are right-aligned numbers."""
    widths = [max(len(str(cell)) for cell in col) for col in zip(headers, *rows, strict=False)]

    def line(cells: Sequence[str]) -> str:
        parts = [
            str(c).rjust(w) if i >= right_from else str(c).ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def _cells(figures: Figures, columns: Sequence[Column] = COLUMNS) -> list[str]:
    return [show(value_of(c, figures), c.format) for c in columns]


def _short(name: str, width: int = 48) -> str:
    return textwrap.shorten(name, width, placeholder="…")


def render_table(report: Report) -> str:
    period = report.period
    title = [
        f"{report.agency}",
        f"BÁO CÁO MỨC ĐỘ HÀI LÒNG — {period.label} "
        f"({period.start:%d/%m/%Y} – {period.end:%d/%m/%Y}, giờ Việt Nam)",
    ]
    if report.channel:
        title.append(f"Kênh: {report.channel}")
    if report.note:
        title.append(report.note)
    o = report.overall
    summary = table(
        ["Chỉ tiêu", "Giá trị"],
        [[c.header, show(value_of(c, o), c.format)] for c in COLUMNS],
    )
    shorts = [c.short for c in COLUMNS]
    procedures = [[p.code or "-", _short(p.name), *_cells(p.figures)] for p in report.procedures]
    if report.unassigned.questions:
        procedures.append(["-", "(chưa xác định thủ tục)", *_cells(report.unassigned)])
    sections = [
        "\n".join(title),
        "TỔNG HỢP\n" + summary,
        "THEO THỦ TỤC\n" + table(["Mã", "Thủ tục", *shorts], procedures, right_from=2),
        "THEO LĨNH VỰC\n"
        + table(
            ["Lĩnh vực", *shorts],
            [[g.label or NO_FIELD, *_cells(g.figures)] for g in report.fields],
        ),
        "THEO KÊNH\n"
        + table(["Kênh", *shorts], [[g.label or "-", *_cells(g.figures)] for g in report.channels]),
        "XU HƯỚNG\n"
        + table(["Kỳ", *shorts], [[t.label, *_cells(t.figures)] for t in report.trend]),
        "CÂU HỎI CHƯA TRẢ LỜI ĐƯỢC HOẶC BỊ ĐÁNH GIÁ THẤP\n"
        + (
            table(
                ["Câu hỏi", "Số lần"],
                [[_short(u.example or u.text, 70), str(u.count)] for u in report.unanswered],
            )
            if report.unanswered
            else "(không có)"
        ),
        LEGEND,
    ]
    return "\n\n".join(sections) + "\n"
