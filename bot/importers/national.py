"""Procedures published in the national procedure database (dichvucong.gov.vn) → our models.

The national crawl flattens HTML tables into run-together text: `cach_thuc_thuc_hien` is
"channel, time, fee, note, description" cells repeated per channel with no separators, and
`thanh_phan_ho_so` is "document name, form file, count" rows. Staff import procedures published
there with `tthc-bot kb from-national`, and the national benchmark builds its knowledge base
with it. Only what is clearly stated becomes a number (working days, a fee amount); everything
else is kept as text, so nothing a citizen needs is guessed.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot.knowledge import (
    CODE_PATTERN,
    Document,
    Fee,
    KnowledgeError,
    Problem,
    Procedure,
    ProcessingTime,
    Submission,
    to_yaml,
)

NO_INFO = "Không có thông tin"
WAYS_HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"
DOCS_HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
LEGAL_HEADER = "Tên văn bản pháp lýMã văn bản"
CHANNELS = {"Trực tiếp": "in_person", "Dịch vụ bưu chính": "post", "Trực tuyến": "online"}
CHANNEL_ORDER = ("in_person", "post", "online")
REQUIRED = ("ma_thu_tuc", "ten_thu_tuc", "linh_vuc", "detail_url")

# A channel cell starts a row only when a time cell (a number or "Không …") follows it:
# descriptions also say "Trực tuyến: nộp hồ sơ …".
_WAY_START = re.compile(r"(Trực tiếp|Trực tuyến|Dịch vụ bưu chính)(?=\d|Không)")
_TIME_UNIT = re.compile(r"(\d+(?:[.,]\d+)?)\s*(Ngày làm việc|Ngày|Giờ|Tháng|Năm|Tuần|Phút)")
_TIME_NONE = re.compile(r"Không có thông tin|Không quy định|Không phải trả kết quả[^A-ZĐM]*")
_CURRENCY = r"Việt Nam Đồng|VNĐ|VND|Đồng|đồng|USD"
_FEE_AMOUNT = re.compile(rf"([1-9]\d*(?:[.,]\d{{3}})*|0)\s*({_CURRENCY})")
_BARE_TIME_THEN_AMOUNT = re.compile(rf"(\d+?)([1-9]\d*(?:[.,]\d{{3}})*\s*(?:{_CURRENCY}))")
_BARE_TIME = re.compile(r"\d+(?=Miễn phí|Không)")
_TIME_WORDS = re.compile(r"\d+\s*(ngày|giờ|tháng|phút|năm)|thời hạn|thời gian", re.IGNORECASE)
# Count cells are glued to the name ("…chung cư1 bản chính"; "…25/7/20231 bản chính" is year
# 2023 and 1 copy); "nộp 02 bản chính tờ khai" after a space is part of the name.
_N = r"((?<![\d\s])\d{1,2}|(?<=\d{4})\d)"
_COUNT = re.compile(rf"{_N} bản chính(?:,\s*(\d{{1,2}}) bản sao)?|{_N} bản sao")
_FORM_FILE = re.compile(r"\.(docx?|pdf|xlsx?|zip|rar)$", re.IGNORECASE)
_BULLET = re.compile(r"^(?:[\s\-+*•–]+|[a-zđ]\)\s*|\d+[.)]\s+)+")
# Code suffix parts are capitals (NĐ-CP, TT-BTC), QĐ-TTg, or the legislature (QH15,
# UBTVQH14), so a code glued to the next one ("NĐ-CP106/2024/…") ends where it should.
_SUFFIX = r"(?:[A-ZĐ]*QH\d{2}|TTg|[A-ZĐ]+)"
_LEGAL_CODE = re.compile(rf"(?:Luật số |Luật )?\d+(?:\.\d+)?/\d{{4}}/{_SUFFIX}(?:-{_SUFFIX})*")
_TITLE_WORD = re.compile(r"(?:Nghị|Luật|Thông|Quyết|Chỉ|Văn|Hướng|Quy|Sửa|Ban|Bộ)\b")
_STEP_START = re.compile(r"^\W*Bước\s*\d+", re.MULTILINE)


@dataclass(frozen=True)
class Way:
    """One row of the submission table: a channel with its time, fee and description."""

    channel: str
    time: str | None  # as shown to citizens, e.g. "5 ngày làm việc"
    days: tuple[int, bool] | None  # (count, in working days) for "5 Ngày làm việc", "15 Ngày"
    fee: str | None  # the fee cell, e.g. "2.000.000 đồng", "Miễn phí"
    amount_vnd: int | None
    fee_note: str | None
    description: str | None


def clean(text: str | None) -> str | None:
    """Collapse whitespace; None for empty cells and the portal's "no information"."""
    text = re.sub(r"\s+", " ", text or "").strip()
    return None if not text or text == NO_INFO else text


