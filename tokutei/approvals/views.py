"""HTML pages: requests and the approver's queue, media, carry-outs, documents, exports.

Views only translate HTTP to service calls; every rule lives in services/media/exports. A refusal is shown
as a message with its article and nothing changes.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tokutei.auditlog.services import record
from tokutei.core.errors import NotFoundOrForbidden, Refused
from tokutei.staff.http import SignedInRequest

from . import exports, media, selectors, services
from .forms import (
    CarryOutDoForm,
    CarryOutForm,
    CloseCarryOutForm,
    DecisionForm,
    DisposeForm,
    DocumentForm,
    DocumentOpForm,
    ExportForm,
    FaultForm,
    MediumForm,
    RequestForm,
)
from .models import ApprovalRequest, CarryOut, Document, Medium, TemporaryCopy


def _refused(request: HttpRequest, exc: Refused) -> None:
    messages.error(request, str(exc))


# --- requests ------------------------------------------------------------------------------------------


@login_required
def index(request: SignedInRequest) -> HttpResponse:
    """申請状況 and 承認待ち: the requester's list and the approver's queue."""
    # Each request with the titles of the steps it still lacks.
    mine = [(r, services.missing_steps(r) if r.status == ApprovalRequest.Status.PENDING else [])
            for r in selectors.my_requests(request.user)[:100]]
    rooms = selectors.room_permissions_in_force() if selectors.may_see_room_permissions(request.user) else None
    return render(request, "approvals/index.html", {
        "mine": mine, "queue": selectors.approver_queue(request.user), "rooms": rooms})


@login_required
def new_request(request: SignedInRequest) -> HttpResponse:
    form = RequestForm(request.POST or None, initial=request.GET.dict() or None)
    if request.method == "POST" and form.is_valid():
        try:
            req = services.create_request(actor=request.user, terminal=request.terminal,
                                          operation=form.cleaned_data["operation"], particulars=form.particulars(),
                                          subject=form.cleaned_data.get("subject"))
        except Refused as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("申請しました（承認番号 %(n)s）") % {"n": req.pk})
            return redirect("approvals:detail", pk=req.pk)
    return render(request, "approvals/form.html", {"form": form, "title": _("承認の申請")})


def _visible(request: HttpRequest, pk: int) -> ApprovalRequest:
    req = get_object_or_404(ApprovalRequest, pk=pk)
    if not selectors.may_view(req, request.user):
        raise Http404
    return req


@login_required
def detail(request: SignedInRequest, pk: int) -> HttpResponse:
    req = _visible(request, pk)
    links = []
    p = req.particulars or {}
    for key, name in (("carry_out_id", "approvals:carry_out"), ("medium_id", "approvals:medium"),
                      ("document_id", "approvals:document")):
        if isinstance(p.get(key), int):
            links.append((selectors.PARTICULAR_LABELS.get(key, key), reverse(name, args=[p[key]])))
    return render(request, "approvals/detail.html", {
        "links": links, "particulars": selectors.particulars_display(req),
        "req": req, "steps": services.steps_state(req), "missing": services.missing_steps(req),
        "title": services.operation_title(req.operation, req.rule),
        "can_decide": selectors.can_decide_now(req, request.user), "form": DecisionForm(),
        "is_requester": req.requester_id == request.user.pk})


@login_required
@require_POST
def decide(request: SignedInRequest, pk: int) -> HttpResponse:
    req = _visible(request, pk)
    form = DecisionForm(request.POST)
    approve = request.POST.get("decision") == "approve"
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        req = services.decide(actor=request.user, request_id=req.pk, approve=approve, comment=comment,
                              terminal=request.terminal)
    except Refused as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("承認しました") if approve else _("却下しました"))
    return redirect("approvals:detail", pk=pk)


@login_required
@require_POST
def withdraw(request: SignedInRequest, pk: int) -> HttpResponse:
    try:
        services.withdraw(actor=request.user, request_id=pk, terminal=request.terminal)
    except Refused as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("申請を取り下げました"))
    return redirect("approvals:index")


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
            return redirect("approvals:medium", pk=m.pk)
    return render(request, "approvals/media.html", {"media": selectors.media(), "form": form})


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
                return redirect("approvals:medium", pk=m.pk)
            if "fault" in request.POST:
                fault = FaultForm(request.POST, prefix="f")
                if fault.is_valid():
                    media.record_fault_check(actor=request.user, terminal=request.terminal, medium_id=m.pk,
                                             **fault.cleaned_data)
                    messages.success(request, _("障害の有無を記録しました"))
                    return redirect("approvals:medium", pk=m.pk)
            else:
                dispose = DisposeForm(request.POST, prefix="d")
                if dispose.is_valid():
                    media.dispose_medium(actor=request.user, terminal=request.terminal, medium_id=m.pk,
                                         **dispose.cleaned_data)
                    messages.success(request, _("廃棄を記録しました"))
                    return redirect("approvals:medium", pk=m.pk)
        except Refused as exc:
            _refused(request, exc)
    return render(request, "approvals/medium.html", {"m": m, "checks": m.checks.all()[:50],
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
            return redirect("approvals:carry_out", pk=co.pk)
    return render(request, "approvals/carry_outs.html", {"items": selectors.carry_outs()[:200], "form": form,
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
            return redirect("approvals:carry_out", pk=co.pk)
        except (Refused, NotFoundOrForbidden) as exc:
            _refused(request, exc)
    offered = policy.protections_offered()
    pending_id = media._pending_or_approved_for(co, policy) if co.status == CarryOut.Status.PLANNED else None
    pending = ApprovalRequest.objects.filter(pk=pending_id).first() if pending_id else None
    return render(request, "approvals/carry_out.html", {
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
            return redirect("approvals:document", pk=doc.pk)
    return render(request, "approvals/documents.html", {"items": selectors.documents(), "form": form})


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
            return redirect("approvals:document", pk=doc.pk)
    return render(request, "approvals/document.html", {"doc": doc, "events": doc.events.all()[:100], "form": form})


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
            response = render(request, "approvals/export_done.html", {"copy": copy, "passphrase": passphrase})
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "approvals/exports.html", {"copies": selectors.copies_of(request.user)[:100],
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
    return redirect("approvals:exports")
