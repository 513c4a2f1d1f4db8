"""Which part of a procedure the question asks about (documents, time, fee, where, steps,
conditions …)."""

from __future__ import annotations

from collections.abc import Callable

from bot.core.smalltalk import DEPARTMENT_NAMES
from bot.core.text import Analysis, PhraseSet

# Aspect → phrases (accented; a citizen's unaccented spelling matches too). Order matters:
# the first aspect whose phrase occurs wins.
ASPECT_PHRASES: dict[str, tuple[str, ...]] = {
    "online": ("trực tuyến", "online", "qua mạng", "dịch vụ công", "nộp mạng", "trên mạng"),
    "fee": (
        "lệ phí",
        "phí",
        "bao nhiêu tiền",
        "mất bao nhiêu tiền",  # "mất" here is spending, not a lost licence (cấp lại)
        "mất tiền",
        "tốn tiền",
        "chi phí",
        "mấy tiền",
        "hết bao nhiêu",
        "tốn bao nhiêu",
        "miễn phí",
    ),
    # How long the licence stays valid, before "time" (how long it takes to get it). Not
    # "hết hạn", "hết hiệu lực": those name the extension. See also `_VALIDITY_LEADS`.
    "validity": ("hiệu lực", "có thời hạn", "thời hạn sử dụng"),
    "time": (
        "thời hạn",
        "bao lâu",
        "mất bao lâu",
        "mất mấy ngày",
        "mất bao nhiêu ngày",
        "thời gian",
        "mấy ngày",
        "bao nhiêu ngày",
        "bao giờ",
        "khi nào",
        "hạn giải quyết",
        "lâu không",
    ),
    "where": (
        "qua bưu điện",
        "gửi bưu điện",
        "bưu điện",
        "ở đâu",
        "nộp đâu",
        "chỗ nào",
        "nơi nộp",
        "địa chỉ",
        "nơi nào",
        "cơ quan nào",  # "cơ quan nào có thẩm quyền …": who handles it, i.e. where to go
        "cơ quan có thẩm quyền",
        "thẩm quyền",
        "cho ai",  # "nộp cho ai duyệt": who handles it
        "ai giải quyết",
        "ai cấp",
        "tại đâu",
        "đến đâu",
        "ở sở nào",  # which department's office; not "(hồ) sơ nào", unaccented "so nao"
    ),
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
        "nộp những gì",
        "nộp gì",
        "chuẩn bị gì",
        "mang theo",
        "cần chuẩn bị",
        "mẫu đơn",
        "biểu mẫu",
        "tờ khai",
        "công chứng",  # "có cần công chứng không": about the papers to bring
        "bản sao",
        "bản chính",
        "bao nhiêu ảnh",  # photos are among the papers ("ảnh 3 x 4 cm")
        "ảnh thẻ",
    ),
    "result": (
        "kết quả",
        "nhận được gì",
        "được cấp gì",
        "được cấp giấy gì",  # not "cần giấy gì": the documents to bring
        "nhận được giấy gì",
        "nhận được văn bản gì",
        "trả lại giấy gì",
    ),
    "steps": ("các bước", "những bước", "mấy bước", "bước nào", "trình tự", "quy trình"),
    "conditions": (
        "điều kiện",
        "có bắt buộc",
        "bắt buộc không",
        "ai phải làm",
        "đối tượng nào",
        "trường hợp nào",
    ),
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
_DEADLINE = PhraseSet(("deadline", p) for p in DEADLINE_PHRASES)
# Aspects whose phrases can also be part of a procedure's name ("đăng ký kết quả …",
# "văn bản xác nhận", "cơ sở đủ điều kiện …"): their words stay in the query when the index
# knows them.
NAMING_ASPECTS = frozenset({"result", "legal", "steps", "conditions"})
_ASPECTS = PhraseSet((aspect, p) for aspect, phrases in ASPECT_PHRASES.items() for p in phrases)


# Words that only make a question of it and name no procedure ("phí bao nhiêu", "nộp ở đâu"
# without a procedure): dropped from the query like aspect phrases, but they ask no part.
QUESTION_PHRASES = ("bao nhiêu", "nộp")
_QUESTION = PhraseSet(("question", p) for p in QUESTION_PHRASES)


# "đổi địa chỉ", "chuyển địa chỉ" (synonyms make "thay đổi", "sửa" → "sửa đổi"): the address
# is what changes, not a question of where to submit.
_ADDRESS = PhraseSet([("address", "địa chỉ")])
_CHANGE_VERBS = frozenset({"doi", "chuyen"})


def _changed_address(analysis: Analysis, start: int, end: int) -> bool:
    return (
        analysis.folded[start:end] == ("dia", "chi")
        and start > 0
        and analysis.folded[start - 1] in _CHANGE_VERBS
    )


