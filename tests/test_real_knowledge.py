"""The shipped knowledge base: every file valid, codes unique, aliases find their procedure."""

from __future__ import annotations

import pytest

from bot.core.matcher import Matcher
from bot.knowledge import load_knowledge

from .conftest import REAL_KNOWLEDGE

KB = load_knowledge(REAL_KNOWLEDGE)


def test_every_file_validates_and_codes_are_unique() -> None:
    codes = [p.code for p in KB.procedures if p.code]
    assert len(codes) == len(set(codes))
    assert len(KB.procedures) >= 20


def test_every_procedure_is_sourced_and_has_citizen_aliases() -> None:
    for procedure in KB.procedures:
        assert procedure.source_url.startswith("http"), procedure.key
        assert len(procedure.aliases) >= 3, procedure.key


MATCHER = Matcher(KB.procedures, KB.synonyms)


@pytest.mark.parametrize(("key", "alias"), [(p.key, a) for p in KB.procedures for a in p.aliases])
def test_alias_finds_its_procedure_first(key: str, alias: str) -> None:
    result = MATCHER.search(alias)
    assert result.best is not None and result.best.procedure.key == key, [
        (m.procedure.key, m.score) for m in result.matches[:3]
    ]


@pytest.mark.parametrize(
    ("question", "aspect"),
    [
        ("đăng ký kết quả nghiên cứu khoa học", None),  # "kết quả" names the procedure
        ("đăng ký kết quả nhiệm vụ khoa học nhận được gì", "result"),
        ("ket qua cong bo hop quy nhan duoc gi", "result"),
        ("căn cứ pháp lý của công bố hợp quy", "legal"),
        ("kế hoạch ứng phó sự cố bức xạ nộp cho ai duyệt", "where"),  # who handles it
        ("cap phep buc xa lan dau can nhung ho so nao", "documents"),  # not "sở nào"
        ("đăng ký chuyển giao công nghệ ở sở nào", "where"),
        ("công bố hợp chuẩn thì nộp những gì", "documents"),
        ("giay phep buu chinh nop o dia chi nao", "where"),
        ("điều kiện cấp giấy phép bưu chính là gì", "conditions"),
        ("thủ tục khai báo máy x quang gồm những bước nào", "steps"),
        # the address is what changes, not where to submit
        ("cty toi la doanh nghiep khoa hoc cong nghe, muon doi dia chi", None),
        ("thay đổi địa chỉ trụ sở doanh nghiệp khoa học công nghệ", None),
        # how long the licence lasts, not how long it takes ("thời hạn", "bao lâu")
        ("giấy phép bưu chính có thời hạn bao lâu", "validity"),
        ("giay chung nhan doanh nghiep khcn co gia tri trong bao lau", "validity"),
        ("giấy phép x quang dùng được mấy năm", "validity"),
        ("thời hạn giải quyết cấp giấy phép bưu chính", "time"),
        ("hợp đồng chuyển giao công nghệ có giá trị 2 tỷ thì thẩm định mất bao lâu", "time"),
        ("giấy phép x quang hết hiệu lực", None),  # the extension, named
        ("doanh nghiệp thành lập mấy năm thì được công nhận doanh nghiệp khcn", None),
    ],
)
def test_words_of_a_name_are_not_an_aspect(question: str, aspect: str | None) -> None:
    assert MATCHER.search(question).aspect == aspect


@pytest.mark.parametrize(
    ("question", "key"),
    [
        ("cap giay phep doi voi may x quang rang", "cap-giay-phep-tien-hanh-cong-viec-5d115d"),
        ("muon chuyen giao cong nghe cho doi tac nuoc ngoai", "cap-giay-chung-nhan-dang-ky-44a632"),
        ("doi ngu nhan vien buc xa can chung chi gi", "1.000173"),
    ],
)
def test_unaccented_doi_is_not_always_a_change(question: str, key: str) -> None:
    """ "doi" is đổi (→ sửa đổi) but also đối với, đối tác, đội ngũ: no amend action there."""
    result = MATCHER.search(question)
    assert "sửa" not in result.analysis.tokens
    assert result.outcome == "answer" and result.matches[0].procedure.key == key


