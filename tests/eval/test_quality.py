"""Matcher quality floors on the dev set (tests/eval/questions.yaml).

The floors are the issue's targets, raised to what the matcher measures where it does better
(top-1: 95% wanted, 97.8% measured), so a regression fails here.
`python bench/match_quality.py --failures` shows the misses.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.matcher import Matcher
from bot.evaluation import Report, evaluate, load_questions
from bot.knowledge import load_knowledge

from ..conftest import REAL_KNOWLEDGE

QUESTIONS = Path(__file__).parent / "questions.yaml"


@pytest.fixture(scope="module")
def report() -> Report:
    kb = load_knowledge(REAL_KNOWLEDGE)
    return evaluate(Matcher(kb.procedures, kb.synonyms), load_questions(QUESTIONS))


def test_the_set_covers_every_procedure_and_enough_out_of_scope() -> None:
    questions = load_questions(QUESTIONS)
    keys = {p.key for p in load_knowledge(REAL_KNOWLEDGE).procedures}
    assert len(questions) >= 300
    assert sum(q.kind == "out_of_scope" for q in questions) >= 40
    assert {q.expect for q in questions if q.expect} == keys
    assert all(set(q.keys) <= keys for q in questions)


def test_ranking_floors(report: Report) -> None:
    assert report.top1() >= 0.97
    assert report.top3() >= 0.99


def test_decision_floors(report: Report) -> None:
    assert report.confident_wrong() <= 0.02
    assert report.out_of_scope_rejected() >= 0.95
    assert report.smalltalk_recognised() >= 0.9


def test_diacritics_barely_matter(report: Report) -> None:
    assert abs(report.pair_gap()) <= 0.02  # the same questions typed both ways
    assert report.aspect_accuracy() >= 0.95
