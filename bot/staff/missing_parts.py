"""Parts of a procedure citizens asked for that the knowledge base does not have yet.

"giấy phép bưu chính lệ phí bao nhiêu" is answered with the card, but its fee says "chưa cập
nhật": not an unanswered question, yet a gap staff should fill. Answered questions are
counted by the part asked (`Interaction.aspect`) and checked against the procedure as it is
now, so a gap leaves the list as soon as staff fill it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Interaction, utcnow
from bot.knowledge import Procedure

WINDOW = timedelta(days=90)

# The part asked → (its name for staff, whether the procedure has it). Conditions are left
# out: the card says "none beyond the source's" when there are none.
PARTS: dict[str, tuple[str, Callable[[Procedure], bool]]] = {
    "documents": ("Thành phần hồ sơ", lambda p: bool(p.documents)),
    "time": (
        "Thời hạn giải quyết",
        lambda p: p.processing_time.counted is not None or bool(p.processing_time.text),
    ),
    "fee": ("Phí, lệ phí", lambda p: bool(p.fees)),
    "where": ("Nơi nộp", lambda p: bool(p.submission.where)),
    "online": ("Cách nộp", lambda p: bool(p.submission.channels)),
    "legal": ("Căn cứ pháp lý", lambda p: bool(p.legal_basis)),
    "result": ("Kết quả", lambda p: bool(p.result)),
    "steps": ("Các bước", lambda p: bool(p.steps)),
    "validity": ("Thời hạn hiệu lực của kết quả", lambda p: bool(p.validity)),
}


@dataclass(frozen=True)
class MissingPart:
    procedure: Procedure
    part: str  # its name for staff
    count: int  # questions that asked for it
    last_at: datetime


async def missing_parts(
    session: AsyncSession, procedures: Iterable[Procedure], since: datetime | None = None
) -> list[MissingPart]:
    """Parts asked in answered questions since `since` (default 90 days) that the procedure
    still lacks, most asked first."""
    stmt = (
        select(
            Interaction.procedure_key,
            Interaction.aspect,
            func.count(),
            func.max(Interaction.created_at),
        )
        .where(
            Interaction.outcome == "answer",
            Interaction.aspect.is_not(None),
            Interaction.created_at >= (since or utcnow() - WINDOW),
        )
        .group_by(Interaction.procedure_key, Interaction.aspect)
    )
    by_key = {p.key: p for p in procedures}
    found = []
    for key, aspect, count, last_at in await session.execute(stmt):
        procedure = by_key.get(key)
        if procedure is None or aspect not in PARTS:
            continue
        part, has_it = PARTS[aspect]
        if not has_it(procedure):
            found.append(MissingPart(procedure, part, count, last_at))
    return sorted(found, key=lambda m: (-m.count, m.procedure.name, m.part))