@pytest.mark.parametrize(
    ("question", "key"),
    [
        ("cty toi la doanh nghiep khoa hoc cong nghe, muon doi dia chi", "1.014446"),
        ("chuyển địa chỉ văn phòng đại diện tổ chức khcn", "1.014392"),  # not its first issue
        ("doanh nghiep khcn chuyen dia diem", "1.014446"),
        # the X-ray licence's address (fell back: the declaration ranked first)
        ("thay đổi địa chỉ phòng khám có máy x quang", "2.002382"),
    ],
)
def test_a_changed_address_is_a_change_of_the_certificate(question: str, key: str) -> None:
    result = MATCHER.search(question)
    assert result.outcome == "answer" and result.matches[0].procedure.key == key


@pytest.mark.parametrize("question", ["kết quả", "kết quả thế nào", "căn cứ pháp lý"])
def test_a_part_alone_names_no_procedure(question: str) -> None:
    """Without a procedure just discussed there is nothing to answer (no guess)."""
    result = MATCHER.search(question)
    assert result.outcome == "fallback" and not result.matches and result.aspect


@pytest.mark.parametrize("question", ["bưu chính", "thu tuc buu chinh", "x quang", "bức xạ"])
def test_a_topic_gets_choices_not_a_guess(question: str) -> None:
    """One or two words that several procedures share: offer them, answer none."""
    result = MATCHER.search(question)
    assert result.outcome == "clarify" and len(result.matches) >= 3


@pytest.mark.parametrize(
    ("question", "key"),
    [
        ("giấy phép x quang", "cap-giay-phep-tien-hanh-cong-viec-5d115d"),  # no change: first issue
        ("hợp quy", "dang-ky-cong-bo-hop-quy"),  # one procedure: answered
        # a key pressed twice is a typo, not an unknown word that drops the change asked
        ("gia hann giay phep buc xa", "gia-han-giay-phep-tien-hanh-cong-e7c315"),
        ("giayy phepp buu chinhh", "cap-giay-phep-buu-chinh-cap-tinh"),
        # a CT scanner is medical X-ray ("ct" alone stays công ty)
        ("may chup cat lop vi tinh can giay phep gi", "cap-giay-phep-tien-hanh-cong-viec-5d115d"),
        ("gia hạn giấy phép máy chụp ct", "gia-han-giay-phep-tien-hanh-cong-e7c315"),
        # a science centre is a science organisation, not a science enterprise
        (
            "trung tâm khoa học công nghệ đổi tên thì phải làm gì",
            "thay-doi-bo-sung-noi-dung-giay-44fd34",
        ),
    ],
)
def test_short_questions_naming_one_procedure_are_answered(question: str, key: str) -> None:
    result = MATCHER.search(question)
    assert result.outcome == "answer" and result.matches[0].procedure.key == key


def test_filler_words_do_not_push_a_question_out_of_scope() -> None:
    plain, polite = MATCHER.search("đo lường"), MATCHER.search("cho tôi hỏi về đo lường")
    assert polite.outcome == plain.outcome != "fallback"
    assert polite.matches[0].procedure.key == "chung-nhan-chuan-do-luong-dung-dad626"


@pytest.mark.parametrize(
    "question",
    ["phong kham em mua them 1 may x quang nua", "phòng khám mua thêm một máy x quang nữa"],
)
def test_nua_at_the_end_is_a_filler_not_an_unknown_subject(question: str) -> None:
    """ "nữa" ("one more") once left the question as unknown as a foreign subject: fallback."""
    result = MATCHER.search(question)
    assert result.outcome != "fallback"
    assert [m.procedure.code for m in result.matches[:2]] == ["2.002383", "2.002131"]


