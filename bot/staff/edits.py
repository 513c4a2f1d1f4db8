"""Edits of the knowledge base by staff: validated by `bot.knowledge.Procedure`, saved with
their audit record, and the knowledge version bumped — all in one transaction — so either the
whole valid change lands (and every replica reloads it) or nothing does.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import repo
from bot.db.models import ProcedureRow
from bot.knowledge import Procedure
from bot.staff import audit

# Vietnamese names of the fields, as staff see them in the admin and in error messages.
FIELD_LABELS: dict[str, str] = {
    "code": "Mã thủ tục",
    "name": "Tên thủ tục",
    "field": "Lĩnh vực",
    "agency": "Cơ quan thực hiện",
    "level": "Cấp thực hiện",
    "processing_time": "Thời hạn",
    "processing_time.working_days": "Thời hạn (số ngày làm việc)",
    "processing_time.calendar_days": "Thời hạn (số ngày, tính cả ngày nghỉ)",
    "processing_time.text": "Thời hạn (mô tả)",
    "documents": "Thành phần hồ sơ",
    "fees": "Phí, lệ phí",
    "submission": "Cách nộp",
    "submission.channels": "Cách nộp",
    "submission.where": "Nơi nộp",
    "submission.online_url": "Địa chỉ nộp trực tuyến",
    "legal_basis": "Căn cứ pháp lý",
    "conditions": "Điều kiện",
    "result": "Kết quả",
    "validity": "Thời hạn hiệu lực của kết quả",
    "steps": "Các bước",
    "aliases": "Cách hỏi khác",
    "source_url": "Nguồn (đường dẫn)",
    "source_note": "Ghi chú nguồn",
    "verified_on": "Ngày kiểm tra",
}
MESSAGES = {
    "missing": "không được để trống",
    "string_too_short": "không được để trống",
    "too_short": "không được để trống",
    "greater_than_equal": "không được là số âm",
    "less_than_equal": "quá lớn",
    "int_parsing": "phải là số nguyên",
    "int_type": "phải là số nguyên",
    "int_from_float": "phải là số nguyên",
    "date_from_datetime_parsing": "ngày không hợp lệ (dạng YYYY-MM-DD)",
    "date_parsing": "ngày không hợp lệ (dạng YYYY-MM-DD)",
    "date_type": "ngày không hợp lệ (dạng YYYY-MM-DD)",
    "string_pattern_mismatch": "phải có dạng 1.234567 (mã trên Cổng dịch vụ công quốc gia)",
    "literal_error": "giá trị không hợp lệ",
}


class EditRefused(ValueError):
    """The edit would make the procedure invalid; `problems` maps field path → message."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__(
            "; ".join(f"{label(path)} ({path}): {msg}" for path, msg in problems.items())
        )


def label(path: str) -> str:
    """Vietnamese name of a field path like `fees.1.amount_vnd` (dòng 2)."""
    parts = path.split(".")
    numbers = [p for p in parts if p.isdigit()]
    base = ".".join(p for p in parts if not p.isdigit())
    name = FIELD_LABELS.get(base) or FIELD_LABELS.get(parts[0], path)
    return name + (f", dòng {int(numbers[0]) + 1}" if numbers else "")


def validate(data: dict[str, Any]) -> Procedure:
    """The procedure `data` describes, or EditRefused naming every bad field."""
    try:
        return Procedure.model_validate(data)
    except ValidationError as exc:
        problems: dict[str, str] = {}
        for err in exc.errors():
            path = ".".join(str(p) for p in err["loc"])
            problems.setdefault(path, MESSAGES.get(err["type"], err["msg"]))
        raise EditRefused(problems) from None


async def save_procedure(
    session: AsyncSession, *, row_id: int | None, procedure: Procedure, who: str, source: str
) -> ProcedureRow:
    """Create (row_id None) or replace a procedure, audited; the version is bumped if changed."""
    clash = select(ProcedureRow.id).where(ProcedureRow.key == procedure.key)
    if row_id is not None:
        clash = clash.where(ProcedureRow.id != row_id)
    if await session.scalar(clash) is not None:
        field = "code" if procedure.code else "name"
        raise EditRefused({field: f"trùng với thủ tục đã có ({procedure.key})"})
    if row_id is None:
        row, before = ProcedureRow(), None
        session.add(row)
    else:
        found = await session.get(ProcedureRow, row_id)
        if found is None:
            raise EditRefused({"": "thủ tục không còn tồn tại"})
        row, before = found, repo.row_to_procedure(found)
    if audit.record_procedure(session, who=who, source=source, before=before, after=procedure):
        repo.fill_row(row, procedure)
        await repo.bump_version(session)
    await session.flush()
    return row


async def add_alias(
    session: AsyncSession, *, key: str, alias: str, who: str, source: str
) -> Procedure:
    """Add `alias` as a way of asking for procedure `key` (no-op if it is there already)."""
    row = await session.scalar(select(ProcedureRow).where(ProcedureRow.key == key))
    if row is None:
        raise EditRefused({"procedure": f"không có thủ tục {key}"})
    before = repo.row_to_procedure(row)
    alias = " ".join(alias.split())
    if not alias:
        raise EditRefused({"aliases": MESSAGES["missing"]})
    if alias.casefold() in (a.casefold() for a in before.aliases):
        return before
    after = validate({**before.model_dump(), "aliases": [*before.aliases, alias]})
    await save_procedure(session, row_id=row.id, procedure=after, who=who, source=source)
    return after
