"""Keyword-only async queries and writes; the caller owns the session and the transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    AliasRow,
    Conversation,
    DocumentRow,
    Feedback,
    FeeRow,
    Handoff,
    InboundEvent,
    Interaction,
    JobRun,
    KnowledgeMeta,
    NumberedChoices,
    ProcedureRow,
    ZaloToken,
    utcnow,
)
from bot.knowledge import (
    Agency,
    Document,
    Fee,
    KnowledgeBase,
    Procedure,
    ProcessingTime,
    Submission,
)

# ---------------------------------------------------------------- knowledge

DEFAULT_AGENCY_NAME = "Sở Khoa học và Công nghệ"


def row_to_procedure(row: ProcedureRow) -> Procedure:
    return Procedure(
        code=row.code,
        name=row.name,
        field=row.field,
        agency=row.agency,
        level=row.level,
        processing_time=ProcessingTime(
            working_days=row.working_days, text=row.processing_time_text
        ),
        documents=[
            Document(name=d.name, copies=d.copies, note=d.note, form_url=d.form_url)
            for d in row.documents
        ],
        fees=[Fee(text=f.text, amount_vnd=f.amount_vnd) for f in row.fees],
        submission=Submission(channels=row.channels, where=row.where, online_url=row.online_url),
        legal_basis=row.legal_basis,
        conditions=row.conditions,
        result=row.result,
        steps=row.steps,
        aliases=[a.text for a in row.aliases],
        source_url=row.source_url,
        source_note=row.source_note,
        verified_on=row.verified_on,
    )


def fill_row(row: ProcedureRow, procedure: Procedure) -> None:
    """Copy every field of `procedure` onto `row` (children replaced)."""
    row.key = procedure.key
    row.code = procedure.code
    row.name = procedure.name
    row.field = procedure.field
    row.agency = procedure.agency
    row.level = procedure.level
    row.working_days = procedure.processing_time.working_days
    row.processing_time_text = procedure.processing_time.text
    row.channels = list(procedure.submission.channels)
    row.where = procedure.submission.where
    row.online_url = procedure.submission.online_url
    row.legal_basis = list(procedure.legal_basis)
    row.conditions = procedure.conditions
    row.result = procedure.result
    row.steps = list(procedure.steps)
    row.source_url = procedure.source_url
    row.source_note = procedure.source_note
    row.verified_on = procedure.verified_on
    row.documents = [
        DocumentRow(position=i, name=d.name, copies=d.copies, note=d.note, form_url=d.form_url)
        for i, d in enumerate(procedure.documents)
    ]
    row.fees = [
        FeeRow(position=i, text=f.text, amount_vnd=f.amount_vnd)
        for i, f in enumerate(procedure.fees)
    ]
    row.aliases = [AliasRow(position=i, text=a) for i, a in enumerate(procedure.aliases)]


async def list_procedures(session: AsyncSession) -> list[Procedure]:
    rows = await session.scalars(select(ProcedureRow).order_by(ProcedureRow.key))
    return [row_to_procedure(row) for row in rows]


async def get_meta(session: AsyncSession, *, key: str) -> dict | None:
    row = await session.get(KnowledgeMeta, key)
    return row.value if row else None


async def set_meta(session: AsyncSession, *, key: str, value: dict) -> None:
    row = await session.get(KnowledgeMeta, key)
    if row is None:
        session.add(KnowledgeMeta(key=key, value=value))
    else:
        row.value = value


async def load_knowledge_base(session: AsyncSession) -> KnowledgeBase | None:
    """The knowledge base stored in the database, or None before the first import."""
    if await knowledge_version(session) == 0:
        return None
    agency = await get_meta(session, key="agency") or {"name": DEFAULT_AGENCY_NAME}
    synonyms = await get_meta(session, key="synonyms") or {}
    return KnowledgeBase(
        procedures=tuple(await list_procedures(session)),
        agency=Agency.model_validate(agency),
        synonyms=dict(synonyms),
    )


async def knowledge_version(session: AsyncSession) -> int:
    """Bumped on every knowledge change, so running bots know to rebuild their index."""
    value = await get_meta(session, key="version")
    return int(value["version"]) if value else 0


@dataclass
class KnowledgeChanges:
    """What an import added, updated (with the changed fields) and removed."""

    added: list[str] = field(default_factory=list)
    updated: dict[str, list[str]] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    meta: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.meta)


def changed_fields(before: Procedure, after: Procedure) -> list[str]:
    old, new = before.model_dump(), after.model_dump()
    return [name for name in new if old.get(name) != new[name]]


async def sync_procedures(
    session: AsyncSession, *, procedures: list[Procedure], dry_run: bool = False
) -> KnowledgeChanges:
    """Make the stored procedures equal `procedures`: add, update and remove by key."""
    changes = KnowledgeChanges()
    rows = {row.key: row for row in await session.scalars(select(ProcedureRow))}
    wanted = {p.key: p for p in procedures}
    for key, procedure in sorted(wanted.items()):
        row = rows.get(key)
        if row is None:
            changes.added.append(key)
            if not dry_run:
                new_row = ProcedureRow()
                fill_row(new_row, procedure)
                session.add(new_row)
        elif fields := changed_fields(row_to_procedure(row), procedure):
            changes.updated[key] = fields
            if not dry_run:
                fill_row(row, procedure)
    for key in sorted(rows.keys() - wanted.keys()):
        changes.removed.append(key)
        if not dry_run:
            await session.delete(rows[key])
    return changes


async def sync_knowledge(
    session: AsyncSession, *, kb: KnowledgeBase, dry_run: bool = False
) -> KnowledgeChanges:
    """Make the database equal the knowledge base; bump the version when anything changed."""
    changes = await sync_procedures(session, procedures=list(kb.procedures), dry_run=dry_run)
    for key, value in (("agency", kb.agency.model_dump(mode="json")), ("synonyms", kb.synonyms)):
        if await get_meta(session, key=key) != value:
            changes.meta.append(key)
            if not dry_run:
                await set_meta(session, key=key, value=value)
    if changes and not dry_run:
        await bump_version(session)
    return changes


async def bump_version(session: AsyncSession) -> int:
    version = await knowledge_version(session) + 1
    await set_meta(session, key="version", value={"version": version})
    return version


# ---------------------------------------------------------------- conversation


async def record_interaction(
    session: AsyncSession,
    *,
    channel: str,
    user_key: str,
    question: str,
    normalized: str,
    outcome: str,
    procedure_key: str | None = None,
    confidence: float | None = None,
    aspect: str | None = None,
) -> Interaction:
    interaction = Interaction(
        channel=channel,
        user_key=user_key,
        question=question,
        normalized=normalized,
        outcome=outcome,
        procedure_key=procedure_key,
        confidence=confidence,
        aspect=aspect,
    )
    session.add(interaction)
    await session.flush()
    return interaction


async def save_feedback(
    session: AsyncSession,
    *,
    interaction_id: int,
    user_key: str,
    score: int | None = None,
    enough_info: bool | None = None,
    comment: str | None = None,
) -> Feedback | None:
    """Create or update the one feedback row of an interaction; None if it does not exist."""
    if await session.get(Interaction, interaction_id) is None:
        return None
    feedback = await session.scalar(
        select(Feedback).where(Feedback.interaction_id == interaction_id)
    )
    if feedback is None:
        if score is None:
            return None
        feedback = Feedback(interaction_id=interaction_id, user_key=user_key, score=score)
        session.add(feedback)
    elif score is not None:
        feedback.score = score
    if enough_info is not None:
        feedback.enough_info = enough_info
    if comment is not None:
        feedback.comment = comment
    await session.flush()
    return feedback


# ---------------------------------------------------------------- reports and privacy


async def claim_job_run(session: AsyncSession, *, job: str, period_key: str) -> bool:
    """Claim `job` for `period_key`; True for exactly one caller across all replicas.

    The unique (job, period_key) constraint decides: the insert that lands wins, the others
    do nothing (ON CONFLICT DO NOTHING), so no replica sees an error.
    """
    postgresql = session.get_bind().dialect.name == "postgresql"
    insert = postgresql_insert if postgresql else sqlite_insert
    statement = (
        insert(JobRun)
        .values(job=job, period_key=period_key, claimed_at=utcnow())
        .on_conflict_do_nothing(index_elements=["job", "period_key"])
        .returning(JobRun.id)
    )
    return (await session.scalar(statement)) is not None


@dataclass(frozen=True)
class PurgeResult:
    questions: int
    comments: int
    handoffs: int


async def purge_texts(session: AsyncSession, *, before: datetime) -> PurgeResult:
    """Forget question texts and survey comments of interactions older than `before`,
    and the forwarded text and raw chat id of handoffs older than that (a staff reply can no
    longer be relayed to them).

    Only free text and chat ids go; outcomes, procedures, channels, times and scores stay, so
    every count the reports use is unchanged.
    """
    old = select(Interaction.id).where(Interaction.created_at < before)
    questions = await session.execute(
        update(Interaction)
        .where(
            Interaction.created_at < before,
            (Interaction.question.is_not(None)) | (Interaction.normalized.is_not(None)),
        )
        .values(question=None, normalized=None)
    )
    comments = await session.execute(
        update(Feedback)
        .where(Feedback.interaction_id.in_(old), Feedback.comment.is_not(None))
        .values(comment=None)
    )
    handoffs = await session.execute(
        update(Handoff)
        .where(Handoff.created_at < before, (Handoff.question != "") | (Handoff.chat_id != ""))
        .values(question="", chat_id="")  # both NOT NULL
    )
    return PurgeResult(questions.rowcount, comments.rowcount, handoffs.rowcount)


# ---------------------------------------------------------------- conversation state


async def get_conversation(session: AsyncSession, *, user_key: str) -> Conversation | None:
    return await session.get(Conversation, user_key, populate_existing=True)


async def update_conversation(session: AsyncSession, *, user_key: str, **values: object) -> None:
    """Insert or update a user's conversation row in one statement (safe across replicas)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    values["updated_at"] = utcnow()
    statement = insert(Conversation).values(user_key=user_key, **values)
    await session.execute(
        statement.on_conflict_do_update(index_elements=[Conversation.user_key], set_=values)
    )


