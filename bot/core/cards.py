"""Procedure → short plain-Vietnamese texts: the card, and one text per section.

Texts are plain (channels escape and format them). A fact missing from the knowledge base is
shown as "chưa cập nhật" with the official link, never guessed.
"""

from __future__ import annotations

from bot.core.messages import Button
from bot.knowledge import Agency, Fee, Procedure

MISSING = "chưa cập nhật"
SHORT_FEES = 2  # more fee items than this are summed up on the card as a range
CHANNEL_LABELS = {"in_person": "trực tiếp", "post": "qua bưu điện", "online": "trực tuyến"}

# Section id → button label; ids travel in callback data, keep them short.
SECTIONS: dict[str, str] = {
    "docs": "📄 Hồ sơ cần nộp",
    "time": "⏱ Thời hạn giải quyết",
    "fee": "💰 Phí/lệ phí",
    "where": "📍 Nơi nộp",
    "legal": "⚖️ Căn cứ pháp lý",
}
EXTRA_SECTIONS: dict[str, str] = {
    "steps": "🧭 Các bước",
    "result": "🏷 Kết quả",
    "cond": "✅ Điều kiện",
    "valid": "📅 Thời hạn hiệu lực",
}
ASPECT_TO_SECTION = {
    "documents": "docs",
    "time": "time",
    "fee": "fee",
    "where": "where",
    "online": "where",
    "legal": "legal",
    "result": "result",
    "steps": "steps",
    "conditions": "cond",
    "validity": "valid",
}


def format_date(value: object) -> str:
    return value.strftime("%d/%m/%Y") if hasattr(value, "strftime") else str(value)


def format_vnd(amount: int) -> str:
    return "miễn phí" if amount == 0 else f"{amount:,}".replace(",", ".") + " đồng"


def time_line(p: Procedure) -> str:
    if (counted := p.processing_time.counted) is None:
        return p.processing_time.text or MISSING
    days, calendar = counted
    return f"{days} ngày (tính cả ngày nghỉ)" if calendar else f"{days} ngày làm việc"


def fee_line(p: Procedure) -> str:
    """Fees in one short line: listed when there are one or two, else their range."""
    if not p.fees:
        return MISSING
    if all(f.amount_vnd == 0 for f in p.fees):
        return "Không mất phí, lệ phí"
    if len(p.fees) <= SHORT_FEES:
        return "; ".join(t if a is None else f"{t} ({a})" for t, a in map(_fee_text, p.fees))
    amounts = [f.amount_vnd for f in p.fees if f.amount_vnd]
    known = len(amounts) == len([f for f in p.fees if f.amount_vnd != 0])
    span = (
        f"từ {format_vnd(min(amounts))} đến {format_vnd(max(amounts))}, tùy trường hợp"
        if known and amounts and min(amounts) < max(amounts)
        else "tùy trường hợp"
    )
    return f"{span} ({len(p.fees)} mức, xem nút “{SECTIONS['fee']}”)"


FREE_WORDS = ("không thu", "miễn", "không mất")


def _fee_text(fee: Fee) -> tuple[str, str | None]:
    """A fee's text, and its amount unless the text already states it ("… 1.000.000 đồng",
    "Không thu phí")."""
    if fee.amount_vnd is None:
        return fee.text, None
    if fee.amount_vnd == 0 and any(w in fee.text.lower() for w in FREE_WORDS):
        return fee.text, None
    amount = format_vnd(fee.amount_vnd)
    return fee.text, None if amount.split()[0] in fee.text else amount


def channels_line(p: Procedure) -> str:
    labels = [CHANNEL_LABELS[c] for c in p.submission.channels]
    return ", ".join(labels).capitalize() if labels else MISSING


def card_text(p: Procedure, lead: str | None = None, note: str | None = None) -> str:
    """The short card: the essentials a citizen needs, the asked section (and `note`) first."""
    lines = []
    if lead:
        lines += [section_text(p, lead), ""]
    if note:
        lines += [note, ""]
    summary = {  # section → its line; the section already shown first is not repeated
        "time": [f"⏱ Thời hạn giải quyết: {time_line(p)}"],
        "fee": [f"💰 Phí/lệ phí: {fee_line(p)}"],
        "where": [
            f"📍 Nơi nộp: {p.submission.where or MISSING}",
            f"📨 Cách nộp: {channels_line(p)}",
        ],
        "docs": [
            f"📄 Hồ sơ: {len(p.documents)} loại giấy tờ" if p.documents else f"📄 Hồ sơ: {MISSING}"
        ],
    }
    lines += [line for section, part in summary.items() if section != lead for line in part]
    lines += ["", f"Cập nhật ngày {format_date(p.verified_on)} — nguồn: {p.source_url}"]
    return "\n".join(lines)


