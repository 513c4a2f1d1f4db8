# ruff: noqa: RUF012  (sqladmin views are configured by mutable class attributes)
"""The admin's views, labelled in Vietnamese: procedures (editable, with a preview of the
citizen's card), questions, ratings and the audit log (read-only), unanswered questions.

Procedure edits never go through sqladmin's generic column copy: `update_model`/`insert_model`
hand the validated `Procedure` to `bot.staff.edits.save_procedure`, which writes it with its
audit record and bumps the knowledge version in one transaction.
"""

from __future__ import annotations

import json
from typing import Any

from sqladmin import BaseView, ModelView, expose
from sqladmin.flash import flash
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.admin.auth import current_staff, is_editor
from bot.admin.forms import ProcedureForm, form_values, to_procedure
from bot.core.cards import card_text
from bot.db import repo
from bot.db.models import AuditLog, Feedback, Interaction, ProcedureRow
from bot.staff import edits, unanswered
from bot.staff.edits import EditRefused
from bot.staff.missing_parts import missing_parts


def _staff_name(request: Request) -> str:
    staff = current_staff(request)
    return staff.name if staff else "?"


def _when(value: Any) -> str:
    return value.strftime("%d/%m/%Y %H:%M") if value else ""


class ProcedureAdmin(ModelView, model=ProcedureRow):
    name = "Thủ tục"
    name_plural = "Thủ tục"
    icon = "fa-solid fa-file-lines"
    column_list = [
        ProcedureRow.code,
        ProcedureRow.name,
        ProcedureRow.field,
        ProcedureRow.working_days,
        ProcedureRow.updated_at,
    ]
    column_labels = {
        "key": "Khoá",
        "code": "Mã",
        "name": "Tên thủ tục",
        "field": "Lĩnh vực",
        "agency": "Cơ quan",
        "level": "Cấp",
        "working_days": "Số ngày làm việc",
        "calendar_days": "Số ngày (tính cả ngày nghỉ)",
        "processing_time_text": "Thời hạn (mô tả)",
        "channels": "Cách nộp",
        "where": "Nơi nộp",
        "online_url": "Nộp trực tuyến",
        "legal_basis": "Căn cứ pháp lý",
        "conditions": "Điều kiện",
        "result": "Kết quả",
        "validity": "Thời hạn hiệu lực",
        "steps": "Các bước",
        "source_url": "Nguồn",
        "source_note": "Ghi chú nguồn",
        "verified_on": "Ngày kiểm tra",
        "updated_at": "Cập nhật lúc",
        "documents": "Thành phần hồ sơ",
        "fees": "Phí, lệ phí",
        "aliases": "Cách hỏi khác",
    }
    column_searchable_list = [ProcedureRow.name, ProcedureRow.code, ProcedureRow.field]
    column_sortable_list = [
        ProcedureRow.code,
        ProcedureRow.name,
        ProcedureRow.field,
        ProcedureRow.working_days,
        ProcedureRow.updated_at,
    ]
    column_default_sort = [(ProcedureRow.name, False)]
    column_details_exclude_list = [ProcedureRow.id]
    column_formatters = {ProcedureRow.updated_at: lambda m, a: _when(m.updated_at)}
    column_formatters_detail = {
        ProcedureRow.updated_at: lambda m, a: _when(m.updated_at),
        "documents": lambda m, a: " · ".join(d.name for d in m.documents),
        "fees": lambda m, a: " · ".join(
            f.text + ("" if f.amount_vnd is None else f" ({f.amount_vnd:,} đ)") for f in m.fees
        ),
        "aliases": lambda m, a: " · ".join(x.text for x in m.aliases),
    }
    can_delete = False
    can_export = False
    can_import = False
    form = ProcedureForm
    edit_template = "tthc/procedure_edit.html"
    create_template = "tthc/procedure_create.html"
    details_template = "tthc/procedure_details.html"
    page_size = 25

    async def get_form_data_for_edit(self, obj: Any) -> dict[str, Any]:
        return form_values(repo.row_to_procedure(obj))

    async def _save(self, request: Request, row_id: int | None, data: dict) -> ProcedureRow:
        procedure = to_procedure(data)
        async with self.session_maker.begin() as session:
            row = await edits.save_procedure(
                session,
                row_id=row_id,
                procedure=procedure,
                who=_staff_name(request),
                source="admin",
            )
        await self._admin_ref.knowledge_changed()  # type: ignore[attr-defined]
        flash(request, f"Đã lưu “{procedure.name}”. Trợ lý dùng thông tin mới ngay.", "success")
        return row

    async def update_model(self, request: Request, pk: str, data: dict) -> Any:
        return await self._save(request, int(pk), data)

    async def insert_model(self, request: Request, data: dict) -> Any:
        return await self._save(request, None, data)

    @expose("/preview", methods=["POST"])
    async def preview(self, request: Request) -> Response:
        """The citizen's card for the form as typed, above the same form; nothing saved."""
        if not (self.can_edit and self.has_permission(request, "edit")):
            raise HTTPException(status_code=403)
        form = ProcedureForm(await request.form())
        valid = form.validate()
        pk = request.query_params.get("pk")
        obj = None
        if pk and pk.isdigit():
            async with self.session_maker() as session:
                obj = await session.get(ProcedureRow, int(pk))
        context = {
            "model_view": self,
            "form": form,
            "obj": obj,
            "preview": card_text(form.procedure) if valid and form.procedure else None,
            "preview_title": form.procedure.name if valid and form.procedure else None,
        }
        template = self.edit_template if obj is not None else self.create_template
        return await self.templates.TemplateResponse(
            request, template, context, status_code=200 if valid else 400
        )