def _paren(text: str) -> tuple[str | None, str]:
    """Split a leading balanced "( … )" off `text`: (inside, rest)."""
    if not text.startswith("("):
        return None, text
    depth = 0
    for i, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return text[1:i], text[i + 1 :]
    return text[1:], ""


def _vnd(amount: str) -> int:
    return int(re.sub(r"[.,]", "", amount))


def _parse_way(channel: str, body: str) -> Way:
    time = fee = days = None
    amount = None
    guessed = False
    if m := _TIME_UNIT.match(body):
        number, unit = m.groups()
        time = f"{number} {unit.lower()}"
        if unit.startswith("Ngày") and number.isdigit():
            days = int(number), unit == "Ngày làm việc"
    elif m := _TIME_NONE.match(body):
        time = None if m.group() == NO_INFO else m.group().strip()
    elif m := _BARE_TIME_THEN_AMOUNT.match(body):  # "120,000 VNĐ": time and fee glued
        guessed = True  # the split is a guess, so the amount is not clear
    elif not (m := _BARE_TIME.match(body)):
        return Way(channel, None, None, None, None, None, clean(body))
    rest = body[m.end(1) if guessed else m.end() :]
    if rest.startswith("Miễn phí"):
        fee, rest = "Miễn phí", rest[len("Miễn phí") :]
    elif rest.startswith(NO_INFO):
        rest = rest[len(NO_INFO) :]
    elif fm := _FEE_AMOUNT.match(rest):
        value, currency = fm.groups()
        vnd = currency != "USD"
        shown = f"{_vnd(value):,}".replace(",", ".") if vnd else value
        fee, rest = f"{shown} {'đồng' if vnd else currency}", rest[fm.end() :]
        amount = _vnd(value) if vnd and not guessed and _vnd(value) >= 1000 else None
    note, rest = _paren(rest.lstrip())
    while note and (inner := _paren(note.strip()))[0] is not None and not inner[1].strip():
        note = inner[0]  # "((…))" → "…"
    note = clean(note)
    if fee == "Miễn phí" and not (note and re.search(r"\d", note)):
        amount = 0
    return Way(channel, time, days, fee, amount, note, clean(rest))


def parse_ways(text: str) -> list[Way]:
    """The submission table: one `Way` per channel row."""
    text = (text or "").removeprefix(WAYS_HEADER)
    parts = _WAY_START.split(text)
    return [_parse_way(ch, body) for ch, body in zip(parts[1::2], parts[2::2], strict=True)]


def _per_channel(values: dict[str, list[str]]) -> list[str]:
    """ "value" when every channel agrees, else "Trực tiếp, Trực tuyến: value" per value."""
    if len(values) == 1:
        return list(values)
    return [f"{', '.join(channels)}: {value}" for value, channels in values.items()]


def _group(ways: Iterable[Way], key: Any) -> dict[Any, list[str]]:
    grouped: dict[Any, list[str]] = {}
    for way in ways:
        if (value := key(way)) is not None:
            grouped.setdefault(value, []).append(way.channel)
    return grouped


def processing_time(ways: list[Way]) -> ProcessingTime:
    """One count when every channel with a time agrees on it (working or calendar days)."""
    counts = {w.days for w in ways if w.time is not None}
    count, working = counts.pop() if len(counts) == 1 and None not in counts else (None, False)
    parts = _per_channel(_group(ways, lambda w: w.time))
    timed = [w.description for w in ways if w.description and _TIME_WORDS.search(w.description)]
    parts += list(dict.fromkeys(timed))
    return ProcessingTime(
        working_days=count if working else None,
        calendar_days=None if working else count,
        text="; ".join(parts) or None,
    )


