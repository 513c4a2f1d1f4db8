"""The procedure form: every field of a `Procedure`, lists as one item per line.

Staff are not programmers, so documents, fees, legal bases, steps and aliases are plain
textareas ("one per line", parts separated by `|`) rather than nested sub-forms. Whatever is
typed is turned back into a dict and validated by `bot.knowledge.Procedure` itself (through
`bot.staff.edits.validate`); every problem is shown next to the field it belongs to, in
Vietnamese, and nothing is saved.
"""

from __future__ import annotations

import re
from typing import Any

from wtforms import Form, SelectMultipleField, StringField, TextAreaField, widgets

from bot.knowledge import Procedure
from bot.staff.edits import FIELD_LABELS, EditRefused, label, validate

CHANNEL_CHOICES = [("in_person", "Trực tiếp"), ("post", "Qua bưu điện"), ("online", "Trực tuyến")]
SEP = "|"
# Where a problem at a Procedure path is shown: the first path part, or a nested one.
FORM_FIELD = {
    "processing_time": "working_days",
    "processing_time.working_days": "working_days",
    "processing_time.calendar_days": "calendar_days",
    "processing_time.text": "processing_time_text",
    "submission": "channels",
    "submission.channels": "channels",
    "submission.where": "where",
    "submission.online_url": "online_url",
}


def _input(**kw: Any) -> dict[str, Any]:
    return {"class": "form-control", **kw}


def _lines(help_text: str) -> dict[str, Any]:
    return {"description": help_text, "render_kw": _input(rows=4)}


class ProcedureForm(Form):
    code = StringField(
        FIELD_LABELS["code"], description="Dạng 1.234567; để trống nếu chưa có", render_kw=_input()
    )
    name = StringField(FIELD_LABELS["name"], render_kw=_input())
    field = StringField(FIELD_LABELS["field"], render_kw=_input())
    agency = StringField(FIELD_LABELS["agency"], render_kw=_input())
    level = StringField(FIELD_LABELS["level"], render_kw=_input())
    working_days = StringField(
        FIELD_LABELS["processing_time.working_days"], render_kw=_input(inputmode="numeric")
    )
    calendar_days = StringField(
        FIELD_LABELS["processing_time.calendar_days"],
        description="Chỉ khi văn bản ghi “… ngày” (không phải ngày làm việc)",
        render_kw=_input(inputmode="numeric"),
    )
    processing_time_text = TextAreaField(
        FIELD_LABELS["processing_time.text"], render_kw=_input(rows=2)
    )
    documents = TextAreaField(
        FIELD_LABELS["documents"],
        **_lines("Mỗi dòng một giấy tờ: Tên giấy tờ | số bản | ghi chú | đường dẫn mẫu"),
    )
    fees = TextAreaField(
        FIELD_LABELS["fees"],
        **_lines("Mỗi dòng một khoản: Nội dung | số tiền (đồng, ví dụ 500.000; 0 là miễn phí)"),
    )
    channels = SelectMultipleField(
        FIELD_LABELS["submission.channels"],
        choices=CHANNEL_CHOICES,
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
        validate_choice=False,
    )
    where = TextAreaField(FIELD_LABELS["submission.where"], render_kw=_input(rows=2))
    online_url = StringField(FIELD_LABELS["submission.online_url"], render_kw=_input())
    legal_basis = TextAreaField(FIELD_LABELS["legal_basis"], **_lines("Mỗi dòng một văn bản"))
    conditions = TextAreaField(FIELD_LABELS["conditions"], render_kw=_input(rows=2))
    result = TextAreaField(FIELD_LABELS["result"], render_kw=_input(rows=2))
    validity = TextAreaField(FIELD_LABELS["validity"], render_kw=_input(rows=2))
    steps = TextAreaField(FIELD_LABELS["steps"], **_lines("Mỗi dòng một bước"))
    aliases = TextAreaField(
        FIELD_LABELS["aliases"], **_lines("Mỗi dòng một cách người dân hay hỏi về thủ tục này")
    )
    source_url = StringField(FIELD_LABELS["source_url"], render_kw=_input())
    source_note = TextAreaField(FIELD_LABELS["source_note"], render_kw=_input(rows=2))
    verified_on = StringField(FIELD_LABELS["verified_on"], render_kw=_input(type="date"))

    procedure: Procedure | None = None

    def validate(self, extra_validators: Any = None) -> bool:
        """Valid when `Procedure` accepts it; then `self.procedure` holds the result."""
        super().validate(extra_validators)
        try:
            self.procedure = to_procedure(self.data)
        except EditRefused as exc:
            for path, message in exc.problems.items():
                name = FORM_FIELD.get(path) or FORM_FIELD.get(
                    ".".join(p for p in path.split(".")[:2] if not p.isdigit())
                )
                field = getattr(self, name or path.split(".")[0], None)
                text = f"{label(path)}: {message}"
                if isinstance(field, StringField | SelectMultipleField):
                    field.errors = [*field.errors, text]
                else:
                    self.form_errors.append(text)
            return False
        return True


