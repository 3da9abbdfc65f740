"""HTML pages of the registers: media, carry-outs, documents, exports.

Views only translate HTTP to service calls; every rule lives in services.media/services.exports. A refusal
is shown as a message with its article and nothing changes.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tokutei.approvals import services
from tokutei.approvals.models import ApprovalRequest
from tokutei.auditlog.services import record
from tokutei.core.errors import NotFoundOrForbidden, Refused
from tokutei.staff.http import SignedInRequest

from . import selectors
from .forms import (
    CarryOutDoForm,
    CarryOutForm,
    CloseCarryOutForm,
    DisposeForm,
    DocumentForm,
    DocumentOpForm,
    ExportForm,
    FaultForm,
    MediumForm,
)
from .models import CarryOut, Document, Medium, TemporaryCopy
from .services import exports, media


def _refused(request: HttpRequest, exc: Refused) -> None:
    messages.error(request, str(exc))


# --- media ---------------------------------------------------------------------------------------------


@login_required
def media_list(request: SignedInRequest) -> HttpResponse:
    form = MediumForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            m = media.register_medium(actor=request.user, terminal=request.terminal, custodian=request.user,
                                      **form.cleaned_data)
        except Refused as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("記録媒体を登録しました"))
            return redirect("registers:medium", pk=m.pk)
    return render(request, "registers/media.html", {"media": selectors.media(), "form": form})


@login_required
def medium_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    m = get_object_or_404(Medium, pk=pk)
    fault, dispose = FaultForm(prefix="f"), DisposeForm(prefix="d")
    if request.method == "POST":
        try:
            if "move" in request.POST:
                media.move_medium(actor=request.user, terminal=request.terminal, medium_id=m.pk,
                                  storage_place=request.POST.get("storage_place", ""))
                messages.success(request, _("保管場所の変更を記録しました"))
                return redirect("registers:medium", pk=m.pk)
            if "fault" in request.POST:
                fault = FaultForm(request.POST, prefix="f")
                if fault.is_valid():
                    media.record_fault_check(actor=request.user, terminal=request.terminal, medium_id=m.pk,
                                             **fault.cleaned_data)
                    messages.success(request, _("障害の有無を記録しました"))
                    return redirect("registers:medium", pk=m.pk)
            else:
                dispose = DisposeForm(request.POST, prefix="d")
                if dispose.is_valid():
                    media.dispose_medium(actor=request.user, terminal=request.terminal, medium_id=m.pk,
                                         **dispose.cleaned_data)
                    messages.success(request, _("廃棄を記録しました"))
                    return redirect("registers:medium", pk=m.pk)
        except Refused as exc:
            _refused(request, exc)
    return render(request, "registers/medium.html", {"m": m, "checks": m.checks.all()[:50],
                                                     "carry_outs": m.carry_outs.all()[:50],
                                                     "fault": fault, "dispose": dispose})


# --- carry-outs ----------------------------------------------------------------------------------------


@login_required
def carry_out_list(request: SignedInRequest) -> HttpResponse:
    form = CarryOutForm(request.POST or None)
    policy = media.carry_out_policy()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            co = media.create_carry_out(
                actor=request.user, terminal=request.terminal, counterparty=data["counterparty"],
                media_type=data["media_type"], quantity=data["quantity"], record_count=data["record_count"],
                protections=data["protections"], purpose_key=data["purpose_key"], purpose_note=data["purpose_note"],
                medium_id=data["medium"].pk if data["medium"] else None)
        except Refused as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("持出しの計画を記録しました"))
            return redirect("registers:carry_out", pk=co.pk)
    return render(request, "registers/carry_outs.html", {"items": selectors.carry_outs()[:200], "form": form,
                                                         "policy": policy})


@login_required
def carry_out_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    co = get_object_or_404(CarryOut, pk=pk)
    policy = media.carry_out_policy()
    do_form, close_form = CarryOutDoForm(prefix="c"), CloseCarryOutForm(prefix="r")
    if request.method == "POST":
        try:
            if "request_approval" in request.POST:
                req = media.request_carry_out_approval(actor=request.user, terminal=request.terminal,
                                                       carry_out_id=co.pk)
                messages.success(request, _("承認を申請しました（承認番号 %(n)s）") % {"n": req.pk})
            elif "carry_out" in request.POST:
                do_form = CarryOutDoForm(request.POST, prefix="c")
                if do_form.is_valid():
                    media.carry_out(actor=request.user, terminal=request.terminal, carry_out_id=co.pk,
                                    approval_id=do_form.cleaned_data["approval_id"])
                    messages.success(request, _("持出しを記録しました"))
            elif "close" in request.POST:
                close_form = CloseCarryOutForm(request.POST, prefix="r")
                if close_form.is_valid():
                    media.close_carry_out(actor=request.user, terminal=request.terminal, carry_out_id=co.pk,
                                          **close_form.cleaned_data)
                    messages.success(request, _("記録しました"))
            return redirect("registers:carry_out", pk=co.pk)
        except (Refused, NotFoundOrForbidden) as exc:
            _refused(request, exc)
    offered = policy.protections_offered()
    pending_id = media._pending_or_approved_for(co, policy) if co.status == CarryOut.Status.PLANNED else None
    pending = ApprovalRequest.objects.filter(pk=pending_id).first() if pending_id else None
    return render(request, "registers/carry_out.html", {
        "pending": pending, "pending_missing": services.missing_steps(pending) if pending else [],
        "co": co, "policy": policy, "protections": [offered.get(p, p) for p in co.protections],
        "purpose": policy.allowed_purposes.get(co.purpose_key, co.purpose_key), "do_form": do_form,
        "close_form": close_form})


# --- documents -----------------------------------------------------------------------------------------


@login_required
def document_list(request: SignedInRequest) -> HttpResponse:
    form = DocumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            doc = media.register_document(actor=request.user, terminal=request.terminal, **form.cleaned_data)
        except Refused as exc:
            _refused(request, exc)
        else:
            return redirect("registers:document", pk=doc.pk)
    return render(request, "registers/documents.html", {"items": selectors.documents(), "form": form})


@login_required
def document_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    doc = get_object_or_404(Document, pk=pk)
    form = DocumentOpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            media.document_operation(actor=request.user, terminal=request.terminal, document_id=doc.pk,
                                     **form.cleaned_data)
        except Refused as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("記録しました"))
            return redirect("registers:document", pk=doc.pk)
    return render(request, "registers/document.html", {"doc": doc, "events": doc.events.all()[:100], "form": form})


# --- exports -------------------------------------------------------------------------------------------


@login_required
def export_list(request: SignedInRequest) -> HttpResponse:
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            copy, passphrase = exports.export_people(
                actor=request.user, terminal=request.terminal, purpose=data["purpose"], recipient=data["recipient"],
                person_ids=data["person_ids"], approval_id=data["approval_id"],
                bulk_approval_id=data["bulk_approval_id"])
        except Refused as exc:
            _refused(request, exc)
        else:
            # The passphrase is shown on this response only; it is stored nowhere.
            response = render(request, "registers/export_done.html", {"copy": copy, "passphrase": passphrase})
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "registers/exports.html", {"copies": selectors.copies_of(request.user)[:100],
                                                      "form": form})


@login_required
def export_download(request: SignedInRequest, pk: int) -> HttpResponseBase:
    """The encrypted file, for its creator only, before it expires."""
    copy = get_object_or_404(TemporaryCopy, pk=pk, created_by=request.user, deleted_at__isnull=True)
    if copy.expires_at <= timezone.now():
        raise Http404
    path = exports.copy_path(copy)
    if not path.exists():
        raise Http404
    record(action="vault.export", actor=request.user, terminal=request.terminal, purpose=copy.purpose,
           target_type="copy", target_id=copy.pk, count=copy.record_count, details={"stage": "download"})
    return FileResponse(open(path, "rb"), as_attachment=True, filename=copy.file_name,
                        content_type="application/octet-stream")


@login_required
@require_POST
def export_delete(request: SignedInRequest, pk: int) -> HttpResponse:
    copy = get_object_or_404(TemporaryCopy, pk=pk, created_by=request.user)
    exports.delete_copy(copy=copy, actor=request.user, terminal=request.terminal, reason="manual")
    messages.success(request, _("出力ファイルを削除しました"))
    return redirect("registers:exports")
