"""Matcher decision thresholds, shared by settings and the matcher without import cycles."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Thresholds:
    """Answer when the best score ≥ `answer` and leads the next by ≥ `margin`; offer choices
    when it is ≥ `clarify`; otherwise fall back. Calibrated on the dev set (bench/)."""

    answer: float = 0.62
    margin: float = 0.08
    clarify: float = 0.42
