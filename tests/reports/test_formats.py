"""Every output format read back the way its consumer reads it: JSON and CSV parsed, the
workbook reopened with openpyxl, the chart decoded as an image.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

import pytest
from matplotlib.image import imread
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.reports import build_report, render, resolve
from bot.reports.figures import Report
from bot.reports.render_xlsx import SHEETS
from tests.reports.conftest import GONE, P1

Sessions = async_sessionmaker[AsyncSession]
NINE_MONTHS = resolve("nine-months", today=date(2026, 9, 28))
EMPTY = resolve("month", today=date(2025, 6, 15))


async def report_for(sessionmaker: Sessions, period=NINE_MONTHS) -> Report:  # type: ignore[no-untyped-def]
    async with sessionmaker() as session:
        return await build_report(session, period)


async def test_json_shape_and_values(report_db: Sessions) -> None:
    data = json.loads(render(await report_for(report_db), "json"))
    assert data["period"] == {
        "from": "2026-01-01",
        "to": "2026-09-30",
        "kind": "nine-months",
        "label": "9 tháng đầu năm 2026",
        "time_zone": "Asia/Ho_Chi_Minh",
    }
    overall = data["overall"]
    assert (overall["questions"], overall["responses"], overall["handoffs"]) == (11, 6, 4)
    assert overall["satisfaction_index"] == 0.6667 and overall["mean_score"] == 3.8333
    assert overall["levels"] == {"5": 2, "4": 2, "3": 1, "2": 1, "1": 0}
    assert overall["answered_share"] == 0.5455 and overall["enough_info_share"] == 0.75
    first = data["procedures"][0]
    assert (first["key"], first["code"], first["questions"], first["mean_score"]) == (
        P1,
        "2.002131",
        3,
        3.6667,
    )
    assert [p["code"] for p in data["procedures"]] == ["2.002131", "1.000000", None, None]
    assert data["unassigned"]["questions"] == 4
    assert [t["label"] for t in data["trend"]][:2] == ["01/2026", "02/2026"]
    assert data["unanswered"][0] == {
        "text": "xin cap the can cuoc",
        "example": "Xin cấp thẻ căn cước",
        "count": 2,
    }
    assert data["note"] is None and data["version"] == 1


async def test_csv_is_one_row_per_procedure(report_db: Sessions) -> None:
    text = render(await report_for(report_db), "csv").decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["key"] for r in rows] == [
        P1,
        "1.000000",
        GONE,
        "cap-giay-phep-tien-hanh-cong-viec-dc5cc2",
    ]
    p1 = rows[0]
    assert p1["name"] == "Khai báo thiết bị X-quang chẩn đoán trong y tế"
    assert (p1["questions"], p1["level_5"], p1["level_2"], p1["satisfaction_index"]) == (
        "3",
        "1",
        "1",
        "0.6667",
    )
    assert rows[2]["code"] == "" and rows[2]["name"] == GONE


async def test_table_is_aligned_with_vietnamese_headers(report_db: Sessions) -> None:
    text = render(await report_for(report_db), "table").decode("utf-8")
    assert "BÁO CÁO MỨC ĐỘ HÀI LÒNG — 9 tháng đầu năm 2026 (01/01/2026 – 30/09/2026" in text
    assert re.search(r"\nChỉ số hài lòng +66,7%\n", text)
    assert re.search(r"\nĐiểm trung bình \(1–5\) +3,83\n", text)
    section = text.split("THEO THỦ TỤC\n")[1].split("\n\n")[0].splitlines()
    header, rule, *rows = section
    assert header.split()[:3] == ["Mã", "Thủ", "tục"] and set(rule) <= {"-", " "}
    assert rows[0].startswith("2.002131  Khai báo thiết bị X-quang")
    assert len({len(line) for line in [rule, *rows[:-1]]}) == 1  # every row as wide as the rule
    assert "(chưa xác định thủ tục)" in rows[-1]
    assert "xin cấp thẻ căn cước" in text.lower()


async def test_xlsx_sheets_headers_frozen_panes_and_formats(report_db: Sessions) -> None:
    book = load_workbook(io.BytesIO(render(await report_for(report_db), "xlsx")))
    assert book.sheetnames == ["Bìa", *SHEETS]
    cover = [c.value for c in book["Bìa"]["A"] if c.value]
    assert cover[0] == "Sở Khoa học và Công nghệ (dữ liệu thử)"
    assert "Kỳ báo cáo: 9 tháng đầu năm 2026" in cover
    for name in SHEETS:
        assert book[name].freeze_panes == "A2", name

    procedures = book["Theo thủ tục"]
    headers = [c.value for c in procedures[1]]
    assert headers[:4] == ["Mã thủ tục", "Tên thủ tục", "Lĩnh vực", "Số câu hỏi"]
    index = headers.index("Chỉ số hài lòng") + 1
    mean = headers.index("Điểm trung bình (1–5)") + 1
    assert procedures.cell(2, 1).value == "2.002131"
    assert procedures.cell(2, index).value == pytest.approx(2 / 3)
    assert procedures.cell(2, index).number_format == "0.0%"
    assert procedures.cell(2, mean).value == pytest.approx(11 / 3)
    assert procedures.cell(2, mean).number_format == "0.00"
    assert procedures.max_row == 6  # 4 procedures, unassigned questions, header

    summary = {row[0].value: row[1] for row in book["Tổng hợp"].iter_rows(min_row=2)}
    assert summary["Số câu hỏi"].value == 11 and summary["Chuyển cán bộ"].value == 4
    assert summary["Chỉ số hài lòng"].number_format == "0.0%"
    assert [c.value for c in book["Theo kênh"]["A"]][1:] == ["telegram", "zalo", "console"]
    trend = book["Xu hướng"]
    assert trend.max_row == 10 and trend.cell(2, 2).number_format == "dd/mm/yyyy"
    unanswered = book["Câu hỏi chưa trả lời"]
    assert [c.value for c in unanswered[2]] == ["Xin cấp thẻ căn cước", "xin cap the can cuoc", 2]


async def test_png_decodes_with_its_size(report_db: Sessions) -> None:
    data = render(await report_for(report_db), "png")
    image = imread(io.BytesIO(data), format="png")
    height, width = image.shape[:2]
    assert width == 11 * 110  # figsize 11 in at 110 dpi
    assert height > 700
    assert image.std() > 0.05  # something was drawn, not a blank canvas


async def test_empty_period_in_every_format(empty_db: Sessions) -> None:
    report = await report_for(empty_db, EMPTY)
    note = "Không có câu hỏi nào trong kỳ Tháng 6/2025"
    data = json.loads(render(report, "json"))
    assert data["note"].startswith(note)
    assert data["overall"]["questions"] == 0 and data["overall"]["satisfaction_index"] == 0
    table = render(report, "table").decode("utf-8")
    assert note in table
    # No response: the table and the workbook show no ratio ("–", an empty cell), not 0%;
    # JSON keeps its contract (0).
    assert re.search(r"\nChỉ số hài lòng +–\n", table) and "0,0%" not in table
    assert len(list(csv.reader(io.StringIO(render(report, "csv").decode())))) == 1  # header
    book = load_workbook(io.BytesIO(render(report, "xlsx")))
    assert any(note in str(c.value) for c in book["Bìa"]["A"])
    summary = {row[0].value: row[1].value for row in book["Tổng hợp"].iter_rows(min_row=2)}
    assert summary["Số câu hỏi"] == 0 and summary["Chỉ số hài lòng"] is None
    assert imread(io.BytesIO(render(report, "png")), format="png").shape[1] == 1210