# "có giá trị bao lâu", "dùng được mấy năm": a duration right after one of these asks how long
# the licence lasts, not how long it takes to get it. Not "mấy năm" alone: "thành lập mấy năm".
_VALIDITY_LEADS = PhraseSet(
    ("lead", p) for p in ("giá trị", "dùng được", "sử dụng được", "còn hạn", "còn giá trị")
)
_YEARS = PhraseSet(("years", p) for p in ("mấy năm", "bao nhiêu năm"))
_PRIORITY = {aspect: rank for rank, aspect in enumerate(ASPECT_PHRASES)}


def _inside(span: tuple[str, int, int], other: tuple[str, int, int]) -> bool:
    """Whether `span` lies within `other`, which is longer."""
    return other[1] <= span[1] and span[2] <= other[2] and other[2] - other[1] > span[2] - span[1]


def aspect_spans(analysis: Analysis) -> list[tuple[str, int, int]]:
    """Every (aspect, start, end) phrase found in the question, in aspect priority order."""
    found = [s for s in _ASPECTS.find(analysis) if not _changed_address(analysis, s[1], s[2])]
    # the longest phrase wins: "nhận được văn bản gì" asks the result, not the legal "văn bản"
    spans = [s for s in found if not any(_inside(s, longer) for longer in found)]
    durations = [s for s in spans if s[0] == "time"] + _YEARS.find(analysis)
    ends = {start: end for _, start, end in durations}
    validity = [
        ("validity", start, ends[end])
        for _, start, end in _VALIDITY_LEADS.find(analysis)
        if end in ends
    ]
    return sorted(spans + validity, key=lambda span: _PRIORITY[span[0]])


# The department addressed ("… với sở khoa học công nghệ") and where the citizen lives ("em ở
# huyện Cao Lộc"): every procedure is the department's, submitted at one desk for the whole
# province, so neither names one (the department's words did: "khoa học và công nghệ").
_DEPARTMENT = PhraseSet(("department", p) for p in DEPARTMENT_NAMES)
_PLACE = PhraseSet(
    ("place", f"{at} {head}")
    for at in ("ở", "tại")
    for head in ("huyện", "xã", "phường", "thị trấn", "thị xã", "thành phố", "tp")
)
PLACE_NAME = 2  # syllables of a place's name after its kind: Cao Lộc, Mai Pha


def _places(analysis: Analysis, known: Callable[[str], bool]) -> list[tuple[str, int, int]]:
    """The place's kind and the syllables after it that name no procedure ("tại xã khai báo
    máy x quang": "khai báo" is no commune's name)."""
    spans = []
    for kind, start, end in _PLACE.find(analysis):
        last = min(end + PLACE_NAME, len(analysis.folded))
        while end < last and not known(analysis.folded[end]):
            end += 1
        spans.append((kind, start, end))
    return spans


def question_spans(analysis: Analysis, known: Callable[[str], bool]) -> list[tuple[str, int, int]]:
    """Bare question words ("bao nhiêu", "nộp"), an address that changes, a comparison, the
    department's name and the citizen's place: like aspect phrases, they name no procedure,
    but they ask no part either. `known`: whether the index knows a folded word."""
    changed = [s for s in _ADDRESS.find(analysis) if _changed_address(analysis, s[1], s[2])]
    return (
        _QUESTION.find(analysis)
        + changed
        + comparison_spans(analysis)
        + _DEPARTMENT.find(analysis)
        + _places(analysis, known)
    )


# "hợp quy khác hợp chuẩn thế nào", "so sánh …", "phân biệt …": two procedures compared. A
# lone "khác" compares only before "thế nào" (not "phòng khám khác thì có phải khai báo").
_COMPARISON = PhraseSet(
    ("comparison", p)
    for p in ("khác nhau", "khác gì", "khác biệt", "so sánh", "phân biệt", "giống nhau")
)
_HOW = PhraseSet(("how", p) for p in ("thế nào", "ra sao", "chỗ nào", "điểm nào"))


def comparison_spans(analysis: Analysis) -> list[tuple[str, int, int]]:
    """Where the question asks how two things differ."""
    found = _COMPARISON.find(analysis)
    how = _HOW.find(analysis)
    if found or not how:
        return found
    return [("comparison", i, i + 1) for i in range(how[0][1]) if analysis.folded[i] == "khac"]


def detect_aspect(analysis: Analysis) -> str | None:
    spans = aspect_spans(analysis)
    return spans[0][0] if spans else None


def asks_deadline(analysis: Analysis) -> bool:
    """True when the citizen wants the date a result will be ready."""
    return bool(_DEADLINE.find(analysis))