class InteractionAdmin(ModelView, model=Interaction):
    name = "Câu hỏi"
    name_plural = "Câu hỏi"
    icon = "fa-solid fa-comments"
    can_create = can_edit = can_delete = can_export = can_import = False
    column_list = [
        Interaction.created_at,
        Interaction.channel,
        Interaction.question,
        Interaction.outcome,
        Interaction.procedure_key,
        Interaction.confidence,
    ]
    column_details_exclude_list = [Interaction.user_key]
    column_labels = {
        "created_at": "Thời gian",
        "channel": "Kênh",
        "question": "Câu hỏi",
        "normalized": "Câu hỏi (chuẩn hoá)",
        "outcome": "Kết quả",
        "procedure_key": "Thủ tục",
        "confidence": "Độ tin cậy",
        "aspect": "Khía cạnh",
    }
    column_searchable_list = [Interaction.question, Interaction.procedure_key]
    column_sortable_list = [Interaction.created_at, Interaction.outcome, Interaction.channel]
    column_default_sort = [(Interaction.created_at, True)]
    column_formatters = {Interaction.created_at: lambda m, a: _when(m.created_at)}


class FeedbackAdmin(ModelView, model=Feedback):
    name = "Đánh giá"
    name_plural = "Đánh giá"
    icon = "fa-solid fa-star"
    can_create = can_edit = can_delete = can_export = can_import = False
    column_list = [
        Feedback.created_at,
        Feedback.interaction_id,
        Feedback.score,
        Feedback.enough_info,
        Feedback.comment,
    ]
    column_details_exclude_list = [Feedback.user_key]
    column_labels = {
        "created_at": "Thời gian",
        "updated_at": "Cập nhật",
        "interaction_id": "Câu hỏi số",
        "score": "Điểm (1–5)",
        "enough_info": "Đủ thông tin",
        "comment": "Góp ý",
    }
    column_sortable_list = [Feedback.created_at, Feedback.score]
    column_default_sort = [(Feedback.created_at, True)]
    column_formatters = {Feedback.created_at: lambda m, a: _when(m.created_at)}


def _changes(model: AuditLog, _: Any) -> str:
    return ", ".join(model.changes)