@pytest.mark.parametrize(
    "question",
    [
        "cấp lại giấy chứng nhận quyền sử dụng đất bị mất",
        "gia han giay phep lao dong cho chuyen gia",
        "đăng ký giấy chứng nhận đầu tư cho dự án nước ngoài",
        "cấp giấy phép bưu chính liên tỉnh",  # the ministry's; ours is within the province
        "cấp lại giấy phép kinh doanh lữ hành quốc tế",  # tourism, whatever words it shares
        "gia han giay phep kinh doanh dich vu lu hanh noi dia",
        # radioactive substances are the ministry's: not the X-ray licence, with or without
        # diacritics (without, it once offered X-ray, postal licence and an award)
        "xin cấp giấy phép vận chuyển chất phóng xạ",
        # radio frequencies: once answered, confidently, with the X-ray licence
        "cap giay phep su dung tan so",
        "giấy phép viễn thông",
        "xin cap giay phep van chuyen chat phong xa",
        # a reissue of someone else's paper: choices of our reissues until the tenth session
        "cấp lại chứng minh thư bị mất",
        "làm lại bằng đại học bị mất",
        # a clinic's own operating licence is the health department's (its X-ray is ours)
        "xin giấy phép hoạt động phòng khám đa khoa",
        "gp hoat dong phong kham",
    ],
)
def test_another_agencys_subject_is_not_answered_with_ours(question: str) -> None:
    assert MATCHER.search(question).outcome == "fallback"


@pytest.mark.parametrize(
    "question",
    [
        "tuyển chọn tổ chức chủ trì nhiệm vụ khoa học cấp tỉnh",
        "đăng ký xét chọn đề tài cấp tỉnh",
        "xin hỗ trợ kinh phí đổi mới công nghệ cho doanh nghiệp nhỏ",
        "cong nhan sang kien cho giao vien",
        "đề xuất đề tài khoa học cấp tỉnh năm sau",  # not its evaluation nor its results
        "xét tặng giải thưởng khoa học công nghệ tỉnh",  # not an award a company sets up
        # giving a licence up or closing down: once answered with the first issue
        "muốn hủy giấy phép bưu chính vì không kinh doanh nữa",
        "giai the to chuc khoa hoc cong nghe",
    ],
)
def test_the_departments_work_without_a_procedure_is_not_answered_with_another(
    question: str,
) -> None:
    """Honest "not found" (recorded for staff) rather than a neighbour's card."""
    assert MATCHER.search(question).outcome == "fallback"


def test_innovation_is_not_a_change_of_a_certificate() -> None:
    """ "đổi mới" (innovation) is one word: not "đổi" (→ sửa đổi, the amend action)."""
    assert MATCHER.normalizer.analyze("đổi mới công nghệ").folded == ("doi", "moi", "cong", "nghe")
    changed = MATCHER.search("doanh nghiệp khcn đổi tên").best
    assert changed is not None and changed.procedure.key == "1.014446"


def test_a_procedure_added_for_such_work_is_found() -> None:
    """Once staff add the procedure, its own name covers the phrase."""
    name = "Tuyển chọn tổ chức, cá nhân chủ trì nhiệm vụ khoa học và công nghệ cấp tỉnh"
    added = KB.procedures[0].model_copy(update={"name": name, "aliases": []})
    matcher = Matcher([added, *KB.procedures[1:]], KB.synonyms)
    found = matcher.search("tuyển chọn tổ chức chủ trì nhiệm vụ khoa học cấp tỉnh")
    assert found.outcome == "answer" and found.best and found.best.procedure.name == name


def test_a_clinic_with_its_operating_licence_asking_about_x_ray_is_ours() -> None:
    result = MATCHER.search("phòng khám đã có giấy phép hoạt động, mua máy x quang thì cần gì")
    assert result.outcome == "answer" and result.best
    assert "X-quang" in result.best.procedure.name


