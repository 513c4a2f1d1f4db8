"""The workbook staff attach to reports: a cover sheet, then one sheet per view.

Vietnamese headers, a frozen header row and real number formats (percent, 0.00), so the
figures paste into the department's own tables without retyping.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.reports.columns import COLUMNS, LEGEND, Format, value_of
from bot.reports.figures import Figures, Report
from bot.reports.periods import LOCAL_TZ, TIME_ZONE

NUMBER_FORMATS: dict[Format, str] = {"int": "#,##0", "pct": "0.0%", "score": "0.00"}
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
SHEETS = (
    "Tổng hợp",
    "Theo thủ tục",
    "Theo lĩnh vực",
    "Theo kênh",
    "Xu hướng",
    "Câu hỏi chưa trả lời",
)


def _sheet(
    book: Workbook,
    title: str,
    labels: dict[str, int],
    rows: Sequence[tuple[Sequence[object], Figures]],
) -> Worksheet:
    """A view: label columns (header: width), then every figure column; header frozen."""
    sheet = book.create_sheet(title)
    sheet.append([*labels, *(c.header for c in COLUMNS)])
    for label_values, figures in rows:
        sheet.append([*label_values, *(value_of(c, figures) for c in COLUMNS)])
        for offset, column in enumerate(COLUMNS, start=len(labels) + 1):
            sheet.cell(sheet.max_row, offset).number_format = NUMBER_FORMATS[column.format]
    _style(sheet, list(labels.values()))
    return sheet


def _style(sheet: Worksheet, label_widths: Sequence[int]) -> None:
    for cell in sheet[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    sheet.row_dimensions[1].height = 45
    for index in range(1, sheet.max_column + 1):
        width = label_widths[index - 1] if index <= len(label_widths) else 13
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def _cover(book: Workbook, report: Report) -> None:
    sheet = book.active
    assert sheet is not None
    sheet.title = "Bìa"
    period = report.period
    lines = [
        (report.agency, Font(bold=True, size=14)),
        ("BÁO CÁO KẾT QUẢ KHẢO SÁT MỨC ĐỘ HÀI LÒNG QUA TRỢ LÝ ẢO", Font(bold=True, size=16)),
        (f"Kỳ báo cáo: {period.label}", Font(bold=True, size=12)),
        (
            f"Từ ngày {period.start:%d/%m/%Y} đến ngày {period.end:%d/%m/%Y} "
            f"(giờ Việt Nam, {TIME_ZONE})",
            None,
        ),
        (f"Kênh: {report.channel or 'tất cả các kênh'}", None),
        (f"Ngày lập: {datetime.now(LOCAL_TZ):%d/%m/%Y %H:%M}", None),
        (report.note or "", Font(italic=True, color="C00000")),
        (LEGEND, Font(italic=True)),
    ]
    for row, (text, font) in enumerate(lines, start=1):
        cell = sheet.cell(row, 1, text)
        if font is not None:
            cell.font = font
    sheet.column_dimensions["A"].width = 110
    sheet.cell(len(lines), 1).alignment = Alignment(wrap_text=True)


def render_xlsx(report: Report) -> bytes:
    book = Workbook()
    _cover(book, report)
    summary = book.create_sheet(SHEETS[0])
    summary.append(["Chỉ tiêu", "Giá trị"])
    for column in COLUMNS:
        summary.append([column.header, value_of(column, report.overall)])
        summary.cell(summary.max_row, 2).number_format = NUMBER_FORMATS[column.format]
    _style(summary, [34, 16])

    procedures = [((p.code or "", p.name, p.field or ""), p.figures) for p in report.procedures]
    if report.unassigned.questions or report.unassigned.handoffs:
        procedures.append((("", "(Chưa xác định thủ tục)", ""), report.unassigned))
    _sheet(book, SHEETS[1], {"Mã thủ tục": 11, "Tên thủ tục": 60, "Lĩnh vực": 28}, procedures)
    _sheet(
        book,
        SHEETS[2],
        {"Lĩnh vực": 40},
        [((g.label or "Chưa xác định",), g.figures) for g in report.fields],
    )
    _sheet(book, SHEETS[3], {"Kênh": 14}, [((g.label or "",), g.figures) for g in report.channels])
    trend = _sheet(
        book,
        SHEETS[4],
        {"Kỳ": 14, "Từ ngày": 12, "Đến ngày": 12},
        [((t.label, t.span.start, t.span.end), t.figures) for t in report.trend],
    )
    for row in trend.iter_rows(min_row=2, min_col=2, max_col=3):
        for cell in row:
            cell.number_format = "dd/mm/yyyy"

    unanswered = book.create_sheet(SHEETS[5])
    unanswered.append(["Câu hỏi (ví dụ)", "Câu hỏi đã chuẩn hóa", "Số lần"])
    for u in report.unanswered:
        unanswered.append([u.example or "", u.text, u.count])
        unanswered.cell(unanswered.max_row, 3).number_format = NUMBER_FORMATS["int"]
    _style(unanswered, [60, 50, 10])

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
