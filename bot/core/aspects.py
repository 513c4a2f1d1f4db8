"""Which part of a procedure the question asks about (documents, time, fee, where …)."""

from __future__ import annotations

from bot.core.text import Analysis, find_phrase

# Aspect → phrases (accented; a citizen's unaccented spelling matches too). Order matters:
# the first aspect whose phrase occurs wins.
ASPECT_PHRASES: dict[str, tuple[str, ...]] = {
    "online": ("trực tuyến", "online", "qua mạng", "dịch vụ công", "nộp mạng", "trên mạng"),
    "fee": (
        "lệ phí",
        "phí",
        "bao nhiêu tiền",
        "mất tiền",
        "tốn tiền",
        "chi phí",
        "mấy tiền",
        "hết bao nhiêu",
        "tốn bao nhiêu",
        "miễn phí",
    ),
    "time": (
        "thời hạn",
        "bao lâu",
        "thời gian",
        "mấy ngày",
        "bao nhiêu ngày",
        "bao giờ",
        "khi nào",
        "hạn giải quyết",
        "lâu không",
    ),
    "where": ("ở đâu", "nộp đâu", "chỗ nào", "nơi nộp", "địa chỉ", "nơi nào"),
    "legal": (
        "căn cứ pháp lý",
        "căn cứ",
        "pháp lý",
        "văn bản",
        "nghị định",
        "thông tư",
        "quy định nào",
        "luật nào",
    ),
    "documents": (
        "hồ sơ",
        "giấy tờ",
        "thành phần",
        "cần gì",
        "cần những gì",
        "chuẩn bị gì",
        "mang theo",
        "cần chuẩn bị",
        "mẫu đơn",
        "biểu mẫu",
        "tờ khai",
    ),
    "result": ("kết quả", "nhận được gì", "được cấp gì"),
}
# Questions asking for a date ("nộp hôm nay thì bao giờ có kết quả?"): answer with the date
# after the processing time in working days.
DEADLINE_PHRASES = (
    "bao giờ có",
    "khi nào có",
    "hôm nay",
    "ngày nào có",
    "khi nào xong",
    "bao giờ xong",
    "ngày nào xong",
    "ngày mai",
    "tuần này",
    "tuần sau",
)
_DEADLINE = [tuple(p.split()) for p in DEADLINE_PHRASES]
_PHRASES = {
    aspect: [tuple(p.split()) for p in phrases] for aspect, phrases in ASPECT_PHRASES.items()
}


def aspect_spans(analysis: Analysis) -> list[tuple[str, int, int]]:
    """Every (aspect, start, end) phrase found in the question, in aspect priority order."""
    spans = []
    for aspect, phrases in _PHRASES.items():
        for phrase in phrases:
            start = find_phrase(analysis.tokens, phrase)
            if start is not None:
                spans.append((aspect, start, start + len(phrase)))
    return spans


def detect_aspect(analysis: Analysis) -> str | None:
    spans = aspect_spans(analysis)
    return spans[0][0] if spans else None


def asks_deadline(analysis: Analysis) -> bool:
    """True when the citizen wants the date a result will be ready."""
    return any(find_phrase(analysis.tokens, phrase) is not None for phrase in _DEADLINE)
