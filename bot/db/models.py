"""SQLAlchemy 2 typed models: the knowledge base, interactions and feedback."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar = {datetime: DateTime(timezone=True), dict[str, Any]: JSON}


class ProcedureRow(Base):
    """A procedure; list fields with their own identity live in child tables."""

    __tablename__ = "procedures"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    code: Mapped[str | None] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(Text)
    field: Mapped[str] = mapped_column(String(200), index=True)
    agency: Mapped[str] = mapped_column(Text)
    level: Mapped[str | None] = mapped_column(String(100))
    working_days: Mapped[int | None]
    calendar_days: Mapped[int | None]
    processing_time_text: Mapped[str | None] = mapped_column(Text)
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    where: Mapped[str | None] = mapped_column(Text)
    online_url: Mapped[str | None] = mapped_column(Text)
    legal_basis: Mapped[list[str]] = mapped_column(JSON, default=list)
    conditions: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text)
    validity: Mapped[str | None] = mapped_column(Text)
    steps: Mapped[list[str]] = mapped_column(JSON, default=list)
    source_url: Mapped[str] = mapped_column(Text)
    source_note: Mapped[str | None] = mapped_column(Text)
    verified_on: Mapped[date]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    documents: Mapped[list[DocumentRow]] = relationship(
        order_by="DocumentRow.position", cascade="all, delete-orphan", lazy="selectin"
    )
    fees: Mapped[list[FeeRow]] = relationship(
        order_by="FeeRow.position", cascade="all, delete-orphan", lazy="selectin"
    )
    aliases: Mapped[list[AliasRow]] = relationship(
        order_by="AliasRow.position", cascade="all, delete-orphan", lazy="selectin"
    )


class DocumentRow(Base):
    __tablename__ = "procedure_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(
        ForeignKey("procedures.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    name: Mapped[str] = mapped_column(Text)
    copies: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(Text)
    form_url: Mapped[str | None] = mapped_column(Text)


class FeeRow(Base):
    __tablename__ = "procedure_fees"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(
        ForeignKey("procedures.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    amount_vnd: Mapped[int | None]


class AliasRow(Base):
    __tablename__ = "procedure_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(
        ForeignKey("procedures.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)


class KnowledgeMeta(Base):
    """Agency details, synonyms and the knowledge version, as JSON documents by key."""

    __tablename__ = "knowledge_meta"

    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[dict[str, Any]]


class Interaction(Base):
    """One question and what the bot did with it; the unit that feedback rates."""

    __tablename__ = "interactions"
    __table_args__ = (Index("ix_interactions_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    channel: Mapped[str] = mapped_column(String(20))
    user_key: Mapped[str] = mapped_column(String(64), index=True)
    question: Mapped[str | None] = mapped_column(Text)
    normalized: Mapped[str | None] = mapped_column(Text)
    procedure_key: Mapped[str | None] = mapped_column(String(100), index=True)
    confidence: Mapped[float | None]
    outcome: Mapped[str] = mapped_column(String(20))
    aspect: Mapped[str | None] = mapped_column(String(20))


class Feedback(Base):
    """A citizen's rating of one answer; one row per interaction, updated on a second tap."""

    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("interaction_id", name="uq_feedback_interaction"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    interaction_id: Mapped[int] = mapped_column(ForeignKey("interactions.id", ondelete="CASCADE"))
    user_key: Mapped[str] = mapped_column(String(64))
    score: Mapped[int]
    enough_info: Mapped[bool | None]
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class JobRun(Base):
    """A scheduled job claimed for one period: the replica whose insert succeeds runs it."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "period_key", name="uq_job_runs_job_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(50))
    period_key: Mapped[str] = mapped_column(String(50))
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)


class Conversation(Base):
    """Per pseudonymous user: the procedure being discussed and what the next text is for.

    Lives in the database, not in memory, so a follow-up ("còn lệ phí thì sao?") or a survey
    comment reaches the right procedure whichever replica receives it.
    """

    __tablename__ = "conversations"

    user_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    procedure_key: Mapped[str | None] = mapped_column(String(100))
    interaction_id: Mapped[int | None]  # the last answer shown (no FK: may be purged)
    context_at: Mapped[datetime | None]
    pending: Mapped[str | None] = mapped_column(String(20))  # "comment" | "handoff"
    pending_interaction_id: Mapped[int | None]
    pending_until: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Handoff(Base):
    """A question forwarded to the staff chat, and how to relay a staff reply back."""

    __tablename__ = "handoffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    interaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("interactions.id", ondelete="SET NULL"), index=True
    )
    channel: Mapped[str] = mapped_column(String(20))
    user_key: Mapped[str] = mapped_column(String(64), index=True)
    # The raw chat id, stored only here: a staff reply must be delivered to the citizen, and
    # the keyed hash cannot be reversed. Everywhere else only `user_key` is kept.
    chat_id: Mapped[str] = mapped_column(String(64))
    procedure_key: Mapped[str | None] = mapped_column(String(100))
    question: Mapped[str] = mapped_column(Text)  # masked like interactions.question
    staff_message_id: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]


class InboundEvent(Base):
    """A webhook event already handled, by platform id: retries and other replicas skip it."""

    __tablename__ = "inbound_events"
    __table_args__ = (
        UniqueConstraint("channel", "event_id", name="uq_inbound_events_channel_event"),
        Index("ix_inbound_events_received_at", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class NumberedChoices(Base):
    """The choices a citizen can answer by typing a number, on channels short of buttons.

    Replaced on every turn sent to the user, so "2" always means the latest list shown.
    """

    __tablename__ = "numbered_choices"

    user_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    choices: Mapped[list[list[str]]] = mapped_column(JSON)  # [[label, action], ...]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ZaloToken(Base):
    """The Zalo OA's access and refresh tokens. The refresh token rotates and is single-use,
    so the current pair lives here, shared by every replica (never in logs)."""

    __tablename__ = "zalo_tokens"

    app_id: Mapped[str] = mapped_column(String(50), primary_key=True)
    access_token: Mapped[str] = mapped_column(Text)
    refresh_token: Mapped[str | None] = mapped_column(Text)
    seed: Mapped[str | None] = mapped_column(String(64))  # fingerprint of the settings' tokens
    refreshed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class StaffAccount(Base):
    """A staff member of the department who may sign in to the admin (`tthc-bot staff add`)."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))  # "editor" | "viewer"
    password_hash: Mapped[str] = mapped_column(Text)  # argon2id
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LoginFailure(Base):
    """Failed sign-ins per (user name, address), kept in the database so replicas agree."""

    __tablename__ = "login_failures"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # keyed hash of name + IP
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None]


class AuditLog(Base):
    """Who changed what in the knowledge base, when and through which door."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    who: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(20))  # admin | import | chat | cli
    action: Mapped[str] = mapped_column(String(20))  # add | update | remove
    procedure_key: Mapped[str | None] = mapped_column(String(100), index=True)
    # {field: {"before": …, "after": …}}; agency/synonyms changes have no procedure key
    changes: Mapped[dict[str, Any]]


class UnansweredDismissal(Base):
    """A question text staff handled (dismissed, or added as an alias): earlier occurrences of
    it leave the unanswered list; a later one brings it back."""

    __tablename__ = "unanswered_dismissals"

    id: Mapped[int] = mapped_column(primary_key=True)
    normalized: Mapped[str] = mapped_column(Text, index=True)
    reason: Mapped[str] = mapped_column(String(20))  # "dismiss" | "alias"
    who: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(default=utcnow)
