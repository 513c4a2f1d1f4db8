"""The report's figures, counted by SQL aggregates on interactions, feedback and handoffs.

Every figure is a count or a sum the database computes (portable SQL on SQLite and PostgreSQL);
shares and means are derived from those counts in Python, so an empty period gives zeros rather
than a division error. Only counts are used, never question texts (apart from the list of
unanswered questions), so purging old texts for privacy leaves last year's figures intact.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import ColumnElement, Select, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import repo
from bot.db.models import Feedback, Handoff, Interaction, ProcedureRow
from bot.reports.periods import Period, Span

QUESTION_OUTCOMES = ("answer", "clarify", "fallback")  # smalltalk is not a question
LEVELS = (5, 4, 3, 2, 1)
UNANSWERED_LIMIT = 10
# A handoff's procedure: its own, else that of the question it forwarded.
HANDOFF_PROCEDURE = func.coalesce(Handoff.procedure_key, Interaction.procedure_key)


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


@dataclass(frozen=True)
class Figures:
    """Counts for one group of questions; the ratio properties are 0 when nothing to divide."""

    questions: int = 0
    answered: int = 0
    clarified: int = 0
    fallback: int = 0
    carded: int = 0  # questions that got a procedure card, so could be rated
    responses: int = 0
    score_counts: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)  # scores 1..5
    score_sum: int = 0
    enough_yes: int = 0
    enough_answered: int = 0
    handoffs: int = 0

    def level(self, score: int) -> int:
        return self.score_counts[score - 1]

    @property
    def answered_share(self) -> float:
        return _ratio(self.answered, self.questions)

    @property
    def clarified_share(self) -> float:
        return _ratio(self.clarified, self.questions)

    @property
    def fallback_share(self) -> float:
        return _ratio(self.fallback, self.questions)

    @property
    def response_rate(self) -> float:
        return _ratio(self.responses, self.carded)

    @property
    def satisfied(self) -> int:
        return self.level(4) + self.level(5)

    @property
    def satisfaction_index(self) -> float:
        return _ratio(self.satisfied, self.responses)

    @property
    def mean_score(self) -> float:
        return _ratio(self.score_sum, self.responses)

    @property
    def enough_info_share(self) -> float:
        return _ratio(self.enough_yes, self.enough_answered)


@dataclass(frozen=True)
class ProcedureFigures:
    key: str
    code: str | None
    name: str
    field: str | None
    figures: Figures


@dataclass(frozen=True)
class GroupFigures:
    label: str | None
    figures: Figures


@dataclass(frozen=True)
class TrendPoint:
    label: str
    span: Span
    figures: Figures


@dataclass(frozen=True)
class Unanswered:
    text: str
    example: str | None
    count: int


@dataclass(frozen=True)
class Report:
    period: Period
    channel: str | None
    agency: str
    overall: Figures
    procedures: list[ProcedureFigures]
    unassigned: Figures
    fields: list[GroupFigures]
    channels: list[GroupFigures]
    trend: list[TrendPoint]
    unanswered: list[Unanswered]

    @property
    def empty(self) -> bool:
        return self.overall.questions == 0 and self.overall.handoffs == 0

    @property
    def note(self) -> str | None:
        """The explanatory line shown instead of figures when the period has no data."""
        if not self.empty:
            return None
        where = f" qua kênh {self.channel}" if self.channel else ""
        return (
            f"Không có câu hỏi nào{where} trong kỳ {self.period.label} "
            f"({self.period.start:%d/%m/%Y} – {self.period.end:%d/%m/%Y}); các chỉ số bằng 0."
        )


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


MEASURES: tuple[ColumnElement, ...] = (
    func.count(Interaction.id),
    _count_if(Interaction.outcome == "answer"),
    _count_if(Interaction.outcome == "clarify"),
    _count_if(Interaction.outcome == "fallback"),
    _count_if(Interaction.procedure_key.is_not(None)),
    func.count(Feedback.id),
    *(_count_if(Feedback.score == score) for score in range(1, 6)),
    func.coalesce(func.sum(Feedback.score), 0),
    _count_if(Feedback.enough_info.is_(True)),
    func.count(Feedback.enough_info),
)


def _figures(values: tuple) -> Figures:
    v = [int(x) for x in values]
    return Figures(*v[:6], tuple(v[6:11]), *v[11:14])  # type: ignore[arg-type]


def _questions(span: Span, channel: str | None, *keys: ColumnElement) -> Select:
    stmt = (
        select(*keys, *MEASURES)
        .select_from(Interaction)
        .outerjoin(Feedback, Feedback.interaction_id == Interaction.id)
        .outerjoin(ProcedureRow, ProcedureRow.key == Interaction.procedure_key)
        .where(
            Interaction.created_at >= span.utc_start,
            Interaction.created_at < span.utc_end,
            Interaction.outcome.in_(QUESTION_OUTCOMES),
        )
    )
    if channel:
        stmt = stmt.where(Interaction.channel == channel)
    return stmt.group_by(*keys) if keys else stmt


def _handoffs(span: Span, channel: str | None, *keys: ColumnElement) -> Select:
    stmt = (
        select(*keys, func.count(Handoff.id))
        .select_from(Handoff)
        .outerjoin(Interaction, Interaction.id == Handoff.interaction_id)
        .outerjoin(ProcedureRow, ProcedureRow.key == HANDOFF_PROCEDURE)
        .where(Handoff.created_at >= span.utc_start, Handoff.created_at < span.utc_end)
    )
    if channel:
        stmt = stmt.where(Handoff.channel == channel)
    return stmt.group_by(*keys) if keys else stmt


class Counter:
    """Runs the aggregate queries of one report on one session."""

    def __init__(self, session: AsyncSession, channel: str | None) -> None:
        self.session, self.channel = session, channel

    async def total(self, span: Span) -> Figures:
        row = (await self.session.execute(_questions(span, self.channel))).one()
        count = await self.session.scalar(_handoffs(span, self.channel))
        return replace(_figures(tuple(row)), handoffs=int(count or 0))

    async def grouped(
        self, span: Span, question_key: ColumnElement, handoff_key: ColumnElement
    ) -> dict[str | None, Figures]:
        """Figures per value of a key (procedure, field or channel), busiest first."""
        rows = await self.session.execute(_questions(span, self.channel, question_key))
        result = {row[0]: _figures(tuple(row[1:])) for row in rows}
        for key, count in await self.session.execute(_handoffs(span, self.channel, handoff_key)):
            result[key] = replace(result.get(key, Figures()), handoffs=int(count))
        order = sorted(result, key=lambda k: (k is None, -result[k].questions, str(k)))
        return {key: result[key] for key in order}

    async def unanswered(self, span: Span) -> list[Unanswered]:
        """Questions the bot could not answer or that were rated 1–2, grouped by their text."""
        count = func.count(Interaction.id)
        stmt = (
            select(Interaction.normalized, func.min(Interaction.question), count)
            .outerjoin(Feedback, Feedback.interaction_id == Interaction.id)
            .where(
                Interaction.created_at >= span.utc_start,
                Interaction.created_at < span.utc_end,
                Interaction.normalized.is_not(None),
                or_(Interaction.outcome == "fallback", Feedback.score <= 2),
            )
            .group_by(Interaction.normalized)
            .order_by(count.desc(), Interaction.normalized)
            .limit(UNANSWERED_LIMIT)
        )
        if self.channel:
            stmt = stmt.where(Interaction.channel == self.channel)
        return [Unanswered(t, e, int(n)) for t, e, n in await self.session.execute(stmt)]


async def build_report(session: AsyncSession, period: Period, channel: str | None = None) -> Report:
    """Every figure of the report for `period`, optionally for one channel."""
    counter = Counter(session, channel)
    by_procedure = await counter.grouped(period, Interaction.procedure_key, HANDOFF_PROCEDURE)
    unassigned = by_procedure.pop(None, Figures())
    details = select(
        ProcedureRow.key, ProcedureRow.code, ProcedureRow.name, ProcedureRow.field
    ).where(ProcedureRow.key.in_(list(by_procedure)))
    known = {key: (code, name, field) for key, code, name, field in await session.execute(details)}
    procedures = [
        # a procedure deleted since appears by its key
        ProcedureFigures(key, *known.get(key, (None, key, None)), figures)
        for key, figures in by_procedure.items()
        if key is not None
    ]
    fields = await counter.grouped(period, ProcedureRow.field, ProcedureRow.field)
    channels = await counter.grouped(period, Interaction.channel, Handoff.channel)
    agency = await repo.get_meta(session, key="agency") or {}
    return Report(
        period=period,
        channel=channel,
        agency=str(agency.get("name") or repo.DEFAULT_AGENCY_NAME),
        overall=await counter.total(period),
        procedures=procedures,
        unassigned=unassigned,
        fields=[GroupFigures(k, f) for k, f in fields.items()],
        channels=[GroupFigures(k, f) for k, f in channels.items()],
        trend=[
            TrendPoint(b.label, Span(b.start, b.end), await counter.total(b))
            for b in period.buckets()
        ],
        unanswered=await counter.unanswered(period),
    )
