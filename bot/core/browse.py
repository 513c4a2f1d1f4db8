"""Commands and browsing: /start, /help, /linhvuc (fields → procedures), /tim, /lienhe.

Pure functions of the knowledge base. Field buttons carry a short hash of the field name
(`fld:<hash>:<page>`), stable across restarts and replicas; procedure buttons carry the key
(`card:<key>`). Lists are paginated so a keyboard stays short on a phone.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

from bot.core.cards import contact_text
from bot.core.matcher import Matcher
from bot.core.messages import Button, Reply
from bot.core.text import fold
from bot.knowledge import KnowledgeBase, Procedure

PAGE_SIZE = 8
# How a citizen asks each part, for examples naming a procedure ("… lệ phí bao nhiêu").
ASPECT_QUESTIONS = {
    "documents": "cần giấy tờ gì",
    "time": "mất bao lâu",
    "fee": "lệ phí bao nhiêu",
    "where": "nộp ở đâu",
    "online": "nộp trực tuyến được không",
    "legal": "căn cứ pháp lý là gì",
    "result": "kết quả là gì",
}
EXAMPLE_ASPECTS = tuple(ASPECT_QUESTIONS[a] for a in ("documents", "time", "fee"))
# The commands a channel can list in its menu ("/" in Telegram), with what each does.
MENU: tuple[tuple[str, str], ...] = (
    ("start", "Bắt đầu: lời chào và ví dụ câu hỏi"),
    ("linhvuc", "Xem thủ tục theo lĩnh vực"),
    ("tim", "Tìm thủ tục theo từ khóa, ví dụ: /tim x quang"),
    ("lienhe", "Địa chỉ, điện thoại của bộ phận một cửa"),
    ("help", "Hướng dẫn sử dụng"),
)
COMMANDS_HELP = (
    "/linhvuc — xem thủ tục theo lĩnh vực\n"
    "/tim <từ khóa> — tìm thủ tục, ví dụ: /tim x quang\n"
    "/lienhe — địa chỉ, điện thoại của bộ phận một cửa\n"
    "/help — hướng dẫn sử dụng"
)


def field_id(field: str) -> str:
    return hashlib.sha1(field.encode()).hexdigest()[:8]


def fields(kb: KnowledgeBase) -> dict[str, list[Procedure]]:
    """Field name → its procedures, both sorted by name."""
    grouped: dict[str, list[Procedure]] = defaultdict(list)
    for procedure in kb.procedures:
        grouped[procedure.field].append(procedure)
    return {f: sorted(grouped[f], key=lambda p: p.name) for f in sorted(grouped)}


def example_wordings(kb: KnowledgeBase, count: int = 3) -> list[str]:
    """How to name procedures the bot knows: one of each field first, shortest wording."""
    picked = [group[0] for group in fields(kb).values()]
    picked += [p for p in sorted(kb.procedures, key=lambda p: p.name) if p not in picked]
    wordings = (min((p.name, *p.aliases), key=len) for p in picked[:count])
    return [f"{w[0].lower()}{w[1:]}" for w in wordings]


def examples(kb: KnowledgeBase, count: int = 3) -> list[str]:
    """Example questions the bot can answer."""
    wordings = example_wordings(kb, count)
    return [f"{w} {aspect}" for w, aspect in zip(wordings, EXAMPLE_ASPECTS, strict=False)]


def which_procedure_reply(kb: KnowledgeBase, aspect: str) -> Reply:
    """A part asked with no procedure named and none under discussion ("phí bao nhiêu?"):
    ask which one, with an example, rather than record a knowledge gap."""
    example = f"{example_wordings(kb, 1)[0]} {ASPECT_QUESTIONS[aspect]}"
    text = (
        "Bạn đang hỏi về thủ tục nào? Hãy nhắn lại kèm tên thủ tục, "
        f"ví dụ: “{example}”. Hoặc bấm nút dưới đây để xem các thủ tục theo lĩnh vực."
    )
    return Reply(text, buttons=(Button("📂 Các lĩnh vực", action="flds:0"),), kind="which")


def start_reply(kb: KnowledgeBase) -> Reply:
    lines = [
        f"Xin chào! Tôi là trợ lý tự động hướng dẫn thủ tục hành chính của {kb.agency.name}.",
        "",
        "Bạn hãy gõ câu hỏi (có dấu hay không dấu đều được), tôi sẽ cho biết hồ sơ cần nộp, "
        "thời hạn, phí, nơi nộp và căn cứ pháp lý; tính ngày dự kiến có kết quả; và chuyển "
        "câu hỏi tới cán bộ khi cần.",
        "",
        "Ví dụ:",
        *(f"• {q}" for q in examples(kb)),
        "",
        COMMANDS_HELP,
    ]
    return Reply("\n".join(lines), kind="start")


def help_reply(kb: KnowledgeBase) -> Reply:
    lines = [
        "Cách dùng:",
        "• Gõ câu hỏi về thủ tục, ví dụ: " + "; ".join(f"“{q}”" for q in examples(kb, 2)) + ".",
        "• Bấm các nút dưới câu trả lời để xem hồ sơ, thời hạn, phí, nơi nộp.",
        "• Hỏi tiếp ngắn gọn như “còn lệ phí thì sao?”, “nộp online được không?” — "
        "tôi hiểu là về thủ tục vừa hỏi.",
        "• “Nộp hôm nay thì bao giờ có kết quả?” — tôi tính ngày theo ngày làm việc.",
        "• Sau mỗi câu trả lời, bạn có thể đánh giá bằng một lần bấm.",
        "",
        COMMANDS_HELP,
    ]
    return Reply("\n".join(lines), kind="help")


def contact_reply(kb: KnowledgeBase) -> Reply:
    return Reply(contact_text(kb.agency), kind="contact")


def status_reply(kb: KnowledgeBase) -> Reply:
    """A file already submitted: the bot cannot see it; say where its progress is shown."""
    where = f"trên Cổng dịch vụ công tỉnh ({kb.agency.portal_url}) " if kb.agency.portal_url else ""
    text = (
        "Tôi không xem được hồ sơ cụ thể của bạn. Bạn tra cứu tình trạng hồ sơ "
        f"{where}bằng mã hồ sơ ghi trên giấy tiếp nhận (phiếu hẹn trả kết quả), "
        "hoặc liên hệ nơi đã nộp:\n\n" + contact_text(kb.agency)
    )
    return Reply(text, kind="status")


def _pager(action: str, page: int, pages: int) -> list[Button]:
    buttons = []
    if page > 0:
        buttons.append(Button("◀️ Trang trước", action=f"{action}{page - 1}"))
    if page + 1 < pages:
        buttons.append(Button("Trang sau ▶️", action=f"{action}{page + 1}"))
    return buttons


def _page_bounds(total: int, page: int) -> tuple[int, int]:
    pages = max(1, -(-total // PAGE_SIZE))
    return min(max(page, 0), pages - 1), pages


def fields_reply(kb: KnowledgeBase, page: int = 0) -> Reply:
    grouped = fields(kb)
    page, pages = _page_bounds(len(grouped), page)
    names = list(grouped)[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    buttons = [
        Button(f"{name} ({len(grouped[name])})", action=f"fld:{field_id(name)}:0") for name in names
    ]
    text = "Chọn lĩnh vực để xem các thủ tục:"
    if pages > 1:
        text += f" (trang {page + 1}/{pages})"
    return Reply(text, buttons=(*buttons, *_pager("flds:", page, pages)), kind="fields")


def field_reply(kb: KnowledgeBase, fid: str, page: int = 0) -> Reply | None:
    """The procedures of one field, or None when no field has this id any more."""
    found = [(name, ps) for name, ps in fields(kb).items() if field_id(name) == fid]
    if not found:
        return None
    name, procedures = found[0]
    page, pages = _page_bounds(len(procedures), page)
    shown = procedures[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    buttons = [Button(p.name, action=f"card:{p.key}") for p in shown]
    buttons += _pager(f"fld:{fid}:", page, pages)
    buttons.append(Button("↩️ Các lĩnh vực", action="flds:0"))
    text = f"Lĩnh vực {name}: {len(procedures)} thủ tục"
    text += f" (trang {page + 1}/{pages})." if pages > 1 else "."
    return Reply(text, title=name, buttons=tuple(buttons), kind="field")


def keyword_search(matcher: Matcher, text: str) -> list[Procedure]:
    """Procedures whose name or aliases contain every folded keyword, the most general names
    first; the matcher's best guesses when none does (for /tim)."""
    words = fold(" ".join(matcher.normalizer.analyze(text).folded)).split()
    if not words:
        return []
    haystacks = ((p, fold(" ".join((p.name, *p.aliases)).lower())) for p in matcher.procedures)
    hits = [p for p, haystack in haystacks if all(w in haystack for w in words)]
    hits.sort(key=lambda p: len(p.name.split()))
    return hits or [m.procedure for m in matcher.search(text, PAGE_SIZE).matches]


def search_reply(matcher: Matcher, keywords: str) -> Reply:
    if not keywords.strip():
        return Reply("Bạn hãy gõ từ khóa sau lệnh, ví dụ: /tim x quang", kind="hint")
    found = keyword_search(matcher, keywords)[:PAGE_SIZE]
    if not found:
        return Reply(
            f"Không tìm thấy thủ tục nào với từ khóa “{keywords.strip()}”. "
            "Bạn thử từ khóa khác, hoặc xem /linhvuc.",
            kind="search_empty",
        )
    buttons = tuple(Button(p.name, action=f"card:{p.key}") for p in found)
    text = f"Các thủ tục phù hợp với “{keywords.strip()}” — bấm để xem:"
    return Reply(text, buttons=buttons, kind="search")