def test_a_subject_of_ours_is_found_even_if_another_agency_has_it_too() -> None:
    """The other-agency phrases only count when the best candidate does not use them."""
    ours = KB.procedures[0].model_copy(update={"name": "Cấp mã số mã vạch", "aliases": []})
    matcher = Matcher([ours, *KB.procedures[1:]], KB.synonyms)
    found = matcher.search("cấp mã số mã vạch cho sản phẩm")
    assert found.outcome == "answer" and found.best and found.best.procedure.name == ours.name
    assert MATCHER.search("phòng thí nghiệm phân tích mẫu đất đăng ký hoạt động").outcome != (
        "fallback"  # "đất" alone is no other agency's subject
    )


@pytest.mark.parametrize(
    "question",
    ["thu tuc xin giay phep kinh doanh ruou", "đổi giấy chứng nhận quyền sở hữu nhà"],
)
def test_a_subject_no_procedure_knows_is_not_offered_our_choices(question: str) -> None:
    """Generic words ("giấy phép kinh doanh", "đổi giấy chứng nhận") are ours, but the last
    word, the most specific one, is not: another agency's procedure."""
    assert MATCHER.search(question).outcome == "fallback"


@pytest.mark.parametrize(
    "question",
    ["cấp lại giấy phép bưu chính", "lam lai gp buu chinh", "xin cấp lại giấy phép bưu chính"],
)
def test_a_reissue_without_its_reason_offers_each_case(question: str) -> None:
    """Lost or expired: the postal licence is reissued by two procedures; an alias ("mất giấy
    phép bưu chính") must not pick one when the citizen did not say why."""
    result = MATCHER.search(question)
    assert result.outcome == "clarify"
    assert {m.procedure.code for m in result.matches[:2]} == {"1.004379", "1.003633"}


@pytest.mark.parametrize(
    ("question", "code"),
    [
        ("cấp lại giấy phép bưu chính bị mất", "1.004379"),
        ("giay phep buu chinh bi chay, cap lai can gi", "1.004379"),
        ("cấp lại giấy phép bưu chính hết hạn", "1.003633"),
    ],
)
def test_a_reissue_with_its_reason_is_answered(question: str, code: str) -> None:
    result = MATCHER.search(question)
    assert result.outcome == "answer" and result.best and result.best.procedure.code == code


@pytest.mark.parametrize(
    "question",
    [
        "hợp quy khác hợp chuẩn thế nào",
        "công bố hợp quy và công bố hợp chuẩn khác nhau gì",
        "so sanh hop chuan va hop quy",
        "phân biệt hợp chuẩn với hợp quy",
    ],
)
def test_two_procedures_compared_are_offered_together(question: str) -> None:
    result = MATCHER.search(question)
    assert result.outcome == "clarify" and result.compared
    assert {m.procedure.key for m in result.matches[:2]} == {
        "dang-ky-cong-bo-hop-quy",
        "dang-ky-cong-bo-hop-chuan",
    }


@pytest.mark.parametrize(
    ("question", "outcome"),
    [
        ("mua lại máy x quang cũ của phòng khám khác thì có phải khai báo", "answer"),
        ("hộ chiếu khác căn cước thế nào", "fallback"),
    ],
)
def test_another_or_a_comparison_of_other_things_is_no_comparison_of_ours(
    question: str, outcome: str
) -> None:
    result = MATCHER.search(question)
    assert result.outcome == outcome and not result.compared


def test_a_document_the_best_never_names_is_asked_about_not_guessed() -> None:
    """The licence is named, the best candidate is a certificate (it won on "người phụ trách
    an toàn"): choices with the licence's amendment, not a confident wrong answer."""
    result = MATCHER.search("giấy phép x quang sai tên người phụ trách an toàn muốn sửa lại")
    assert result.outcome == "clarify"
    assert "2.002382" in [m.procedure.code for m in result.matches[:2]]
    named = MATCHER.search("chứng chỉ người phụ trách an toàn x quang bị mất")
    assert named.outcome == "answer" and named.best and named.best.procedure.code == "1.000173"


