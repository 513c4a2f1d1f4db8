"""The staff commands in chat (`/thongke`, `/chuatraloi`): texts any channel can send.

Channels only decide who is staff (Telegram: `ADMIN_IDS`) and deliver the text; the figures
come from the reports' SQL aggregates and the unanswered list from `unanswered.groups`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.reports.columns import show
from bot.reports.figures import Counter, Figures
from bot.reports.periods import Span, local_today
from bot.staff import unanswered

COMMANDS = ("thongke", "chuatraloi")
TOP_UNANSWERED = 10


def _line(title: str, f: Figures) -> list[str]:
    rated = (
        f"chỉ số hài lòng {show(f.satisfaction_index, 'pct')}, "
        f"điểm trung bình {show(f.mean_score, 'score')}/5 ({f.responses} phiếu)"
        if f.responses
        else "chưa có đánh giá"
    )
    return [
        f"{title}: {f.questions} câu hỏi — trả lời được {f.answered}, "
        f"cần làm rõ {f.clarified}, chưa trả lời được {f.fallback}",
        f"   {rated}; chuyển cán bộ {f.handoffs}",
    ]


async def stats_text(sessionmaker: async_sessionmaker[AsyncSession], now: datetime) -> str:
    """Today's and this week's (Monday to today, local time) counts and satisfaction."""
    today = local_today(now)
    monday = today - timedelta(days=today.weekday())
    async with sessionmaker() as session:
        counter = Counter(session, None)
        day = await counter.total(Span(today, today))
        week = await counter.total(Span(monday, today))
    return "\n".join(
        [
            "📊 Thống kê",
            *_line(f"Hôm nay ({today:%d/%m})", day),
            *_line(f"Tuần này ({monday:%d/%m} – {today:%d/%m})", week),
        ]
    )


async def unanswered_text(
    sessionmaker: async_sessionmaker[AsyncSession], limit: int = TOP_UNANSWERED
) -> str:
    async with sessionmaker() as session:
        found = await unanswered.groups(session, limit=limit)
    if not found:
        return "✅ Không có câu hỏi nào chưa trả lời được trong 90 ngày qua."
    lines = ["❓ Câu hỏi chưa trả lời được / bị đánh giá thấp (90 ngày qua):"]
    lines += [f"{i}. {g.example} — {g.count} lần" for i, g in enumerate(found, start=1)]
    lines.append("Thêm làm cách hỏi của một thủ tục tại trang quản trị (/admin).")
    return "\n".join(lines)


async def answer(name: str, sessionmaker: async_sessionmaker[AsyncSession], now: datetime) -> str:
    if name == "thongke":
        return await stats_text(sessionmaker, now)
    if name == "chuatraloi":
        return await unanswered_text(sessionmaker)
    raise ValueError(f"not a staff command: {name}")
