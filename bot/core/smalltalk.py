"""Greetings, thanks, goodbyes, "ok", praise and "who are you": short messages that are not
questions (recorded as small talk, not as questions the bot could not answer); and questions
about the department itself (contact details) or about a file already submitted (status)."""

from __future__ import annotations

from collections.abc import Iterable

from bot.core.text import Analysis, PhraseSet

SMALLTALK_PHRASES: dict[str, tuple[str, ...]] = {
    "identity": (
        "bạn là ai",
        "em là ai",
        "là ai",
        "bot là gì",
        "bạn làm được gì",
        "bạn giúp được gì",
        "là gì vậy",
        "người hay máy",
        "là người thật",
        "là robot",
        "là máy à",
    ),
    "thanks": ("cảm ơn", "cám ơn", "thanks", "thank", "tks", "thank you", "cảm ơn nhiều"),
    "bye": ("tạm biệt", "bye", "goodbye", "hẹn gặp lại"),
    "greeting": ("xin chào", "chào", "hello", "hi", "alo", "helo", "hey", "chào bạn"),
    # typed under an answer instead of tapping the scale: a nudge to tap it
    "praise": ("rất tốt", "tốt quá", "hay quá", "hữu ích", "tuyệt vời", "rất hài lòng"),
    "ack": ("ok", "oke", "okay", "vâng", "được rồi", "hiểu rồi", "rõ rồi", "đã hiểu"),
    # unhappy with the bot: an apology and a way forward, not a question for staff to answer
    "complaint": (
        "ngu quá",
        "ngu thế",
        "ngu vậy",
        "bot ngu",
        "vô dụng",
        "không hiểu",
        "chưa hiểu",
        "chẳng hiểu",
        "khó hiểu",
        "trả lời sai",
        "trả lời không đúng",
        "không đúng ý",
        "tệ quá",
        "chán quá",
    ),
}
HINT = (
    "Bạn hãy gõ câu hỏi về thủ tục cần làm, ví dụ: “khai báo máy X-quang”, "
    "“công bố hợp quy cần giấy tờ gì”, “đăng ký chuyển giao công nghệ mất bao lâu”."
)
REPLIES = {
    "greeting": "Xin chào! Tôi là trợ lý hướng dẫn thủ tục hành chính của {agency}. " + HINT,
    "thanks": "Rất vui được giúp bạn! Cần hỏi thêm thủ tục nào, bạn cứ nhắn nhé.",
    "bye": "Chào bạn, chúc bạn làm hồ sơ thuận lợi!",
    "identity": "Tôi là trợ lý tự động của {agency}: tôi hướng dẫn hồ sơ, thời hạn, phí, "
    "nơi nộp của các thủ tục hành chính. " + HINT,
    "praise": "Cảm ơn bạn! Bạn bấm một mức đánh giá dưới câu trả lời giúp chúng tôi nhé — ý kiến "
    "của bạn giúp {agency} phục vụ tốt hơn.",
    "ack": "Vâng. Cần hỏi thêm thủ tục nào, bạn cứ nhắn nhé.",
    "complaint": "Xin lỗi vì tôi chưa trả lời đúng ý bạn. Bạn thử gõ ngắn gọn tên thủ tục hoặc "
    "việc cần làm, ví dụ: “khai báo máy X-quang”, “gia hạn giấy phép bưu chính”. Nếu vẫn chưa "
    "được, bạn có thể hỏi trực tiếp cán bộ của {agency}.",
}
_PHRASES = PhraseSet((kind, p) for kind, phrases in SMALLTALK_PHRASES.items() for p in phrases)
MAX_TOKENS = 7

# How far a file already submitted has gone: the portal's lookup, not a procedure card.
STATUS_PHRASES = (
    "tra cứu hồ sơ",
    "tình trạng hồ sơ",
    "hồ sơ đến đâu",
    "hồ sơ đang ở đâu",
    "chưa trả kết quả",
    "sao chưa có",
    "hồ sơ bị trễ",  # "hồ sơ bị trễ hạn", a complaint about a file, not a licence's renewal
    "hồ sơ trễ",
    "hồ sơ bị chậm",
    "hồ sơ chậm",
    "hồ sơ quá hạn",
    "trễ hẹn",
    "quá hẹn",
)
_STATUS = PhraseSet(("status", p) for p in STATUS_PHRASES)
# How citizens name the department (also no word of a procedure: bot.core.aspects).
DEPARTMENT_NAMES = ("sở khoa học và công nghệ", "sở khoa học công nghệ", "sở khoa học")
# The department itself and how to reach it: contact details when nothing else is asked
# ("số điện thoại của sở", "sở khoa học công nghệ lạng sơn ở đâu", "giờ làm việc").
CONTACT_PHRASES = (
    "số điện thoại",
    "điện thoại",
    "sđt",  # typed "sdt" as often
    "số đt",
    "hotline",
    "đường dây nóng",
    "giờ làm việc",
    "làm việc mấy giờ",
    "mấy giờ",
    "email",
    "website",
    "trang web",
    "liên hệ",
    *DEPARTMENT_NAMES,
    "sở",
    "lạng sơn",
    "tỉnh",
)
_CONTACT = PhraseSet(("contact", p) for p in CONTACT_PHRASES)
ABOUT_US = frozenset({"contact", "status"})  # the department itself, or a file submitted


def detect_smalltalk(analysis: Analysis) -> tuple[str, set[int]] | None:
    """The kind of small talk and the token indexes it covers, for a short message."""
    if not analysis.tokens or len(analysis.tokens) > MAX_TOKENS:
        return None
    found = _PHRASES.find(analysis)
    if not found:
        return None
    kind, start, end = found[0]
    return kind, set(range(start, end))


def asks_status(analysis: Analysis) -> bool:
    """A question about a file already submitted ("tra cứu hồ sơ", "sao chưa có kết quả")."""
    return bool(_STATUS.find(analysis))


def detect_contact(analysis: Analysis, left: Iterable[int]) -> set[int] | None:
    """The tokens naming the department or a way to reach it, when they are all that is left
    of the question (`left`: its content tokens without the part asked)."""
    covered = {i for _, start, end in _CONTACT.find(analysis) for i in range(start, end)}
    left = list(left)
    return covered if covered and all(i in covered for i in left) else None


def smalltalk_reply(kind: str, agency: str) -> str:
    """The answer to one kind of small talk, naming the department."""
    return REPLIES[kind].format(agency=agency)
