"""Keyword-only async queries and writes; the caller owns the session and the transaction.

One module per concern; everything is re-exported here, so callers write `repo.<name>`. The
exception is the hot path, `turns.Turns`: it batches concurrent questions' reads and writes
on connections of its own, in plain SQL on the driver (group commit).
"""

from bot.db.repo.channels import (
    claim_inbound_event,
    get_zalo_token,
    numbered_choice,
    save_zalo_token,
    set_numbered_choices,
)
from bot.db.repo.conversation import (
    create_handoff,
    find_handoff,
    get_conversation,
    link_handoff,
    record_interaction,
    save_feedback,
    update_conversation,
)
from bot.db.repo.knowledge import (
    DEFAULT_AGENCY_NAME,
    KnowledgeChanges,
    bump_version,
    changed_fields,
    fill_row,
    get_meta,
    knowledge_version,
    list_procedures,
    load_knowledge_base,
    row_to_procedure,
    set_meta,
    sync_knowledge,
    sync_procedures,
)
from bot.db.repo.operations import (
    PurgeResult,
    claim_job_run,
    purge_texts,
)

__all__ = [
    "DEFAULT_AGENCY_NAME",
    "KnowledgeChanges",
    "PurgeResult",
    "bump_version",
    "changed_fields",
    "claim_inbound_event",
    "claim_job_run",
    "create_handoff",
    "fill_row",
    "find_handoff",
    "get_conversation",
    "get_meta",
    "get_zalo_token",
    "knowledge_version",
    "link_handoff",
    "list_procedures",
    "load_knowledge_base",
    "numbered_choice",
    "purge_texts",
    "record_interaction",
    "row_to_procedure",
    "save_feedback",
    "save_zalo_token",
    "set_meta",
    "set_numbered_choices",
    "sync_knowledge",
    "sync_procedures",
    "update_conversation",
]
