"""The audit trail: who changed which procedure, when, through which door, before → after.

Every knowledge change writes one `audit_log` row per procedure (or per agency/synonyms
document) in the same transaction as the change, so a change without its record cannot exist.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AuditLog
from bot.knowledge import Procedure
from bot.reports.periods import LOCAL_TZ

SOURCES = ("admin", "import", "chat", "cli")
JSON_VERSION = 1


def field_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict]:
    """{field: {"before": …, "after": …}} for every top-level field that differs."""
    names = list(after) + [n for n in before if n not in after]
    return {
        name: {"before": before.get(name), "after": after.get(name)}
        for name in names
        if before.get(name) != after.get(name)
    }


def procedure_changes(before: Procedure | None, after: Procedure | None) -> dict[str, dict]:
    old = before.model_dump(mode="json") if before else {}
    new = after.model_dump(mode="json") if after else {}
    if before is None or after is None:  # added or removed: only the facts it has
        return field_changes({}, {k: v for k, v in (new or old).items() if v not in (None, [])})
    return field_changes(old, new)


def record(
    session: AsyncSession,
    *,
    who: str,
    source: str,
    procedure_key: str | None,
    changes: dict[str, dict],
    action: str | None = None,
) -> AuditLog:
    """Add one audit row to the session (committed with the change itself)."""
    assert source in SOURCES, source
    entry = AuditLog(
        who=who,
        source=source,
        action=action or "update",
        procedure_key=procedure_key,
        changes=changes,
    )
    session.add(entry)
    return entry


def record_procedure(
    session: AsyncSession,
    *,
    who: str,
    source: str,
    before: Procedure | None,
    after: Procedure | None,
) -> AuditLog | None:
    """Audit a procedure added (before None), removed (after None) or updated."""
    changes = procedure_changes(before, after)
    if not changes:
        return None
    action = "add" if before is None else "remove" if after is None else "update"
    key = (after or before).key  # type: ignore[union-attr]
    return record(
        session, who=who, source=source, procedure_key=key, changes=changes, action=action
    )


async def edited_by_staff(session: AsyncSession) -> frozenset[str]:
    """Procedures whose latest change came from staff (/admin, the staff chat), not from an
    import: `kb import` must not silently undo it."""
    rows = await session.execute(
        select(AuditLog.procedure_key, AuditLog.source)
        .where(AuditLog.procedure_key.is_not(None))
        .order_by(AuditLog.id)
    )
    latest = {key: source for key, source in rows}
    return frozenset(key for key, source in latest.items() if source != "import")


async def entries(session: AsyncSession, *, since: datetime | None = None) -> list[AuditLog]:
    stmt = select(AuditLog).order_by(AuditLog.at, AuditLog.id)
    if since is not None:
        stmt = stmt.where(AuditLog.at >= since)
    return list(await session.scalars(stmt))


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def as_dict(entry: AuditLog) -> dict[str, Any]:
    """The stable JSON form of one entry (documented in the README)."""
    return {
        "id": entry.id,
        "at": _utc(entry.at).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "who": entry.who,
        "source": entry.source,
        "action": entry.action,
        "procedure_key": entry.procedure_key,
        "changes": entry.changes,
    }


def render_json(rows: list[AuditLog]) -> str:
    data = {"version": JSON_VERSION, "entries": [as_dict(r) for r in rows]}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def short(value: Any, width: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return text if len(text) <= width else text[: width - 1] + "…"


def render_text(rows: list[AuditLog]) -> str:
    """One line per entry (local time), then one indented line per changed field."""
    if not rows:
        return "no changes recorded"
    lines = []
    for row in rows:
        when = _utc(row.at).astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
        target = row.procedure_key or ", ".join(row.changes)
        lines.append(f"{when}  {row.source:6}  {row.who:15}  {row.action:6}  {target}")
        for name, change in row.changes.items():
            lines.append(
                f"    {name}: {short(change.get('before'))} → {short(change.get('after'))}"
            )
    return "\n".join(lines)


def record_import(
    session: AsyncSession,
    *,
    who: str,
    changes: Any,  # repo.KnowledgeChanges
    before: Mapping[str, Procedure],
    after: Mapping[str, Procedure],
    old_meta: Mapping[str, Any],
    new_meta: Mapping[str, Any],
) -> None:
    """Audit what `kb import` changed: one row per procedure, one per agency/synonyms."""
    for key in changes.added:
        record_procedure(session, who=who, source="import", before=None, after=after[key])
    for key in changes.updated:
        record_procedure(session, who=who, source="import", before=before[key], after=after[key])
    for key in changes.removed:
        record_procedure(session, who=who, source="import", before=before[key], after=None)
    for name in changes.meta:
        change = {name: {"before": old_meta.get(name), "after": new_meta.get(name)}}
        record(session, who=who, source="import", procedure_key=None, changes=change)
