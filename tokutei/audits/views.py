"""HTML pages of the audit programme: the schedule, engagements and their checklists, findings, the
article-by-article evidence, the management-review pack (printable), and the Excel exports. Training and
handover pages are in ``views_people``. Access is the policy's; nothing is written on GET but the log of
an export.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import record
from tokutei.policy import decide, get_or_refuse
from tokutei.policy.web import action_required, actor_of
from tokutei.profiles.selectors import get_profile
from tokutei.staff.http import SignedInRequest

from . import evidence, excel, schedule, selectors, services, training
from .forms import (
    AnswerForm,
    CorrectiveForm,
    EngagementForm,
    FindingForm,
    PeriodForm,
    ReceiptForm,
    RecheckForm,
    ReportForm,
)
from .models import Engagement, Finding


def _period(request: SignedInRequest, default_days: int = 365) -> tuple[dt.date, dt.date, PeriodForm]:
    form = PeriodForm(request.GET or None)
    today = timezone.localdate()
    start, end = today - dt.timedelta(days=default_days), today
    if form.is_valid():
        start = form.cleaned_data.get("period_from") or start
        end = form.cleaned_data.get("period_to") or end
    if end < start:
        start, end = end, start
    form = PeriodForm(initial={"period_from": start, "period_to": end})
    return start, end, form


def _owners() -> list[tuple[str, str]]:
    from tokutei.staff.models import User

    return [(str(u.pk), f"{u.display_name}（{u.username}）") for u in User.objects.filter(is_active=True)
            .order_by("username")[:500]]


@action_required(Action.AUDITS_VIEW)
def index(request: SignedInRequest) -> HttpResponse:
    actor = actor_of(request)
    return render(request, "audits/index.html", {
        "duties": schedule.duties(), "engagements": selectors.engagements()[:100],
        "findings": selectors.open_findings(actor)[:100], "training": training.summary(),
        "conflicts": selectors.conflicts(), "handovers": selectors.handovers(actor)[:50],
        "profile": get_profile(),
        "can_open": decide(actor, Action.AUDITS_ENGAGEMENT).allowed,
        "can_finding": decide(actor, Action.AUDITS_FINDING).allowed,
        "can_export": decide(actor, Action.AUDITS_EXPORT).allowed})


@action_required(Action.AUDITS_ENGAGEMENT)
def new_engagement(request: SignedInRequest) -> HttpResponse:
    profile = get_profile()
    choices = [(k, s.ja) for k, s in profile.schedules.items() if s.kind in ("audit", "inspection", "review")]
    today = timezone.localdate()
    form = EngagementForm(request.POST or None, schedules=choices,
                          initial={"period_from": today - dt.timedelta(days=365), "period_to": today,
                                   "kind": request.GET.get("kind", "inspection"),
                                   "schedule_key": request.GET.get("schedule", "")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        engagement = services.open_engagement(
            actor=actor_of(request), kind=d["kind"], title=d["title"], period_from=d["period_from"],
            period_to=d["period_to"], schedule_key=d["schedule_key"], scope=d["scope"], external=d["external"])
        messages.success(request, _("開始しました"))
        return redirect("audits:engagement", pk=engagement.pk)
    return render(request, "audits/engagement_form.html", {"form": form})


def _engagement(request: SignedInRequest, pk: int) -> Engagement:
    return get_or_refuse(actor_of(request), Action.AUDITS_VIEW, selectors.engagements(), pk=pk)


def _engagement_context(request: SignedInRequest, engagement: Engagement) -> dict:
    actor = actor_of(request)
    profile = get_profile()
    rows = evidence.checklist(profile, engagement.kind, engagement.period_from, engagement.period_to)
    answers = selectors.answers_of(engagement)
    is_open = engagement.status == Engagement.Status.OPEN
    return {
        "engagement": engagement, "rows": [(r, answers.get(r.id)) for r in rows],
        "answered": sum(1 for r in rows if r.id in answers), "total": len(rows),
        "findings": engagement.findings.select_related("owner"), "receipts": engagement.receipts.select_related("user"),
        "recipients": [profile.roles[r].ja for r in engagement.recipients if r in profile.roles],
        "can_answer": is_open and decide(actor, Action.AUDITS_ANSWER, engagement).allowed,
        "can_receive": decide(actor, Action.AUDITS_RECEIVE, engagement).allowed
        and not engagement.receipts.filter(user=request.user).exists(),
        "can_finding": decide(actor, Action.AUDITS_FINDING).allowed,
        "report_form": ReportForm(), "receipt_form": ReceiptForm(),
        "finding_form": FindingForm(owners=_owners(), initial={"source": engagement.kind,
                                                                "engagement_id": engagement.pk,
                                                                "owner": str(engagement.lead_id)}),
    }


@action_required(Action.AUDITS_VIEW)
def engagement(request: SignedInRequest, pk: int) -> HttpResponse:
    return render(request, "audits/engagement.html", _engagement_context(request, _engagement(request, pk)))


@action_required(Action.AUDITS_VIEW)
def engagement_print(request: SignedInRequest, pk: int) -> HttpResponse:
    return render(request, "audits/engagement_print.html", _engagement_context(request, _engagement(request, pk)))


@require_POST
@action_required(Action.AUDITS_ANSWER)
def answer(request: SignedInRequest, pk: int) -> HttpResponse:
    get_or_refuse(actor_of(request), Action.AUDITS_ANSWER, Engagement.objects.all(), pk=pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        services.answer(actor=actor_of(request), engagement_id=pk, item_id=d["item_id"], result=d["result"],
                        evidence_text=d["evidence"])
    else:
        messages.error(request, _("結果を選んでください"))
    return redirect(f"{request.path.removesuffix('answer/')}#item-{request.POST.get('item_id', '')}")


@require_POST
@action_required(Action.AUDITS_REPORT)
def report(request: SignedInRequest, pk: int) -> HttpResponse:
    get_or_refuse(actor_of(request), Action.AUDITS_REPORT, Engagement.objects.all(), pk=pk)
    form = ReportForm(request.POST)
    form.is_valid()
    services.report(actor=actor_of(request), engagement_id=pk, summary=form.cleaned_data.get("summary", ""))
    messages.success(request, _("報告しました"))
    return redirect("audits:engagement", pk=pk)


@require_POST
@action_required(Action.AUDITS_RECEIVE)
def receive(request: SignedInRequest, pk: int) -> HttpResponse:
    get_or_refuse(actor_of(request), Action.AUDITS_RECEIVE, Engagement.objects.all(), pk=pk)
    form = ReceiptForm(request.POST)
    form.is_valid()
    services.receive(actor=actor_of(request), engagement_id=pk, comment=form.cleaned_data.get("comment", ""))
    messages.success(request, _("受領しました"))
    return redirect("audits:engagement", pk=pk)


# --- findings ---------------------------------------------------------------------------------------------


@action_required(Action.AUDITS_FINDING)
def new_finding(request: SignedInRequest) -> HttpResponse:
    form = FindingForm(request.POST or None, owners=_owners(),
                       initial={"source": request.GET.get("source", "incident"),
                                "incident_id": request.GET.get("incident") or None,
                                "log_review_id": request.GET.get("review") or None})
    if request.method == "POST" and form.is_valid():
        from tokutei.staff.models import User

        d = form.cleaned_data
        finding = services.raise_finding(
            actor=actor_of(request), source=d["source"], title=d["title"], severity=d["severity"],
            owner=User.objects.filter(pk=d["owner"]).first(), due_on=d["due_on"], engagement_id=d["engagement_id"],
            item_id=d["item_id"], incident_id=d["incident_id"], log_review_id=d["log_review_id"], detail=d["detail"])
        messages.success(request, _("指摘事項を登録しました"))
        return redirect("audits:finding", pk=finding.pk)
    return render(request, "audits/finding_form.html", {"form": form})


@action_required(Action.AUDITS_VIEW)
def findings(request: SignedInRequest) -> HttpResponse:
    return render(request, "audits/findings.html", {"findings": selectors.findings(actor_of(request))[:500]})


@action_required(Action.AUDITS_CORRECTIVE)
def finding(request: SignedInRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    item = get_or_refuse(actor, Action.AUDITS_CORRECTIVE, selectors.findings(actor), pk=pk)
    return render(request, "audits/finding.html", {
        "finding": item, "corrective_form": CorrectiveForm(initial={"root_cause": item.root_cause}),
        "recheck_form": RecheckForm(),
        "can_recheck": item.status == Finding.Status.ACTION_TAKEN and item.owner_id != request.user.pk
        and decide(actor, Action.AUDITS_RECHECK).allowed})


@require_POST
@action_required(Action.AUDITS_CORRECTIVE)
def corrective(request: SignedInRequest, pk: int) -> HttpResponse:
    get_or_refuse(actor_of(request), Action.AUDITS_CORRECTIVE, Finding.objects.all(), pk=pk)
    form = CorrectiveForm(request.POST)
    if form.is_valid():
        services.record_corrective(actor=actor_of(request), finding_id=pk, **form.cleaned_data)
        messages.success(request, _("是正措置を記録しました"))
    else:
        messages.error(request, _("是正措置を記入してください"))
    return redirect("audits:finding", pk=pk)


@require_POST
@action_required(Action.AUDITS_RECHECK)
def recheck(request: SignedInRequest, pk: int) -> HttpResponse:
    get_or_refuse(actor_of(request), Action.AUDITS_RECHECK, Finding.objects.all(), pk=pk)
    form = RecheckForm(request.POST)
    if form.is_valid():
        services.recheck(actor=actor_of(request), finding_id=pk, **form.cleaned_data)
        messages.success(request, _("再確認を記録しました"))
    return redirect("audits:finding", pk=pk)


# --- evidence, review pack, exports ------------------------------------------------------------------------


def _evidence_context(request: SignedInRequest) -> dict:
    start, end, form = _period(request)
    rows = evidence.article_rows(get_profile(), start, end)
    return {"rows": rows, "summary": evidence.summary(rows), "period_from": start, "period_to": end, "form": form,
            "map": evidence.the_map(get_profile()), "results": evidence.RESULT_LABELS}


@action_required(Action.AUDITS_EVIDENCE)
def evidence_page(request: SignedInRequest) -> HttpResponse:
    return render(request, "audits/evidence.html", _evidence_context(request))


@action_required(Action.AUDITS_EVIDENCE)
def evidence_print(request: SignedInRequest) -> HttpResponse:
    return render(request, "audits/evidence_print.html", _evidence_context(request))


@action_required(Action.AUDITS_EXPORT)
def evidence_excel(request: SignedInRequest) -> HttpResponse:
    start, end, _form = _period(request)
    data, count = excel.evidence_workbook(get_profile(), start, end)
    record(action=Action.AUDITS_EXPORT, **actor_of(request).log_fields(), target_type="evidence", count=count,
           details={"format": "xlsx", "from": start.isoformat(), "to": end.isoformat()})
    return excel.response(data, "evidence.xlsx")


@action_required(Action.AUDITS_EXPORT)
def findings_excel(request: SignedInRequest) -> HttpResponse:
    rows = list(selectors.findings(actor_of(request))[:5000])
    data = excel.findings(rows)
    record(action=Action.AUDITS_EXPORT, **actor_of(request).log_fields(), target_type="finding", count=len(rows),
           details={"format": "xlsx"})
    return excel.response(data, "findings.xlsx")


@action_required(Action.AUDITS_VIEW)
def review_pack(request: SignedInRequest) -> HttpResponse:
    start, end, form = _period(request)
    return render(request, "audits/review.html", {
        "pack": selectors.review_pack(start, end), "period_from": start, "period_to": end, "form": form,
        "rows_summary": evidence.summary(evidence.article_rows(get_profile(), start, end)),
        "duties": schedule.duties(), "profile": get_profile()})
