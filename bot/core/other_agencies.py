"""Other agencies' subjects: a question naming one is not about our procedures, whatever words
it shares with them ("cấp lại giấy chứng nhận quyền sử dụng đất bị mất" is land, not the
re-issue of a science organisation's certificate).

Phrases of two or more syllables only: one syllable typed without diacritics is too often
another word ("duoc" is được far more than dược). A phrase counts only when the best candidate
does not itself use its words, so a procedure of ours that mentions one is still found.
"""

from __future__ import annotations

from bot.core.text import Analysis, PhraseSet

OTHER_AGENCY_PHRASES: tuple[str, ...] = (
    # land, housing, construction
    "quyền sử dụng đất",
    "sổ đỏ",
    "sổ hồng",
    "đất đai",
    "giấy phép xây dựng",
    # civil status, residence, identity, justice, police
    "hộ chiếu",
    "căn cước",
    "khai sinh",
    "khai tử",
    "kết hôn",
    "hộ tịch",
    "tạm trú",
    "thường trú",
    "lý lịch tư pháp",
    "chứng thực",
    "con nuôi",
    "con dấu",
    # vehicles, transport
    "giấy phép lái xe",
    "bằng lái",
    "đăng ký xe",
    "đăng kiểm",
    "vận tải",
    # tax, social insurance, labour, social affairs
    "mã số thuế",
    "quyết toán thuế",
    "bảo hiểm xã hội",
    "bảo hiểm y tế",
    "giấy phép lao động",
    "thất nghiệp",
    "lương hưu",
    "hộ nghèo",
    # business and investment registration
    "đăng ký kinh doanh",
    "hộ kinh doanh",
    "giấy chứng nhận đầu tư",
    "chủ trương đầu tư",
    # health, food, pharmacy, education, culture
    "khám chữa bệnh",
    "chứng chỉ hành nghề",
    "kinh doanh thuốc",
    "mỹ phẩm",
    "an toàn thực phẩm",
    "mầm non",
    "lễ hội",
    "quảng cáo",
    "xuất bản",
    "báo chí",
    "hoạt động in",
    # postal licences beyond the province are the ministry's ("bưu chính liên tỉnh")
    "liên tỉnh",
    # environment, resources, trade
    "giấy phép môi trường",
    "khoáng sản",
    "nước ngầm",
    "xăng dầu",
    "thị thực",
    # industrial property and copyright (national offices, not the province)
    "nhãn hiệu",
    "sáng chế",
    "bản quyền",
    "mã số mã vạch",
)
_PHRASES = PhraseSet(("other", p) for p in OTHER_AGENCY_PHRASES)


def other_agency_words(analysis: Analysis) -> list[tuple[str, ...]]:
    """The folded words of every other agency's subject the question names."""
    return [analysis.folded[start:end] for _, start, end in _PHRASES.find(analysis)]