async def create_handoff(
    session: AsyncSession,
    *,
    interaction_id: int | None,
    channel: str,
    user_key: str,
    chat_id: str,
    procedure_key: str | None,
    question: str,
) -> Handoff:
    handoff = Handoff(
        interaction_id=interaction_id,
        channel=channel,
        user_key=user_key,
        chat_id=chat_id,
        procedure_key=procedure_key,
        question=question,
    )
    session.add(handoff)
    await session.flush()
    return handoff


async def link_handoff(session: AsyncSession, *, handoff_id: int, staff_message_id: str) -> None:
    """Remember which staff-chat message carries the handoff, for the staff reply."""
    await session.execute(
        update(Handoff).where(Handoff.id == handoff_id).values(staff_message_id=staff_message_id)
    )


async def find_handoff(session: AsyncSession, *, staff_message_id: str) -> Handoff | None:
    return await session.scalar(
        select(Handoff)
        .where(Handoff.staff_message_id == staff_message_id)
        .order_by(Handoff.id.desc())
        .limit(1)
    )


# ---------------------------------------------------------------- channels


def _insert(session: AsyncSession):  # type: ignore[no-untyped-def]
    postgresql = session.get_bind().dialect.name == "postgresql"
    return postgresql_insert if postgresql else sqlite_insert