def _numbered(items: list[str]) -> str:
    return "\n".join(f"{i}. {item}" for i, item in enumerate(items, start=1))


def section_text(p: Procedure, section: str) -> str:
    """The full text of one section of a procedure."""
    if section == "docs":
        if not p.documents:
            return f"📄 Hồ sơ: {MISSING}. Xem tại: {p.source_url}"
        items = []
        for d in p.documents:
            extra = [f"{d.copies} bộ/bản" if d.copies else "", d.note or ""]
            detail = "; ".join(x for x in extra if x)
            items.append(
                d.name
                + (f" ({detail})" if detail else "")
                + (f" — mẫu: {d.form_url}" if d.form_url else "")
            )
        return "📄 Hồ sơ cần nộp:\n" + _numbered(items)
    if section == "time":
        text = p.processing_time.text
        head = f"⏱ Thời hạn giải quyết: {time_line(p)}"
        return head + (f"\n({text})" if text and time_line(p) != text else "")
    if section == "fee":
        if not p.fees:
            return f"💰 Phí/lệ phí: {MISSING}. Xem tại: {p.source_url}"
        lines = (f"• {t}" + ("" if a is None else f": {a}") for t, a in map(_fee_text, p.fees))
        return "💰 Phí/lệ phí:\n" + "\n".join(lines)
    if section == "where":  # also answers "cơ quan nào có thẩm quyền …?"
        lines = [
            f"🏛 Cơ quan giải quyết: {p.agency}",
            f"📍 Nơi nộp: {p.submission.where or MISSING}",
            f"📨 Cách nộp: {channels_line(p)}",
        ]
        if p.submission.online_url:
            lines.append(f"🌐 Nộp trực tuyến: {p.submission.online_url}")
        return "\n".join(lines)
    if section == "legal":
        body = _numbered(p.legal_basis) if p.legal_basis else MISSING
        return "⚖️ Căn cứ pháp lý:\n" + body
    if section == "steps":
        return "🧭 Các bước thực hiện:\n" + (_numbered(p.steps) if p.steps else MISSING)
    if section == "result":
        return f"🏷 Kết quả: {p.result or MISSING}"
    if section == "cond":
        return f"✅ Điều kiện: {p.conditions or 'không có yêu cầu riêng (theo nguồn)'}"
    if section == "valid":  # how long the licence lasts, not how long it takes to get
        if p.validity:
            return f"📅 Thời hạn hiệu lực: {p.validity}"
        return (
            f"📅 Thời hạn hiệu lực (giấy tờ được cấp dùng được bao lâu): {MISSING}.\n"
            f"Bạn hỏi Sở (gõ /lienhe để xem địa chỉ, điện thoại) hoặc xem tại: {p.source_url}"
        )
    raise ValueError(f"unknown section {section!r}")


def section_buttons(p: Procedure, exclude: str | None = None) -> tuple[Button, ...]:
    """Buttons opening each section, plus the online-submission link when there is one."""
    buttons = [
        Button(label, action=f"sec:{p.key}:{sid}")
        for sid, label in SECTIONS.items()
        if sid != exclude
    ]
    if p.submission.online_url:
        buttons.append(Button("🌐 Nộp trực tuyến", url=p.submission.online_url))
    return tuple(buttons)


CHANGE_WORDS = {"reissue": "cấp lại", "extend": "gia hạn", "amend": "sửa đổi, bổ sung"}


def unoffered_note(changes: frozenset[str]) -> str:
    """Said when the answer does not do the change asked ("mất giấy chứng nhận …" answered
    with its first issue): the closest procedure, not a promise that it covers the case."""
    asked = " hay ".join(CHANGE_WORDS[c] for c in sorted(changes))
    return (
        f"Lưu ý: thủ tục dưới đây không nói đến việc {asked}. "
        "Bạn hỏi Sở (gõ /lienhe) để biết cần làm gì trong trường hợp của mình."
    )


def contact_text(agency: Agency) -> str:
    """How to reach the department; only the facts the knowledge base has."""
    lines = [f"🏛 {agency.name}"]
    if agency.desk_name:
        lines.append(f"Nơi tiếp nhận hồ sơ: {agency.desk_name}")
    for label, value in (
        ("Địa chỉ", agency.address),
        ("Điện thoại", agency.hotline),
        ("Email", agency.email),
        ("Giờ làm việc", agency.hours),
        ("Trang web", agency.website),
        ("Cổng dịch vụ công tỉnh", agency.portal_url),
    ):
        if value:
            lines.append(f"{label}: {value}")
    return "\n".join(lines)