def fees(ways: list[Way]) -> list[Fee]:
    cells = _group(ways, lambda w: (w.fee, w.fee_note, w.amount_vnd) if w.fee else None)
    texts = _per_channel(
        {f"{fee} ({note})" if note else fee: chs for (fee, note, _), chs in cells.items()}
    )
    single = len(cells) == 1
    return [
        Fee(text=text, amount_vnd=amount if single else None)
        for text, (_, _, amount) in zip(texts, cells, strict=True)
    ]


def _split_form_file(piece: str) -> tuple[str, str | None]:
    """ "Đơn đề nghịMẫu số 01.docx" → ("Đơn đề nghị", "Mẫu số 01.docx")."""
    if not _FORM_FILE.search(piece):
        return piece, None
    for i in range(len(piece) - 1, 0, -1):
        glued = piece[i].isupper() and (piece[i - 1].islower() or piece[i - 1] in ";:.,)")
        if glued and (name := piece[:i].strip()):
            return name, piece[i:].strip()
    return piece, None


def _tidy(name: str) -> str:
    return re.sub(r"[\s;,:]+$", "", _BULLET.sub("", name)).strip()


def documents(text: str) -> list[Document]:
    """Documents from the flattened table, with counts and the case they belong to."""
    if not clean(text) or DOCS_HEADER not in text:
        return []
    groups = text.split(DOCS_HEADER)
    heading = _tidy(groups[0])
    result: list[Document] = []
    for body in groups[1:]:
        pieces = _COUNT.split(body)  # name, orig, copy, copy-only, name, …, tail
        for i in range(0, len(pieces) - 1, 4):
            name, form = _split_form_file(pieces[i])
            orig, copy = int(pieces[i + 1] or 0), int(pieces[i + 2] or pieces[i + 3] or 0)
            if not (name := _tidy(name)):
                continue
            kinds = [f"{n} {kind}" for n, kind in ((orig, "bản chính"), (copy, "bản sao")) if n]
            notes = [", ".join(kinds), f"Mẫu: {form}" if form else "", heading if heading else ""]
            note = "; ".join(n for n in notes if n) or None
            result.append(Document(name=name, copies=orig + copy or None, note=note))
        heading = _tidy(pieces[-1])
    return result


def legal_basis(text: str) -> list[str]:
    """Legal documents: each table row is a title followed by its code, glued together."""
    text = clean((text or "").removeprefix(LEGAL_HEADER))
    if not text:
        return []
    items: list[str] = []
    start = 0
    for m in _LEGAL_CODE.finditer(text):
        end = m.end()
        if _TITLE_WORD.match(text, end - 1):  # "…TT-BTCNghị định": back off one
            end -= 1
        if end < len(text) and (text[end].isspace() or text[end] in ",;.)"):
            continue  # a code cited inside a title, not the code cell
        title, code = text[start : m.start()].strip(), text[m.start() : end]
        start = end
        if not title or code.endswith(title) or title.endswith(code):
            item = title if title.endswith(code) else code
        else:
            short = len(title.split()) <= 3 or title.endswith(" số")
            item = f"{title} {code}" if short else f"{title} ({code})"
            item = title if code in title else item
        if items and item in items[-1]:
            continue
        items.append(item)
    if tail := text[start:].strip():
        items.append(tail)
    return items


