"""/tim on the department's real procedures: every match, the most general first."""

from __future__ import annotations

from bot.core.browse import search_reply
from bot.core.matcher import Matcher
from bot.knowledge import load_knowledge

from ..conftest import REAL_KNOWLEDGE

KB = load_knowledge(REAL_KNOWLEDGE)
MATCHER = Matcher(KB.procedures, KB.synonyms)


def test_keyword_search_lists_the_general_procedure_first() -> None:
    labels = [b.label for b in search_reply(MATCHER, "buu chinh").buttons]
    postal = [p.name for p in KB.procedures if "bưu chính" in p.name.lower()]
    assert sorted(labels) == sorted(postal)  # every procedure naming it, nothing else
    assert labels[0] == "Cấp giấy phép bưu chính (cấp tỉnh)"
    assert [len(label.split()) for label in labels] == sorted(len(n.split()) for n in labels)


def test_keyword_search_falls_back_to_the_matcher() -> None:
    labels = [b.label for b in search_reply(MATCHER, "giay fep x quang").buttons]
    assert labels and all("X-quang" in label for label in labels[:3])