def test_a_negation_the_best_never_says_is_asked_about_not_guessed() -> None:
    """ "không dùng tiền nhà nước": the best candidate (tasks *using* the state budget) won on
    "xong" in an alias; the one that says "không sử dụng" is offered beside it."""
    result = MATCHER.search(
        "đề tài không dùng tiền nhà nước làm xong có phải đăng ký kết quả không"
    )
    assert result.outcome == "clarify"
    keys = [m.procedure.key for m in result.matches[:2]]
    assert "dang-ky-ket-qua-thuc-hien-nhiem-35426f" in keys
    plain = MATCHER.search("đăng ký kết quả đề tài không sử dụng ngân sách nhà nước")
    assert plain.outcome == "answer"
    assert plain.best and plain.best.procedure.key == "dang-ky-ket-qua-thuc-hien-nhiem-35426f"


@pytest.mark.parametrize("question", ["sdt so khoa hoc lang son", "cho xin sđt của sở"])
def test_the_departments_phone_abbreviated_gets_its_contact(question: str) -> None:
    assert MATCHER.search(question).smalltalk == "contact"


@pytest.mark.parametrize(
    "question",
    [
        "bệnh viện lắp máy CT mới",
        "bv huyện mới lắp đặt máy chụp ct",
        "trung tâm y tế mới lắp máy x quang",
        "mới nhập máy x quang về có cần báo với sở không",
        "máy x quang cũ hỏng thay máy mới",
        "thay may xq",
        "máy x quang di động",
        # dental and bone-density machines are X-ray devices too
        "phòng khám nha khoa ở xã đồng đăng mua máy chụp răng",
    ],
)
def test_a_new_or_replacing_x_ray_device_is_declared(question: str) -> None:
    """A device installed, imported or replacing a broken one is declared first (these fell
    back, though the declaration ranked first): "thay máy" is no amendment of the licence."""
    result = MATCHER.search(question)
    assert result.outcome in ("answer", "clarify")
    assert result.best and result.best.procedure.code == "2.002131"


@pytest.mark.parametrize(
    ("question", "outcome"),
    [
        # the department's name once counted as "khoa học (và công nghệ)" of science procedures
        ("nha khoa mới mở có máy chụp phim thì làm những thủ tục gì với sở khoa học", "clarify"),
        ("thủ tục cấp giấy phép bưu chính tại sở khoa học và công nghệ", "answer"),
        # the citizen's place and an unaccented "ở" once counted as unknown subjects: fallback
        ("em o huyen cao loc muon nop ho so x quang thi nop o dau", "clarify"),
    ],
)
def test_the_department_and_the_citizens_place_name_no_procedure(
    question: str, outcome: str
) -> None:
    understood = MATCHER.understand(question)
    assert not {"hoc", "huyen", "cao", "loc", "o"} & set(understood.query.words)
    result = MATCHER.search(question)
    assert result.outcome == outcome
    assert result.best and ("X-quang" in result.best.procedure.name or "bưu chính" in question)


def test_a_bone_density_machine_is_an_x_ray_device() -> None:
    result = MATCHER.search("máy đo mật độ xương có phải xin phép không")
    assert result.outcome == "answer" and result.best
    assert "X-quang" in result.best.procedure.name


def test_nha_before_khoa_is_dentistry_not_a_filler() -> None:
    assert MATCHER.normalizer.analyze("phòng khám nha khoa nha").content_tokens() == [
        "phong",
        "kham",
        "nha",
        "khoa",
    ]


def test_a_product_that_must_conform_names_the_conformity_declaration() -> None:
    """The products a citizen names are unknown words; the common ones (helmets, toys, steel,
    cables: group-2 goods of the ministry) are in an alias: this fell back."""
    result = MATCHER.search("chứng nhận hợp quy mũ bảo hiểm")
    assert result.outcome != "fallback"
    assert result.best and result.best.procedure.key == "dang-ky-cong-bo-hop-quy"


@pytest.mark.parametrize(
    ("question", "code"),
    [
        ("tại xã khai báo máy x quang được không", "2.002131"),
        ("ở huyện giấy phép bưu chính nộp đâu", None),  # Cấp giấy phép bưu chính (cấp tỉnh)
    ],
)
def test_after_a_place_words_of_a_procedure_are_no_place_name(
    question: str, code: str | None
) -> None:
    result = MATCHER.search(question)
    assert result.outcome == "answer" and result.best
    assert result.best.procedure.code == code
    assert "X-quang" in result.best.procedure.name or "bưu chính" in result.best.procedure.name