class AuditAdmin(ModelView, model=AuditLog):
    name = "Nhật ký thay đổi"
    name_plural = "Nhật ký thay đổi"
    icon = "fa-solid fa-clock-rotate-left"
    can_create = can_edit = can_delete = can_export = can_import = False
    column_list = [
        AuditLog.at,
        AuditLog.who,
        AuditLog.source,
        AuditLog.action,
        AuditLog.procedure_key,
        AuditLog.changes,
    ]
    column_labels = {
        "at": "Thời gian",
        "who": "Người sửa",
        "source": "Qua",
        "action": "Thao tác",
        "procedure_key": "Thủ tục",
        "changes": "Trường thay đổi",
    }
    column_searchable_list = [AuditLog.procedure_key, AuditLog.who]
    column_sortable_list = [AuditLog.at, AuditLog.who, AuditLog.procedure_key]
    column_default_sort = [(AuditLog.at, True)]
    column_formatters = {AuditLog.at: lambda m, a: _when(m.at), AuditLog.changes: _changes}
    column_formatters_detail = {
        AuditLog.at: lambda m, a: _when(m.at),
        AuditLog.changes: lambda m, a: json.dumps(m.changes, ensure_ascii=False, indent=1),
    }


class UnansweredView(BaseView):
    name = "Câu hỏi chưa trả lời"
    icon = "fa-solid fa-circle-question"

    @expose("/unanswered", methods=["GET"], identity="unanswered")
    async def page(self, request: Request) -> Response:
        admin = self._admin_ref  # type: ignore[attr-defined]
        assistant = admin.assistant
        async with admin.session_maker() as session:
            found = await unanswered.groups(session)
            gaps = await missing_parts(session, assistant.knowledge.procedures)
        procedures = sorted(assistant.knowledge.procedures, key=lambda p: p.name)
        rows = []
        for group in found:
            best = assistant.matcher.search(group.example).best
            rows.append({"group": group, "guess": best.procedure.key if best else None})
        context = {
            "rows": rows,
            "gaps": gaps,
            "procedures": procedures,
            "editor": is_editor(request),
        }
        return await self.templates.TemplateResponse(request, "tthc/unanswered.html", context)

    def _back(self, request: Request) -> Response:
        return RedirectResponse(request.url_for("admin:view-unanswered"), status_code=303)

    @expose("/unanswered/alias", methods=["POST"], identity="unanswered-alias")
    async def add_alias(self, request: Request) -> Response:
        """ "Thêm làm cách hỏi của thủ tục X": the alias matches at once (version bumped)."""
        if not is_editor(request):
            raise HTTPException(status_code=403)
        form = await request.form()
        texts = [str(t) for t in form.getlist("texts")]
        key, alias = str(form.get("procedure") or ""), str(form.get("alias") or "")
        admin = self._admin_ref  # type: ignore[attr-defined]
        who = _staff_name(request)
        try:
            async with admin.session_maker.begin() as session:
                procedure = await edits.add_alias(
                    session, key=key, alias=alias, who=who, source="admin"
                )
                await unanswered.dismiss(session, texts=texts, who=who, reason="alias")
        except EditRefused as exc:
            flash(request, f"Không thêm được: {exc}", "danger")
            return self._back(request)
        await admin.knowledge_changed()
        flash(request, f"Đã thêm “{alias.strip()}” làm cách hỏi của “{procedure.name}”.", "success")
        return self._back(request)

    @expose("/unanswered/dismiss", methods=["POST"], identity="unanswered-dismiss")
    async def dismiss(self, request: Request) -> Response:
        if not is_editor(request):
            raise HTTPException(status_code=403)
        form = await request.form()
        texts = [str(t) for t in form.getlist("texts")]
        admin = self._admin_ref  # type: ignore[attr-defined]
        async with admin.session_maker.begin() as session:
            await unanswered.dismiss(session, texts=texts, who=_staff_name(request))
        flash(request, "Đã bỏ qua nhóm câu hỏi.", "success")
        return self._back(request)


# sqladmin derives identities (URL parts) from model class names; these read better.
ProcedureAdmin.identity = "procedure"
InteractionAdmin.identity = "interaction"
FeedbackAdmin.identity = "feedback"
AuditAdmin.identity = "audit"
VIEWS = (ProcedureAdmin, UnansweredView, InteractionAdmin, FeedbackAdmin, AuditAdmin)
