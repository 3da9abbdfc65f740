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
from tokutei.profiles.selectors import get_profile
from tokutei.staff.http import SignedInRequest

from . import selectors, services
from .forms import DecisionForm, KindForm
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
        "mine": mine, "rooms": rooms,
        "queue": [(r, selectors.particulars_display(r)) for r in selectors.approver_queue(actor_of(request))]})


@action_required(Action.APPROVALS_REQUEST)
def new_request(request: SignedInRequest) -> HttpResponse:
    """承認の申請: first the kind of operation, then that kind's own form (tokutei.approvals.kinds)."""
    profile = get_profile()
    enabled = {k: r for k, r in profile.approvals.items() if r.enabled}
    operation = request.POST.get("operation") or request.GET.get("operation", "")
    if operation not in enabled:
        choices = [(k, r, [services.step_title(s.model_dump()) for s in r.steps]) for k, r in enabled.items()]
        return render(request, "approvals/choose.html", {"kinds": choices, "title": _("承認の申請")})
    rule = enabled[operation]
    initial = {k: v for k, v in request.GET.items() if k != "operation"}
    form = KindForm(request.POST or None, operation=operation, user=request.user, initial=initial or None)
    if request.method == "POST" and form.is_valid():
        req = services.create_request(actor=actor_of(request), operation=operation, particulars=form.particulars(),
                                      subject=form.subject())
        messages.success(request, _("申請しました（承認番号 %(n)s）") % {"n": req.pk})
        return redirect("approvals:detail", pk=req.pk)
    return render(request, "approvals/form.html", {
        "form": form, "rule": rule, "title": _("承認の申請: %(kind)s") % {"kind": rule.ja},
        "steps": [services.step_title(s.model_dump()) for s in rule.steps]})


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
        "history": selectors.history(req),
        "title": services.operation_title(req.operation, req.rule),
        "can_decide": selectors.can_decide_now(req, request.user), "form": DecisionForm(),
        "is_requester": req.requester_id == request.user.pk})


@action_required(Action.APPROVALS_VIEW)
def print_sheet(request: SignedInRequest, pk: int) -> HttpResponse:
    """決裁票: the request on one A4 page — title block, scope, a 決裁欄 per step with its decision."""
    req = get_or_refuse(actor_of(request), Action.APPROVALS_VIEW,
                        ApprovalRequest.objects.prefetch_related("decisions"), pk=pk)
    return render(request, "approvals/print.html", {
        "req": req, "particulars": selectors.particulars_display(req), "steps": services.steps_state(req),
        "history": selectors.history(req), "title": services.operation_title(req.operation, req.rule)})


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
