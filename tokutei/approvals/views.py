"""HTML pages: requests and the approver's queue (the registers' pages are ``tokutei.registers.views``).

Views only translate HTTP to service calls: access is decided by ``tokutei.policy`` (a request out of scope
answers 404 like a missing one), every other rule lives in services. A refusal leaves the view as
``Refused`` and is shown as the one refusal page (``RefusalMiddleware``); nothing changes.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tokutei.auditlog.actions import Action
from tokutei.policy import get_or_refuse
from tokutei.policy.web import action_required, actor_of
from tokutei.staff.http import SignedInRequest

from . import selectors, services
from .forms import DecisionForm, RequestForm
from .models import ApprovalRequest

# --- requests ------------------------------------------------------------------------------------------


@action_required(Action.APPROVALS_VIEW)
def index(request: SignedInRequest) -> HttpResponse:
    """申請状況 and 承認待ち: the requester's list and the approver's queue."""
    # Each request with the titles of the steps it still lacks.
    mine = [(r, services.missing_steps(r) if r.status == ApprovalRequest.Status.PENDING else [])
            for r in selectors.my_requests(request.user)[:100]]
    rooms = selectors.room_permissions_in_force() if selectors.may_see_room_permissions(request.user) else None
    return render(request, "approvals/index.html", {
        "mine": mine, "queue": selectors.approver_queue(actor_of(request)), "rooms": rooms})


@action_required(Action.APPROVALS_REQUEST)
def new_request(request: SignedInRequest) -> HttpResponse:
    form = RequestForm(request.POST or None, initial=request.GET.dict() or None)
    if request.method == "POST" and form.is_valid():
        req = services.create_request(actor=actor_of(request), operation=form.cleaned_data["operation"],
                                      particulars=form.particulars(), subject=form.cleaned_data.get("subject"))
        messages.success(request, _("申請しました（承認番号 %(n)s）") % {"n": req.pk})
        return redirect("approvals:detail", pk=req.pk)
    return render(request, "approvals/form.html", {"form": form, "title": _("承認の申請")})


@action_required(Action.APPROVALS_VIEW)
def detail(request: SignedInRequest, pk: int) -> HttpResponse:
    req = get_or_refuse(actor_of(request), Action.APPROVALS_VIEW,
                        ApprovalRequest.objects.prefetch_related("decisions"), pk=pk)
    links = []
    p = req.particulars or {}
    for key, name in (("carry_out_id", "registers:carry_out"), ("medium_id", "registers:medium"),
                      ("document_id", "registers:document"), ("asset_id", "registers:asset")):
        if isinstance(p.get(key), int):
            links.append((selectors.PARTICULAR_LABELS.get(key, key), reverse(name, args=[p[key]])))
    return render(request, "approvals/detail.html", {
        "links": links, "particulars": selectors.particulars_display(req),
        "req": req, "steps": services.steps_state(req), "missing": services.missing_steps(req),
        "title": services.operation_title(req.operation, req.rule),
        "can_decide": selectors.can_decide_now(req, request.user), "form": DecisionForm(),
        "is_requester": req.requester_id == request.user.pk})


@require_POST
@action_required(Action.APPROVALS_VIEW)
def decide(request: SignedInRequest, pk: int) -> HttpResponse:
    form = DecisionForm(request.POST)
    approve = request.POST.get("decision") == "approve"
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    services.decide(actor=actor_of(request), request_id=pk, approve=approve, comment=comment)
    messages.success(request, _("承認しました") if approve else _("却下しました"))
    return redirect("approvals:detail", pk=pk)


@require_POST
@action_required(Action.APPROVALS_REQUEST)
def withdraw(request: SignedInRequest, pk: int) -> HttpResponse:
    services.withdraw(actor=actor_of(request), request_id=pk)
    messages.success(request, _("申請を取り下げました"))
    return redirect("approvals:index")
