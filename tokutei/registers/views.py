"""HTML pages of the registers: media, carry-outs, documents, exports.

Views only translate HTTP to service calls: access is decided by ``tokutei.policy`` (``@action_required``,
``get_or_refuse`` — a record out of scope answers 404 exactly like a missing one), every other rule lives
in services.media/services.exports. A refusal leaves the view as ``Refused`` and is shown as the one
refusal page (``RefusalMiddleware``), logged where it was raised; nothing changes.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tokutei.approvals import services
from tokutei.approvals.models import ApprovalRequest
from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import record
from tokutei.policy import get_or_refuse, restrict
from tokutei.policy.web import action_required, actor_of
from tokutei.staff.http import SignedInRequest

from . import selectors
from .forms import (
    CarryOutDoForm,
    CarryOutForm,
    CloseCarryOutForm,
    DispatchCompleteForm,
    DispatchForm,
    DisposeForm,
    DocumentForm,
    DocumentOpForm,
    ExportForm,
    FaultForm,
    MediumForm,
    TransmitForm,
)
from .models import CarryOut, Dispatch, Document
from .services import dispatches, exports, media, transmissions

# --- media ---------------------------------------------------------------------------------------------


@action_required(Action.REGISTERS_VIEW)
def media_list(request: SignedInRequest) -> HttpResponse:
    actor = actor_of(request)
    form = MediumForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        m = media.register_medium(actor=actor, custodian=request.user, **form.cleaned_data)
        messages.success(request, _("記録媒体を登録しました"))
        return redirect("registers:medium", pk=m.pk)
    return render(request, "registers/media.html", {"media": restrict(selectors.media(), actor,
                                                                      Action.REGISTERS_VIEW), "form": form})


@action_required(Action.REGISTERS_VIEW)
def medium_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    m = get_or_refuse(actor, Action.REGISTERS_VIEW, selectors.media(), pk=pk)
    fault, dispose = FaultForm(prefix="f"), DisposeForm(prefix="d")
    if request.method == "POST":
        if "move" in request.POST:
            media.move_medium(actor=actor, medium_id=m.pk, storage_place=request.POST.get("storage_place", ""))
            messages.success(request, _("保管場所の変更を記録しました"))
            return redirect("registers:medium", pk=m.pk)
        if "fault" in request.POST:
            fault = FaultForm(request.POST, prefix="f")
            if fault.is_valid():
                media.record_fault_check(actor=actor, medium_id=m.pk, **fault.cleaned_data)
                messages.success(request, _("障害の有無を記録しました"))
                return redirect("registers:medium", pk=m.pk)
        else:
            dispose = DisposeForm(request.POST, prefix="d")
            if dispose.is_valid():
                media.dispose_medium(actor=actor, medium_id=m.pk, **dispose.cleaned_data)
                messages.success(request, _("廃棄を記録しました"))
                return redirect("registers:medium", pk=m.pk)
    carry_outs = restrict(m.carry_outs.all(), actor, Action.REGISTERS_VIEW)[:50]
    return render(request, "registers/medium.html", {"m": m, "checks": m.checks.all()[:50],
                                                     "carry_outs": carry_outs, "fault": fault, "dispose": dispose})


# --- carry-outs ----------------------------------------------------------------------------------------


@action_required(Action.REGISTERS_VIEW)
def carry_out_list(request: SignedInRequest) -> HttpResponse:
    actor = actor_of(request)
    form = CarryOutForm(request.POST or None)
    policy = media.carry_out_policy()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        co = media.create_carry_out(
            actor=actor, counterparty=data["counterparty"],
            media_type=data["media_type"], quantity=data["quantity"], record_count=data["record_count"],
            protections=data["protections"], purpose_key=data["purpose_key"], purpose_note=data["purpose_note"],
            medium_id=data["medium"].pk if data["medium"] else None, contract_id=data["contract_id"])
        messages.success(request, _("持出しの計画を記録しました"))
        return redirect("registers:carry_out", pk=co.pk)
    items = restrict(selectors.carry_outs(), actor, Action.REGISTERS_VIEW)[:200]
    return render(request, "registers/carry_outs.html", {"items": items, "form": form, "policy": policy})


@action_required(Action.REGISTERS_VIEW)
def carry_out_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    """One carry-out: only for those the rule lets see it (registers.rules); any other is not found (404)."""
    actor = actor_of(request)
    co = get_or_refuse(actor, Action.REGISTERS_VIEW, selectors.carry_outs(), pk=pk)
    policy = media.carry_out_policy()
    do_form, close_form = CarryOutDoForm(prefix="c"), CloseCarryOutForm(prefix="r")
    if request.method == "POST":
        if "request_approval" in request.POST:
            req = media.request_carry_out_approval(actor=actor, carry_out_id=co.pk)
            messages.success(request, _("承認を申請しました（承認番号 %(n)s）") % {"n": req.pk})
        elif "carry_out" in request.POST:
            do_form = CarryOutDoForm(request.POST, prefix="c")
            if do_form.is_valid():
                media.carry_out(actor=actor, carry_out_id=co.pk, approval_id=do_form.cleaned_data["approval_id"])
                messages.success(request, _("持出しを記録しました"))
        elif "close" in request.POST:
            close_form = CloseCarryOutForm(request.POST, prefix="r")
            if close_form.is_valid():
                media.close_carry_out(actor=actor, carry_out_id=co.pk, **close_form.cleaned_data)
                messages.success(request, _("記録しました"))
        return redirect("registers:carry_out", pk=co.pk)
    offered = policy.protections_offered()
    pending_id = media._pending_or_approved_for(co, policy) if co.status == CarryOut.Status.PLANNED else None
    pending = ApprovalRequest.objects.filter(pk=pending_id).first() if pending_id else None
    return render(request, "registers/carry_out.html", {
        "pending": pending, "pending_missing": services.missing_steps(pending) if pending else [],
        "co": co, "policy": policy, "protections": [offered.get(p, p) for p in co.protections],
        "purpose": policy.allowed_purposes.get(co.purpose_key, co.purpose_key), "do_form": do_form,
        "close_form": close_form})


# --- documents -----------------------------------------------------------------------------------------


@action_required(Action.REGISTERS_VIEW)
def document_list(request: SignedInRequest) -> HttpResponse:
    actor = actor_of(request)
    form = DocumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        doc = media.register_document(actor=actor, **form.cleaned_data)
        return redirect("registers:document", pk=doc.pk)
    items = restrict(selectors.documents(), actor, Action.REGISTERS_VIEW)
    return render(request, "registers/documents.html", {"items": items, "form": form})


@action_required(Action.REGISTERS_VIEW)
def document_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    doc = get_or_refuse(actor, Action.REGISTERS_VIEW, Document.objects.all(), pk=pk)
    form = DocumentOpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        media.document_operation(actor=actor, document_id=doc.pk, **form.cleaned_data)
        messages.success(request, _("記録しました"))
        return redirect("registers:document", pk=doc.pk)
    return render(request, "registers/document.html", {"doc": doc, "events": doc.events.all()[:100], "form": form})


# --- exports -------------------------------------------------------------------------------------------


@action_required(Action.REGISTERS_VIEW)
def export_list(request: SignedInRequest) -> HttpResponse:
    actor = actor_of(request)
    form = ExportForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        copy, passphrase = exports.export_people(
            actor=actor.for_purpose(data["purpose"]), recipient=data["recipient"], person_ids=data["person_ids"],
            approval_id=data["approval_id"], bulk_approval_id=data["bulk_approval_id"],
            contract_id=data["contract_id"], confirmed_only=data["people"] == "confirmed")
        # The passphrase is shown on this response only; it is stored nowhere.
        response = render(request, "registers/export_done.html", {"copy": copy, "passphrase": passphrase})
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "registers/exports.html", {"copies": selectors.copies_of(request.user)[:100],
                                                      "form": form})


@action_required(Action.REGISTERS_VIEW)
def export_download(request: SignedInRequest, pk: int) -> HttpResponseBase:
    """The encrypted file, for its creator only, before it expires (any other: not found, logged)."""
    actor = actor_of(request)
    copy = get_or_refuse(actor, Action.REGISTERS_VIEW, selectors.copies_of(request.user).filter(
        deleted_at__isnull=True, expires_at__gt=timezone.now()), pk=pk)
    path = exports.copy_path(copy)
    if not path.exists():
        raise Http404
    record(action=Action.VAULT_EXPORT, actor=request.user, terminal=actor.terminal, purpose=copy.purpose,
           target_type="copy", target_id=copy.pk, count=copy.record_count, details={"stage": "download"})
    return FileResponse(open(path, "rb"), as_attachment=True, filename=copy.file_name,
                        content_type="application/octet-stream")


@action_required(Action.REGISTERS_VIEW)
def export_transmit(request: SignedInRequest, pk: int) -> HttpResponse:
    """送信 of one's export file (E-08, E-45): for the task it was made for, over a channel of the list."""
    actor = actor_of(request)
    copy = get_or_refuse(actor, Action.REGISTERS_VIEW, selectors.copies_of(request.user).filter(
        deleted_at__isnull=True, expires_at__gt=timezone.now()), pk=pk)
    form = TransmitForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        transmissions.transmit(actor=actor.for_purpose(copy.purpose), copy_id=copy.pk, **form.cleaned_data)
        messages.success(request, _("送信を記録しました"))
        return redirect("registers:exports")
    labels = dict(transmissions.channel_choices())
    sent = [(t, labels.get(t.channel, t.channel)) for t in copy.transmissions.select_related("sent_by")]
    return render(request, "registers/transmit.html", {"copy": copy, "form": form, "sent": sent})


