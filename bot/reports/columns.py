"""The figure columns every view shares: machine name, Vietnamese headers, value and format.

One list keeps the terminal table, CSV, JSON and workbook in the same order with the same
meanings; Vietnamese number formatting (decimal comma) lives here too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from bot.reports.figures import Figures

Format = Literal["int", "pct", "score"]
LEVEL_NAMES = {
    5: "Rất hài lòng",
    4: "Hài lòng",
    3: "Bình thường",
    2: "Không hài lòng",
    1: "Rất không hài lòng",
}


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # Vietnamese, for the workbook
    short: str  # Vietnamese, for the terminal table
    value: Callable[[Figures], float]
    format: Format
    base: Callable[[Figures], float] | None = None  # a ratio's denominator


def value_of(column: Column, figures: Figures) -> float | None:
    """The column's value, or None for a ratio with nothing to divide (shown "–": 0% of no
    survey responses would read as "nobody satisfied")."""
    if column.base is not None and not column.base(figures):
        return None
    return column.value(figures)


def _level(score: int) -> Column:
    return Column(
        f"level_{score}", f"{score} – {LEVEL_NAMES[score]}", str(score),
        lambda f: f.level(score), "int",
    )  # fmt: skip


COLUMNS: tuple[Column, ...] = (
    Column("questions", "Số câu hỏi", "Câu hỏi", lambda f: f.questions, "int"),
    Column(
        "answered_share", "Tỷ lệ trả lời được", "Trả lời",
        lambda f: f.answered_share, "pct", lambda f: f.questions,
    ),
    Column(
        "clarified_share", "Tỷ lệ cần làm rõ", "Làm rõ",
        lambda f: f.clarified_share, "pct", lambda f: f.questions,
    ),
    Column(
        "fallback_share", "Tỷ lệ chưa trả lời được", "Chưa TL",
        lambda f: f.fallback_share, "pct", lambda f: f.questions,
    ),
    Column("responses", "Số phiếu khảo sát", "Phiếu", lambda f: f.responses, "int"),
    Column(
        "response_rate", "Tỷ lệ phản hồi", "TL phản hồi",
        lambda f: f.response_rate, "pct", lambda f: f.carded,
    ),
    *(_level(score) for score in (5, 4, 3, 2, 1)),
    Column(
        "satisfaction_index", "Chỉ số hài lòng", "Hài lòng",
        lambda f: f.satisfaction_index, "pct", lambda f: f.responses,
    ),
    Column(
        "mean_score", "Điểm trung bình (1–5)", "Điểm TB",
        lambda f: f.mean_score, "score", lambda f: f.responses,
    ),
    Column(
        "enough_info_share", "Tỷ lệ đủ thông tin", "Đủ TT",
        lambda f: f.enough_info_share, "pct", lambda f: f.enough_answered,
    ),
    Column("handoffs", "Chuyển cán bộ", "Chuyển CB", lambda f: f.handoffs, "int"),
)

BY_KEY = {column.key: column for column in COLUMNS}

LEGEND = (
    "Mức đánh giá: "
    + " · ".join(f"{s} {n}" for s, n in LEVEL_NAMES.items())
    + ". Chỉ số hài lòng = tỷ lệ phiếu mức 4–5 trên tổng số phiếu; tỷ lệ phản hồi = số phiếu "
    "trên số câu hỏi đã có thẻ thủ tục."
)


def show(value: float | None, fmt: Format) -> str:
    """Vietnamese display: 1.234 · 85,0% · 4,20; "–" for a ratio of nothing."""
    if value is None:
        return "–"
    if fmt == "int":
        return f"{int(value):,}".replace(",", ".")
    text = f"{value * 100:.1f}%" if fmt == "pct" else f"{value:.2f}"
    return text.replace(".", ",")


def figures_dict(figures: Figures) -> dict[str, Any]:
    """The JSON object of one group's figures (ratios 0–1, rounded to 4 decimals)."""
    return {
        "questions": figures.questions,
        "answered": figures.answered,
        "clarified": figures.clarified,
        "fallback": figures.fallback,
        "answered_share": round(figures.answered_share, 4),
        "clarified_share": round(figures.clarified_share, 4),
        "fallback_share": round(figures.fallback_share, 4),
        "carded": figures.carded,
        "responses": figures.responses,
        "response_rate": round(figures.response_rate, 4),
        "levels": {str(score): figures.level(score) for score in (5, 4, 3, 2, 1)},
        "satisfaction_index": round(figures.satisfaction_index, 4),
        "mean_score": round(figures.mean_score, 4),
        "enough_info_responses": figures.enough_answered,
        "enough_info_share": round(figures.enough_info_share, 4),
        "handoffs": figures.handoffs,
    }


def flat_figures(figures: Figures) -> dict[str, Any]:
    """`figures_dict` with the levels spread into level_5 … level_1 (for CSV)."""
    data = figures_dict(figures)
    levels = data.pop("levels")
    position = list(data).index("satisfaction_index")
    items = list(data.items())
    spread = [(f"level_{score}", count) for score, count in levels.items()]
    return dict(items[:position] + spread + items[position:])
