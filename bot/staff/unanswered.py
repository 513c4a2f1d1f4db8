"""Questions the bot could not answer (fallback) or that citizens rated 1–2, grouped by
similarity so staff see "xin cấp căn cước" once with its count, not ten spellings of it.

Grouping is greedy over the normalised texts (busiest first) with rapidfuzz's token-sort ratio
on their diacritic-folded form.
A group that staff dismissed, or turned into an alias, leaves the list: each of its texts gets
an `unanswered_dismissals` row, which hides that text's occurrences up to that moment (a
citizen asking it again later brings it back).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from rapidfuzz import fuzz, process
from sqlalchemy import exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.text import fold, has_diacritics
from bot.db.models import Feedback, Interaction, UnansweredDismissal, utcnow

SIMILARITY = 80  # token-sort ratio (0–100) for two texts to share a group
WINDOW = timedelta(days=90)
REASONS = ("dismiss", "alias")


@dataclass(frozen=True)
class Group:
    texts: tuple[str, ...]  # the normalised texts in the group, busiest first
    example: str  # the question as most often asked
    count: int
    last_at: datetime


@dataclass
class _Text:
    normalized: str
    count: int
    questions: Counter[str]
    last_at: datetime


async def groups(
    session: AsyncSession,
    *,
    since: datetime | None = None,
    limit: int = 30,
    similarity: int = SIMILARITY,
) -> list[Group]:
    """Unhandled unanswered questions since `since` (default 90 days), largest groups first."""
    since = since or utcnow() - WINDOW
    handled = exists().where(
        UnansweredDismissal.normalized == Interaction.normalized,
        UnansweredDismissal.at >= Interaction.created_at,
    )
    stmt = (
        select(Interaction.normalized, Interaction.question, Interaction.created_at)
        .outerjoin(Feedback, Feedback.interaction_id == Interaction.id)
        .where(
            Interaction.created_at >= since,
            Interaction.normalized.is_not(None),
            Interaction.normalized != "",
            or_(Interaction.outcome == "fallback", Feedback.score <= 2),
            ~handled,
        )
    )
    texts: dict[str, _Text] = {}
    for normalized, question, at in await session.execute(stmt):
        item = texts.setdefault(normalized, _Text(normalized, 0, Counter(), at))
        item.count += 1
        item.questions[question or normalized] += 1
        item.last_at = max(item.last_at, at)
    return cluster(list(texts.values()), similarity)[:limit]


def cluster(texts: list[_Text], similarity: int = SIMILARITY) -> list[Group]:
    """Greedy grouping: each text joins the most similar earlier (busier) group, or starts one."""
    texts = sorted(texts, key=lambda t: (-t.count, t.normalized))
    leaders: list[str] = []
    members: list[list[_Text]] = []
    for text in texts:
        folded = fold(text.normalized)  # "cấp thẻ" and "cap the" are the same question
        found = process.extractOne(
            folded, leaders, scorer=fuzz.token_sort_ratio, score_cutoff=similarity
        )
        if found is None:
            leaders.append(folded)
            members.append([text])
        else:
            members[found[2]].append(text)
    result = []
    for group in members:
        questions: Counter[str] = sum((t.questions for t in group), Counter())
        result.append(
            Group(
                texts=tuple(t.normalized for t in group),
                # the most asked wording; on a tie, one with diacritics, then the shortest
                example=max(
                    questions.items(), key=lambda q: (q[1], has_diacritics(q[0]), -len(q[0]))
                )[0],
                count=sum(t.count for t in group),
                last_at=max(t.last_at for t in group),
            )
        )
    return sorted(result, key=lambda g: (-g.count, g.example))


async def dismiss(
    session: AsyncSession, *, texts: list[str], who: str, reason: str = "dismiss"
) -> None:
    """Take these texts' occurrences so far off the list."""
    assert reason in REASONS
    now = utcnow()
    for text in dict.fromkeys(t for t in texts if t):
        session.add(UnansweredDismissal(normalized=text, reason=reason, who=who, at=now))