def steps(text: str) -> list[str]:
    """Steps split at "Bước N"; other layouts keep one step per paragraph."""
    text = (text or "").strip()
    starts = [m.start() for m in _STEP_START.finditer(text)]
    if starts:
        blocks = [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
        if intro := clean(text[: starts[0]]):
            blocks.insert(0, intro)
    else:
        blocks = text.splitlines()
    return [s for block in blocks if (s := clean(_BULLET.sub("", block.strip())))]


def result_text(text: str) -> str | None:
    return clean((text or "").split("Mã: KQ")[0])


def to_procedure(row: dict[str, Any], verified_on: date) -> Procedure:
    """One national row → Procedure (pydantic validates; a bad row raises ValidationError)."""
    ways = parse_ways(row.get("cach_thuc_thuc_hien", ""))
    code = clean(row.get("ma_thu_tuc"))
    descriptions = [
        f"{w.channel}: {w.description}"
        for w in ways
        if w.description and not _TIME_WORDS.search(w.description)
    ]
    where = clean(row.get("dia_chi_tiep_nhan")) or "; ".join(dict.fromkeys(descriptions)) or None
    channels = {CHANNELS[w.channel] for w in ways}
    decision = clean(row.get("so_quyet_dinh"))
    return Procedure(
        code=code if code and re.match(CODE_PATTERN, code) else None,
        name=row.get("ten_thu_tuc", ""),  # exactly as published: benchmarks match by name
        field=clean(row.get("linh_vuc")) or "",
        agency=clean(row.get("co_quan_thuc_hien"))
        or clean(row.get("co_quan_co_tham_quyen"))
        or NO_INFO,  # as published: the portal names no agency for ~10% of rows
        level=clean(row.get("cap_thuc_hien")),
        processing_time=processing_time(ways),
        documents=documents(row.get("thanh_phan_ho_so", "")),
        fees=fees(ways),
        submission=Submission(channels=[c for c in CHANNEL_ORDER if c in channels], where=where),
        legal_basis=legal_basis(row.get("can_cu_phap_ly", "")),
        conditions=clean(row.get("yeu_cau_dieu_kien")),
        result=result_text(row.get("ket_qua_xu_ly", "")),
        steps=steps(row.get("trinh_tu_thuc_hien", "")),
        source_url=clean(row.get("detail_url")) or "",
        source_note="Cơ sở dữ liệu quốc gia về thủ tục hành chính (dichvucong.gov.vn)"
        + (f", mã {code}" if code else "")
        + (f", {decision}" if decision else ""),
        verified_on=verified_on,
    )


def read_rows(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, decoded JSON or the JSONDecodeError) for each non-empty line."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                try:
                    yield number, json.loads(line)
                except json.JSONDecodeError as exc:
                    yield number, exc


def load_national(
    path: Path, verified_on: date, codes: Iterable[str] | None = None
) -> list[Procedure]:
    """Every row of a national export as a Procedure; KnowledgeError lists every bad row."""
    wanted = set(codes) if codes else None
    problems: list[Problem] = []
    procedures: list[Procedure] = []
    try:
        rows = list(read_rows(path))
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise KnowledgeError([Problem(path, 1, "", f"cannot read: {exc}")]) from None
    for number, row in rows:
        if isinstance(row, json.JSONDecodeError):
            problems.append(Problem(path, number, "", f"invalid JSON: {row.msg}"))
            continue
        if not isinstance(row, dict):
            problems.append(Problem(path, number, "", "expected a JSON object"))
            continue
        if wanted is not None and row.get("ma_thu_tuc") not in wanted:
            continue
        missing = [key for key in REQUIRED if not isinstance(row.get(key), str)]
        if missing:
            problems.append(Problem(path, number, missing[0], "missing or not text"))
            continue
        try:
            procedures.append(to_procedure(row, verified_on))
        except ValidationError as exc:
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"])
                problems.append(Problem(path, number, where, err["msg"]))
    if wanted is not None:
        found = {p.code for p in procedures}
        problems += [Problem(path, 1, "code", f"{c} not found") for c in sorted(wanted - found)]
    if problems:
        raise KnowledgeError(problems)
    return procedures


def write_procedures(
    procedures: Iterable[Procedure], directory: Path, *, overwrite: bool = False
) -> tuple[list[Path], list[Path]]:
    """One `<key>.yaml` per procedure; existing files are kept unless `overwrite`."""
    directory.mkdir(parents=True, exist_ok=True)
    written, kept = [], []
    for procedure in procedures:
        target = directory / f"{procedure.key}.yaml"
        if target.exists() and not overwrite:
            kept.append(target)
            continue
        target.write_text(to_yaml(procedure.model_dump()), encoding="utf-8")
        written.append(target)
    return written, kept