async def claim_inbound_event(session: AsyncSession, *, channel: str, event_id: str) -> bool:
    """Record a webhook event by its platform id; True for exactly one caller across replicas.

    Platforms retry deliveries (Zalo until it gets a 200 in time, Telegram likewise): the
    unique (channel, event_id) constraint lets only the first insert land.
    """
    statement = (
        _insert(session)(InboundEvent)
        .values(channel=channel, event_id=event_id, received_at=utcnow())
        .on_conflict_do_nothing(index_elements=["channel", "event_id"])
        .returning(InboundEvent.id)
    )
    return (await session.scalar(statement)) is not None


async def set_numbered_choices(
    session: AsyncSession, *, channel: str, user_key: str, choices: list[tuple[str, str]]
) -> None:
    """Replace the user's numbered choices ([(label, action)]); an empty list forgets them."""
    if not choices:
        await session.execute(delete(NumberedChoices).where(NumberedChoices.user_key == user_key))
        return
    values = {"channel": channel, "choices": [list(c) for c in choices], "updated_at": utcnow()}
    statement = _insert(session)(NumberedChoices).values(user_key=user_key, **values)
    await session.execute(
        statement.on_conflict_do_update(index_elements=[NumberedChoices.user_key], set_=values)
    )


async def numbered_choice(
    session: AsyncSession, *, user_key: str, number: int
) -> tuple[str, str] | None:
    """(label, action) of choice `number` (1-based) last shown to the user, if any."""
    row = await session.get(NumberedChoices, user_key, populate_existing=True)
    if row is None or not 1 <= number <= len(row.choices):
        return None
    label, action = row.choices[number - 1]
    return label, action


async def get_zalo_token(
    session: AsyncSession, *, app_id: str, lock: bool = False
) -> ZaloToken | None:
    """The stored token pair; with `lock`, held until the transaction ends, so one replica at
    a time refreshes (SELECT … FOR UPDATE on PostgreSQL; on SQLite a no-op write takes the
    database's write lock first, which waiting replicas queue behind)."""
    if lock and session.get_bind().dialect.name == "sqlite":
        await session.execute(
            update(ZaloToken).where(ZaloToken.app_id == app_id).values(app_id=ZaloToken.app_id)
        )
    statement = select(ZaloToken).where(ZaloToken.app_id == app_id)
    if lock:
        statement = statement.with_for_update()
    return await session.scalar(statement.execution_options(populate_existing=True))


async def save_zalo_token(
    session: AsyncSession,
    *,
    app_id: str,
    access_token: str,
    refresh_token: str | None,
    seed: str | None = None,
    refreshed: bool = False,
) -> None:
    values: dict[str, object] = {
        "access_token": access_token,
        "refresh_token": refresh_token,
        "updated_at": utcnow(),
    }
    if seed is not None:
        values["seed"] = seed
    if refreshed:
        values["refreshed_at"] = utcnow()
    statement = _insert(session)(ZaloToken).values(app_id=app_id, **values)
    await session.execute(
        statement.on_conflict_do_update(index_elements=[ZaloToken.app_id], set_=values)
    )
