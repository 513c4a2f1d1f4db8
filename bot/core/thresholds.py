"""Matcher decision thresholds, shared by settings and the matcher without import cycles."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Thresholds:
    """Probabilities (calibrated on the dev set by bench/tune_matcher.py): answer when the best
    match is right with probability ≥ `answer`; offer choices when the question is about our
    procedures with probability ≥ `clarify`; otherwise fall back."""

    answer: float = 0.75  # the tuner's minimum is 0.30 today; 0.75 keeps a margin (bench/README)
    clarify: float = 0.68  # the lowest at which the dev set's out-of-scope are ≥ 95% rejected