def _text(value: Any) -> str | None:
    text = str(value or "").strip()
    return text or None


def _split_lines(value: Any) -> list[str]:
    return [line.strip() for line in str(value or "").splitlines() if line.strip()]


def _parts(line: str, count: int) -> list[str | None]:
    parts = [p.strip() or None for p in line.split(SEP, count - 1)]
    return parts + [None] * (count - len(parts))


def _integer(text: str | None) -> int | str | None:
    """An integer from staff input ("500.000", "500,000 đồng", "-3"); else the text itself,
    which `Procedure` then refuses as not a number."""
    if text is None:
        return None
    cleaned = re.sub(r"\s*(đồng|đ|vnđ|vnd)\.?$", "", text.strip(), flags=re.IGNORECASE)
    if re.fullmatch(r"-?\d{1,3}([.,\s]\d{3})+|-?\d+", cleaned):
        return int(re.sub(r"[.,\s]", "", cleaned))
    return text


def to_procedure(values: dict[str, Any]) -> Procedure:
    """The form's values as a validated Procedure, or EditRefused naming the bad fields."""
    documents = []
    for line in _split_lines(values.get("documents")):
        name, copies, note, form_url = _parts(line, 4)
        documents.append(
            {"name": name or "", "copies": _integer(copies), "note": note, "form_url": form_url}
        )
    fees = []
    for line in _split_lines(values.get("fees")):
        text, amount = _parts(line, 2)
        fees.append({"text": text or "", "amount_vnd": _integer(amount)})
    data = {
        "code": _text(values.get("code")),
        "name": _text(values.get("name")),
        "field": _text(values.get("field")),
        "agency": _text(values.get("agency")),
        "level": _text(values.get("level")),
        "processing_time": {
            "working_days": _integer(_text(values.get("working_days"))),
            "calendar_days": _integer(_text(values.get("calendar_days"))),
            "text": _text(values.get("processing_time_text")),
        },
        "documents": documents,
        "fees": fees,
        "submission": {
            "channels": list(values.get("channels") or []),
            "where": _text(values.get("where")),
            "online_url": _text(values.get("online_url")),
        },
        "legal_basis": _split_lines(values.get("legal_basis")),
        "conditions": _text(values.get("conditions")),
        "result": _text(values.get("result")),
        "validity": _text(values.get("validity")),
        "steps": _split_lines(values.get("steps")),
        "aliases": _split_lines(values.get("aliases")),
        "source_url": _text(values.get("source_url")),
        "source_note": _text(values.get("source_note")),
        "verified_on": _text(values.get("verified_on")),
    }
    return validate({k: v for k, v in data.items() if v is not None})


def _join(*parts: Any) -> str:
    values = ["" if p is None else str(p) for p in parts]
    while values and not values[-1]:
        values.pop()
    return f" {SEP} ".join(values)


def form_values(p: Procedure) -> dict[str, Any]:
    """A procedure as the form's initial values (the inverse of `to_procedure`)."""
    return {
        "code": p.code or "",
        "name": p.name,
        "field": p.field,
        "agency": p.agency,
        "level": p.level or "",
        "working_days": ""
        if p.processing_time.working_days is None
        else str(p.processing_time.working_days),
        "calendar_days": ""
        if p.processing_time.calendar_days is None
        else str(p.processing_time.calendar_days),
        "processing_time_text": p.processing_time.text or "",
        "documents": "\n".join(_join(d.name, d.copies, d.note, d.form_url) for d in p.documents),
        "fees": "\n".join(_join(f.text, f.amount_vnd) for f in p.fees),
        "channels": list(p.submission.channels),
        "where": p.submission.where or "",
        "online_url": p.submission.online_url or "",
        "legal_basis": "\n".join(p.legal_basis),
        "conditions": p.conditions or "",
        "result": p.result or "",
        "validity": p.validity or "",
        "steps": "\n".join(p.steps),
        "aliases": "\n".join(p.aliases),
        "source_url": p.source_url,
        "source_note": p.source_note or "",
        "verified_on": p.verified_on.isoformat(),
    }