def test_a_field_list_gives_its_procedures_no_word_pair_across_its_commas() -> None:
    """A field is a list ("Tiêu chuẩn, Đo lường, Chất lượng"): "chuẩn đo lường" names the
    measurement standard, not every procedure of the field (the testing lab's amendment was
    answered, wrongly)."""
    result = MATCHER.search("bổ sung phạm vi đo cho chuẩn đo lường đã được chứng nhận")
    assert result.best and result.best.procedure.key == "dieu-chinh-quyet-dinh-chung-nhan-80a3a8"
    ranked = [
        m.procedure.key
        for m in MATCHER.search("đăng ký chuẩn đo lường cho phòng thí nghiệm").matches[:3]
    ]
    assert "chung-nhan-chuan-do-luong-dung-dad626" in ranked


@pytest.mark.parametrize(
    ("question", "key"),
    [
        ("mở viện nghiên cứu tư nhân cần điều kiện gì", "cap-giay-chung-nhan-dang-ky-hoat-0c04e0"),
        ("thành lập viện nghiên cứu cần thủ tục gì", "cap-giay-chung-nhan-dang-ky-hoat-0c04e0"),
        (
            "viện nghiên cứu của tôi muốn mở chi nhánh ở lạng sơn",
            "cap-giay-chung-nhan-hoat-dong-cho-6f9125",
        ),
        (
            "ket qua de tai tu tai tro co bat buoc dang ky khong",
            "dang-ky-ket-qua-thuc-hien-nhiem-35426f",
        ),
    ],
)
def test_a_research_institute_is_a_science_and_technology_organisation(
    question: str, key: str
) -> None:
    """A research institute is what the law calls an S&T organisation, and a self-funded
    project uses no state budget: the first fell back or offered the recognition of research
    results first."""
    result = MATCHER.search(question)
    assert result.outcome == "answer" and result.best
    assert result.best.procedure.key == key


def test_administrative_procedures_in_general_name_none_of_them() -> None:
    """ "thủ tục hành chính" is the bot's whole subject: asked about in general, it matches no
    procedure (the assistant then asks which one)."""
    result = MATCHER.search("em muốn hỏi về thủ tục hành chính")
    assert result.outcome == "fallback" and not result.matches


@pytest.mark.parametrize(
    "question",
    [
        "chi nhánh của viện nghiên cứu đổi tên thì sửa giấy chứng nhận ở đâu",
        "chi nhánh tổ chức khoa học công nghệ bổ sung lĩnh vực hoạt động",
    ],
)
def test_a_branch_the_best_never_names_is_asked_about_not_guessed(question: str) -> None:
    """The organisation's own amendment wins on the other words; a branch ("chi nhánh") is
    decisive, as a kind of document is: choices, the branch's amendment among them."""
    result = MATCHER.search(question)
    assert result.outcome == "clarify"
    assert "1.014392" in [m.procedure.code for m in result.matches[:4]]


def test_moving_the_office_is_a_change_of_address() -> None:
    """ "văn phòng" alone is the company's own office, not a branch: its move amends the
    certificate (it got the first issue's card)."""
    result = MATCHER.search("doanh nghiệp khcn chuyển văn phòng sang địa chỉ mới")
    assert result.outcome == "answer" and result.best
    assert result.best.procedure.code == "1.014446"


@pytest.mark.parametrize(
    "question",
    [
        "khai báo máy x quang xong thì được cấp giấy gì",
        "đăng ký công bố hợp quy xong nhận được văn bản gì",  # not the legal "văn bản"
        "giay phep buu chinh mat, xin cap lai thi tra lai giay gi",
    ],
)
def test_the_paper_received_at_the_end_is_the_result(question: str) -> None:
    assert MATCHER.search(question).aspect == "result"
