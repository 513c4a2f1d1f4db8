"""Knowledge in the database: procedures as rows, sync from files, the version."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    AliasRow,
    DocumentRow,
    FeeRow,
    KnowledgeMeta,
    ProcedureRow,
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

DEFAULT_AGENCY_NAME = "Sở Khoa học và Công nghệ"


def row_to_procedure(row: ProcedureRow) -> Procedure:
    return Procedure(
        code=row.code,
        name=row.name,
        field=row.field,
        agency=row.agency,
        level=row.level,
        processing_time=ProcessingTime(
            working_days=row.working_days,
            calendar_days=row.calendar_days,
            text=row.processing_time_text,
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
        validity=row.validity,
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
    row.calendar_days = procedure.processing_time.calendar_days
    row.processing_time_text = procedure.processing_time.text
    row.channels = list(procedure.submission.channels)
    row.where = procedure.submission.where
    row.online_url = procedure.submission.online_url
    row.legal_basis = list(procedure.legal_basis)
    row.conditions = procedure.conditions
    row.result = procedure.result
    row.validity = procedure.validity
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
    kept: list[str] = field(default_factory=list)  # staff edits the files would have undone

    def __bool__(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.meta)


def changed_fields(before: Procedure, after: Procedure) -> list[str]:
    old, new = before.model_dump(), after.model_dump()
    return [name for name in new if old.get(name) != new[name]]


async def sync_procedures(
    session: AsyncSession,
    *,
    procedures: list[Procedure],
    dry_run: bool = False,
    keep: frozenset[str] = frozenset(),
) -> KnowledgeChanges:
    """Make the stored procedures equal `procedures`: add, update and remove by key — except
    those in `keep` (edited by staff since the last import), which are listed as kept."""
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
            if key in keep:
                changes.kept.append(key)
                continue
            changes.updated[key] = fields
            if not dry_run:
                fill_row(row, procedure)
    for key in sorted(rows.keys() - wanted.keys()):
        if key in keep:
            changes.kept.append(key)
            continue
        changes.removed.append(key)
        if not dry_run:
            await session.delete(rows[key])
    return changes


async def sync_knowledge(
    session: AsyncSession,
    *,
    kb: KnowledgeBase,
    dry_run: bool = False,
    keep: frozenset[str] = frozenset(),
) -> KnowledgeChanges:
    """Make the database equal the knowledge base; bump the version when anything changed."""
    changes = await sync_procedures(
        session, procedures=list(kb.procedures), dry_run=dry_run, keep=keep
    )
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
