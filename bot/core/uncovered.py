"""Subjects our procedures do not cover: a question naming one is not answered with one of them,
whatever words it shares ("cấp lại giấy chứng nhận quyền sử dụng đất bị mất" is land, not the
re-issue of a science organisation's certificate). It gets the fallback, which records it for
staff and points to the national portal.

Two kinds: other agencies' subjects, and the department's own work the knowledge base has no
procedure for yet ("tuyển chọn tổ chức chủ trì nhiệm vụ" was answered with the evaluation of
such tasks). When staff add a procedure for one of the latter, its name covers the phrase and
the question finds it.

Phrases of two or more syllables only: one syllable typed without diacritics is too often
another word ("duoc" is được far more than dược). A phrase counts only when the best candidate
does not itself use its words, so a procedure of ours that mentions one is still found.
"""

from __future__ import annotations

from bot.core.text import Analysis, PhraseSet

OTHER_AGENCIES: tuple[str, ...] = (
    # land, housing, construction
    "quyền sử dụng đất",
    "sổ đỏ",
    "sổ hồng",
    "đất đai",
    "giấy phép xây dựng",
    # civil status, residence, identity, justice, police
    "hộ chiếu",
    "căn cước",
    "chứng minh thư",  # the identity card's old name
    "chứng minh nhân dân",
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
    "giấy phép hoạt động phòng khám",  # the clinic's own licence; its X-ray is ours
    "giấy phép hoạt động bệnh viện",
    "chứng chỉ hành nghề",
    "kinh doanh thuốc",
    "mỹ phẩm",
    "an toàn thực phẩm",
    "mầm non",
    "bằng đại học",  # diplomas: the school or the education department
    "bằng tốt nghiệp",
    "văn bằng",
    "lễ hội",
    "lữ hành",  # travel agencies: culture, sports and tourism
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
    # radio frequencies and telecoms: the ministry's national authorities, not the province
    "tần số",
    "vô tuyến điện",
    "viễn thông",
    # radioactive substances (transport, import, sources): the ministry's radiation safety
    # agency licenses them; the province only medical X-ray, which uses none
    "phóng xạ",
    # industrial property and copyright (national offices, not the province)
    "nhãn hiệu",
    "sáng chế",
    "bản quyền",
    "mã số mã vạch",
)
# The department's work without a procedure in the knowledge base (Lạng Sơn, 2026): selecting
# and funding science tasks, support programmes, initiatives.
NOT_YET_COVERED: tuple[str, ...] = (
    "tuyển chọn",
    "xét chọn",
    "xét tặng",  # the province's own science award, not an organisation's award registered
    "đề xuất nhiệm vụ",  # also "đề xuất đề tài": synonyms make đề tài a nhiệm vụ
    "giao trực tiếp",
    "đặt hàng",
    "hỗ trợ kinh phí",
    "đổi mới công nghệ",
    "đổi mới sáng tạo",
    "khởi nghiệp",
    "sáng kiến",
    # giving a licence or certificate up, or closing down: no procedure of ours ("hủy giấy
    # phép bưu chính" was answered with its first issue)
    "hủy giấy",
    "thu hồi giấy",  # not "trả lại giấy": "sở trả lại giấy gì" is the result handed back
    "chấm dứt hoạt động",
    "ngừng hoạt động",
    "giải thể",
)
_PHRASES = PhraseSet(("uncovered", p) for p in (*OTHER_AGENCIES, *NOT_YET_COVERED))


def uncovered_subjects(analysis: Analysis) -> list[tuple[str, ...]]:
    """The folded words of every uncovered subject the question names."""
    return [analysis.folded[start:end] for _, start, end in _PHRASES.find(analysis)]
