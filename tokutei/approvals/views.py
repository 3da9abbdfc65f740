"""HTML pages: requests and the approver's queue (the registers' pages are ``tokutei.registers.views``).

Views only translate HTTP to service calls; every rule lives in services. A refusal is shown as a message
with its article and nothing changes.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tokutei.core.errors import Refused
from tokutei.staff.http import SignedInRequest

from . import selectors, services
from .forms import DecisionForm, RequestForm
from .models import ApprovalRequest


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
    for key, name in (("carry_out_id", "registers:carry_out"), ("medium_id", "registers:medium"),
                      ("document_id", "registers:document")):
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
