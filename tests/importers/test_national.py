"""The national importer on real rows from dichvucong.gov.vn, values checked by hand.

tests/fixtures/national_sample.jsonl holds 8 real rows (long steps and document lists trimmed)
chosen for their layouts: fee amounts, "Miễn phí" with a note, calendar days, hours, fees that
differ per channel, a time cell glued to the fee ("120 VNĐ"), no time or fee at all, document
groups and form files.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from bot.importers.national import load_national, parse_ways, write_procedures
from bot.knowledge import KnowledgeError, Procedure, load_procedure_file

SAMPLE = Path(__file__).parent.parent / "fixtures" / "national_sample.jsonl"
DAY = date(2026, 1, 5)


@pytest.fixture(scope="module")
def procedures() -> dict[str, Procedure]:
    return {p.code or "": p for p in load_national(SAMPLE, DAY)}


def test_every_row_becomes_a_procedure_with_its_published_name(procedures):
    rows = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    assert sorted(procedures) == sorted(row["ma_thu_tuc"] for row in rows)
    for row in rows:
        procedure = procedures[row["ma_thu_tuc"]]
        # as published, double spaces and all; only Unicode is normalised (NFC), as everywhere
        assert procedure.name == unicodedata.normalize("NFC", row["ten_thu_tuc"])
        assert procedure.source_url == row["detail_url"]
        assert procedure.field == row["linh_vuc"]
        assert procedure.verified_on == DAY


def test_fee_amount_working_days_and_channels(procedures):
    p = procedures["1.011325"]
    assert p.processing_time.working_days == 5
    assert p.processing_time.text == "5 ngày làm việc"
    assert p.submission.channels == ["in_person", "post", "online"]
    assert len(p.fees) == 1
    assert p.fees[0].amount_vnd == 2_000_000
    assert p.fees[0].text.startswith("2.000.000 đồng (Phí kiểm tra và cấp giấy chứng nhận")
    assert p.agency == "Chủ tịch ủy ban nhân dân cấp tỉnh"
    assert p.level == "Cấp tỉnh"
    assert p.result == "Giấy phép nhập khẩu, xuất khẩu"
    assert p.conditions is None  # "Không có thông tin"


def test_calendar_days_are_not_working_days(procedures):
    p = procedures["6.003636"]
    assert p.processing_time.working_days is None
    assert p.processing_time.calendar_days == 15
    assert p.processing_time.text == "15 ngày"
    assert [(f.text, f.amount_vnd) for f in p.fees] == [("Miễn phí", 0)]
    assert p.legal_basis == ["Luật Nhà ở số 27/2023/QH15", "Nghị định 98/2024/NĐ-CP"]
    assert [d.name for d in p.documents][1:] == [
        "Hồ sơ mời quan tâm, kết quả phê duyệt hồ sơ mời quan tâm",
        "Các tài liệu liên quan khác trong quá trình tổ chức, đánh giá hồ sơ mời quan tâm",
    ]
    assert all((d.copies, d.note) == (1, "1 bản chính") for d in p.documents)


def test_free_with_a_note_naming_amounts_is_not_a_clear_amount(procedures):
    p = procedures["3.000379"]
    (fee,) = p.fees
    assert fee.text.startswith("Miễn phí (- Cung cấp dịch vụ tại cảng hàng không quốc tế")
    assert fee.amount_vnd is None
    assert p.processing_time.working_days == 12
    assert p.processing_time.text == (
        "12 ngày làm việc; Trong thời hạn 12 ngày làm việc, kể từ ngày nhận đủ hồ sơ hợp lệ."
    )
    assert p.legal_basis[0] == "Nghị định 64/2022/NĐ-CP"
    assert p.legal_basis[1].endswith("(15/2024/NĐ-CP)")


def test_implausible_amount_is_kept_as_text_only(procedures):
    (fee,) = procedures["1.002010"].fees
    assert fee.text.startswith("50 đồng (áp dụng mức phí 25.000 đồng/hồ sơ")
    assert fee.amount_vnd is None


def test_time_glued_to_fee_is_not_guessed(procedures):
    p = procedures["1.007751"]  # "Trực tuyến120 VNĐ(20.000 vnđ/tờ khai)": unit-less time
    assert p.processing_time.working_days is None
    assert p.processing_time.text is None
    assert [(f.text, f.amount_vnd) for f in p.fees] == [("20 đồng (20.000 vnđ/tờ khai)", None)]
    assert p.submission.channels == ["in_person", "online"]


def test_fees_that_differ_per_channel_are_labelled(procedures):
    p = procedures["1.007855"]
    assert p.processing_time.text == "2 giờ"
    assert [f.text.split(" (")[0] for f in p.fees] == [
        "Trực tuyến: 20 đồng",
        "Trực tiếp: Miễn phí",
    ]
    assert all(f.amount_vnd is None for f in p.fees)


def test_no_information_gives_nothing_rather_than_a_guess(procedures):
    p = procedures["1.000232"]
    assert p.processing_time == p.processing_time.__class__()
    assert p.fees == []
    assert p.submission.channels == ["in_person", "post", "online"]
    assert p.submission.where.startswith("Cơ quan, tổ chức tại Việt Nam trực tiếp nộp")
    (doc,) = p.documents
    assert (doc.name, doc.copies) == ("Văn bản đề nghị hủy tài khoản điện tử (NA20).", 1)
    assert doc.note == "1 bản chính; Mẫu: Mau NA20-BCA.docx"


def test_post_only_with_time_description(procedures):
    p = procedures["1.000178"]
    assert p.submission.channels == ["in_person", "post"]
    assert p.processing_time.working_days == 60
    assert p.processing_time.text.startswith("60 ngày làm việc; Thời hạn giải quyết khiếu nại")
    assert p.fees == []
    assert [s.split(":")[0] for s in p.steps] == ["Bước 1", "Bước 2"]


def test_document_groups_form_files_and_copies(procedures):
    docs = procedures["1.011325"].documents
    heading = "(1) Thành phần hồ sơ cấp Giấy phép nhập khẩu, xuất khẩu thuốc thú y"
    assert all(d.note and heading in d.note for d in docs)
    first, copy, form = docs[:3]
    assert first.copies is None  # "0 bản chính": a remark, not a document to bring
    assert (copy.copies, copy.note.split(";")[0]) == (1, "1 bản sao")
    assert copy.name == (
        "Bản sao hợp đồng, đơn hàng liên quan kèm theo bản chính đối chiếu (khi có yêu cầu)"
    )
    assert form.name.endswith(
        "theo Mẫu số 01 tại Phụ lục ban hành kèm theo Nghị định số 105/2021/NĐ-CP"
    )
    assert "Mẫu: Mẫu số 01.docx" in form.note


def test_counts_inside_a_name_stay_in_the_name(procedures):
    docs = procedures["1.007751"].documents
    assert docs[0].name == "Tờ khai hải quan: 02 bản chính"
    assert docs[0].copies is None
    assert docs[0].note.startswith("Người nước ngoài đưa tài sản di chuyển vào Việt Nam")


def test_parse_ways_reads_each_channel_row():
    ways = parse_ways(
        "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tiếp24 GiờMiễn phíTrực tuyến: nộp "
        "trên cổng.Dịch vụ bưu chính3 Ngày làm việc1,500,000 Việt Nam Đồng"
    )
    assert [(w.channel, w.time, w.fee, w.amount_vnd) for w in ways] == [
        ("Trực tiếp", "24 giờ", "Miễn phí", 0),
        ("Dịch vụ bưu chính", "3 ngày làm việc", "1.500.000 đồng", 1_500_000),
    ]
    assert ways[0].description == "Trực tuyến: nộp trên cổng."


def test_written_files_load_back_as_knowledge(procedures, tmp_path):
    written, kept = write_procedures(procedures.values(), tmp_path)
    assert (len(written), kept) == (8, [])
    for path in written:
        loaded, problems = load_procedure_file(path)
        assert problems == []
        assert loaded == procedures[path.stem]
    again, kept = write_procedures(procedures.values(), tmp_path)
    assert (again, len(kept)) == ([], 8)


def test_bad_rows_are_reported_by_line_and_nothing_is_returned(tmp_path):
    good = SAMPLE.read_text(encoding="utf-8").splitlines()[0]
    broken = json.loads(good) | {"ten_thu_tuc": ""}
    source = tmp_path / "rows.jsonl.gz"
    lines = [good, "{not json", "[1, 2]", json.dumps(broken, ensure_ascii=False)]
    source.write_bytes(gzip.compress("\n".join(lines).encode()))
    with pytest.raises(KnowledgeError) as caught:
        load_national(source, DAY)
    assert [(p.line, p.field) for p in caught.value.problems] == [(2, ""), (3, ""), (4, "name")]


def test_cli_writes_selected_codes(tmp_path):
    out = tmp_path / "out"
    args = ["kb", "from-national", str(SAMPLE), str(out), "--verified-on", "2026-01-05"]
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args, "--codes", "6.003636,1.000178"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["1.000178.yaml", "6.003636.yaml"]
    procedure, problems = load_procedure_file(out / "6.003636.yaml")
    assert problems == [] and procedure.verified_on == DAY
    missing = subprocess.run(
        [sys.executable, "-m", "bot", *args, "--codes", "1.999999"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert missing.returncode == 1
    assert "1.999999 not found" in missing.stderr
    bad_date = subprocess.run(
        [sys.executable, "-m", "bot", *args[:-1], "05/01/2026"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad_date.returncode == 2 and "YYYY-MM-DD" in bad_date.stderr