@require_POST
@action_required(Action.DOCUMENT_DELETE_COPY)
def export_delete(request: SignedInRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    copy = get_or_refuse(actor, Action.DOCUMENT_DELETE_COPY, selectors.copies_of(request.user), pk=pk)
    exports.delete_copy(copy=copy, actor=actor, reason="manual")
    messages.success(request, _("出力ファイルを削除しました"))
    return redirect("registers:exports")


# --- 回付・進達 (004 §14(2), E-39) ----------------------------------------------------------------------------


@action_required(Action.REGISTERS_VIEW)
def dispatch_list(request: SignedInRequest) -> HttpResponse:
    """One's 回付・進達: open them, and complete an open one (a 進達 by a mailing method of the list)."""
    actor = actor_of(request)
    form = DispatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        dispatches.open_dispatch(actor=actor.for_purpose(data.pop("purpose")), **data)
        messages.success(request, _("回付・進達を起票しました"))
        return redirect("registers:dispatches")
    rows = Dispatch.objects.filter(created_by=request.user).select_related("completed_by")[:200]
    return render(request, "registers/dispatches.html", {"form": form, "rows": rows,
                                                         "complete_form": DispatchCompleteForm()})


@require_POST
@action_required(Action.REGISTERS_VIEW)
def dispatch_complete(request: SignedInRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    row = get_or_refuse(actor, Action.REGISTERS_VIEW, Dispatch.objects.filter(created_by=request.user), pk=pk)
    form = DispatchCompleteForm(request.POST)
    if form.is_valid():
        dispatches.complete_dispatch(actor=actor.for_purpose(row.purpose), dispatch_id=row.pk, **form.cleaned_data)
        messages.success(request, _("回付・進達を完了し、運用状況記録票に記録しました"))
    else:
        messages.error(request, _("郵送方法は一覧から選択してください"))
    return redirect("registers:dispatches")
