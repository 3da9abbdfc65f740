"""HTML pages: report an incident, the list, one incident (route, timeline, PPC report), absences.

Views only translate HTTP to service calls: access is decided by ``tokutei.policy`` (an incident out of
scope answers 404 like a missing one); a refusal leaves the view as ``Refused`` and is shown as the one
refusal page. Nothing is written on GET.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import record
from tokutei.auditlog.targets import name_targets
from tokutei.core import jdates
from tokutei.core.views import post_form
from tokutei.policy import decide, get_or_refuse, restrict
from tokutei.policy.web import action_required, actor_of
from tokutei.profiles.selectors import get_profile
from tokutei.staff.http import SignedInRequest

from . import excel, selectors, services
from . import measures as measures_
from .deadlines import CATEGORIES, ITEMS
from .forms import AbsenceForm, MeasureForm, NoticeForm, PpcForm, ReportForm, SubmissionForm, TimelineForm
from .models import Absence, Incident, RouteStep


@action_required(Action.INCIDENTS_VIEW)
def index(request: SignedInRequest) -> HttpResponse:
    actor = actor_of(request)
    return render(request, "incidents/index.html", {
        "incidents": selectors.incidents(actor)[:200], "awaiting": selectors.awaiting(request.user)[:50],
        "warnings": selectors.due_warnings(actor), "can_export": decide(actor, Action.INCIDENTS_EXPORT).allowed})


@action_required(Action.INCIDENTS_REPORT)
def report(request: SignedInRequest) -> HttpResponse:
    initial = {"found_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "found_by": request.user.display_name}
    form = ReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        incident = services.report_incident(actor=actor_of(request), category=d["category"], summary=d["summary"],
                                            found_at=d["found_at"], found_by=d["found_by"], affected=form.affected(),
                                            suspected_cause=d["suspected_cause"])
        messages.success(request, _("事故等を報告しました（報告番号 %(n)s）") % {"n": incident.pk})
        return redirect("incidents:detail", pk=incident.pk)
    return render(request, "incidents/report.html", {"form": form})


def _detail_context(request: SignedInRequest, incident: Incident) -> dict:
    actor = actor_of(request)
    ppc = selectors.ppc_of(incident)
    can_ppc = decide(actor, Action.INCIDENTS_PPC_ASSESS, incident).allowed
    ppc_initial: dict[str, Any] = {"learned_at": timezone.localtime(ppc.learned_at if ppc else incident.reported_at)
                   .strftime("%Y-%m-%dT%H:%M")}
    if ppc is not None:
        ppc_initial |= {"categories": ppc.categories, "affected_people": ppc.affected_people,
                        **{f"item_{k}": v for k, v in ppc.items.items()}}
    return {
        **_measure_context(actor, incident),
        "can_records_log": decide(actor, Action.INCIDENTS_RECORDS_LOG, incident).allowed and bool(incident.affected),
        "can_raise_finding": decide(actor, Action.AUDITS_FINDING).allowed,
        "incident": incident, "steps": selectors.steps(incident),
        "timeline": incident.timeline.select_related("recorded_by"), "notices": incident.notices.all(),
        "ppc": ppc, "deadlines": selectors.deadlines_of(incident, ppc),
        "may_be_reportable": selectors.may_be_reportable(incident, ppc),
        "categories": [(k, v) for k, v in CATEGORIES.items() if ppc is not None and k in ppc.categories],
        "can_ack": RouteStep.objects.filter(incident=incident, acknowledged_at__isnull=True,
                                            recipients__user=request.user).exists(),
        "can_serious": RouteStep.objects.filter(incident=incident, recipients__user=request.user).exists()
        and RouteStep.objects.filter(incident=incident).count() < len(incident.route.get("roles", [])),
        "can_ppc": can_ppc, "timeline_form": TimelineForm(),
        "ppc_form": PpcForm(initial=ppc_initial) if can_ppc else None,
        "submission_form": SubmissionForm(initial={"on": timezone.localdate()}) if can_ppc and ppc else None,
        "notice_form": NoticeForm(initial={"notified_on": timezone.localdate()}) if can_ppc else None,
    }


def _measure_kinds(actor, incident: Incident) -> list[tuple[str, str]]:
    """The measures this person may record on this incident (the policy decides each)."""
    profile = get_profile()
    return [(kind, measures_.label(kind, profile)) for kind in measures_.available(profile)
            if decide(actor, Action.INCIDENTS_MEASURE, measures_.MeasureRequest(incident, kind)).allowed
            and (kind not in measures_.CARRIED_OUT_AS or decide(actor, measures_.CARRIED_OUT_AS[kind]).allowed)]


def _measure_form(actor, incident: Incident, data=None) -> MeasureForm:
    spec = measures_.available(get_profile()).get("committee_report")
    # prefixed: the timeline's form on the same page has its own 「種類」 (one id per field on the page)
    return MeasureForm(data, prefix="measure", kinds=_measure_kinds(actor, incident),
                       recipients=spec.recipients if spec else [])


def _measure_context(actor, incident: Incident) -> dict:
    form = _measure_form(actor, incident)
    return {"measures": [(m, measures_.label(m.kind)) for m in incident.measures.select_related("recorded_by")],
            "measure_form": form if form.has_kinds() else None,
            "disconnected": measures_.disconnected_since() if "disconnect" in measures_.available(get_profile())
            else None}


@action_required(Action.INCIDENTS_VIEW)
def detail(request: SignedInRequest, pk: int) -> HttpResponse:
    incident = get_or_refuse(actor_of(request), Action.INCIDENTS_VIEW, Incident.objects.all(), pk=pk)
    return render(request, "incidents/detail.html", _detail_context(request, incident))


def _back(pk: int) -> str:
    return reverse("incidents:detail", args=[pk])


def _on(pk: int, action: Action) -> tuple[Action, Any, int]:
    """The incident a POST is about: a missing or foreign id answers 404 before the form is read."""
    return action, Incident.objects.all(), pk


@require_POST
@action_required(Action.INCIDENTS_TIMELINE)
def timeline(request: SignedInRequest, pk: int) -> HttpResponse:
    return post_form(request, record=_on(pk, Action.INCIDENTS_TIMELINE), form=TimelineForm(request.POST),
                     back=_back(pk), message=_("経過を記録しました"),
                     call=lambda d: services.add_timeline_entry(actor=actor_of(request), incident_id=pk, kind=d["kind"],
                                                                text=d["text"], occurred_at=d.get("occurred_at")))


@require_POST
@action_required(Action.INCIDENTS_ACKNOWLEDGE)
def acknowledge(request: SignedInRequest, pk: int) -> HttpResponse:
    return post_form(request, back=_back(pk), message=_("報告を受領しました"),
                     call=lambda d: services.acknowledge(actor=actor_of(request), incident_id=pk))


@require_POST
@action_required(Action.INCIDENTS_SERIOUS)
def serious(request: SignedInRequest, pk: int) -> HttpResponse:
    return post_form(request, back=_back(pk), message=_("報告経路のすべての報告先に報告しました"),
                     call=lambda d: services.report_serious(actor=actor_of(request), incident_id=pk,
                                                            reason=request.POST.get("reason", "")[:1500]))


@require_POST
@action_required(Action.INCIDENTS_PPC_ASSESS)
def ppc(request: SignedInRequest, pk: int) -> HttpResponse:
    form = PpcForm(request.POST)
    return post_form(request, record=_on(pk, Action.INCIDENTS_PPC_ASSESS), form=form, back=_back(pk),
                     message=_("個人情報保護委員会への報告の判断を記録しました"),
                     call=lambda d: services.assess_ppc(actor=actor_of(request), incident_id=pk,
                                                        learned_at=d["learned_at"], categories=d["categories"],
                                                        affected_people=d.get("affected_people"),
                                                        items=form.items()))


@require_POST
@action_required(Action.INCIDENTS_PPC_SUBMIT)
def submission(request: SignedInRequest, pk: int) -> HttpResponse:
    return post_form(request, record=_on(pk, Action.INCIDENTS_PPC_SUBMIT), form=SubmissionForm(request.POST),
                     back=_back(pk), message=_("報告の提出を記録しました"),
                     call=lambda d: services.record_ppc_submission(actor=actor_of(request), incident_id=pk,
                                                                   kind=d["kind"], on=d["on"]))


@require_POST
@action_required(Action.INCIDENTS_NOTIFY_PERSON)
def notice(request: SignedInRequest, pk: int) -> HttpResponse:
    return post_form(request, record=_on(pk, Action.INCIDENTS_NOTIFY_PERSON), form=NoticeForm(request.POST),
                     back=_back(pk), message=_("本人への通知を記録しました"),
                     call=lambda d: services.record_person_notice(
                         actor=actor_of(request), incident_id=pk, record_id=d["record_id"], method=d["method"],
                         notified_on=d["notified_on"], note=d["note"]))


@require_POST
@action_required(Action.INCIDENTS_MEASURE)
def measure(request: SignedInRequest, pk: int) -> HttpResponse:
    from tokutei.staff.models import User

    actor = actor_of(request)

    def take(d: dict[str, Any]) -> None:
        person = User.objects.filter(username=d.get("username") or "").first() if d.get("username") else None
        measures_.take_measure(actor=actor, incident_id=pk, kind=d["kind"], text=d["text"],
                               occurred_at=d.get("occurred_at"), user_id=person.pk if person else None,
                               terminal_id=d.get("terminal"), recipients=d.get("recipients"),
                               vendor_id=d.get("vendor"))

    return post_form(request, record=_on(pk, Action.INCIDENTS_MEASURE), back=_back(pk), call=take,
                     form=lambda incident: _measure_form(actor, incident, request.POST),
                     message=lambda d: _("措置を記録しました: %(m)s") % {"m": measures_.label(d["kind"])})


@action_required(Action.INCIDENTS_RECORDS_LOG)
def records_log(request: SignedInRequest, pk: int) -> HttpResponse:
    """The operation log of the files, records, media and terminals the report names — read-only, for the
    investigator, and itself logged (R-INC: the log of the affected records one click away)."""
    actor = actor_of(request)
    incident = get_or_refuse(actor, Action.INCIDENTS_RECORDS_LOG, Incident.objects.all(), pk=pk)
    entries = selectors.records_log(incident)
    rows = name_targets(entries[:500])  # 「本人 #12（ファイル名）」: the names read once for the page
    record(action=Action.INCIDENTS_RECORDS_LOG, **actor.log_fields(), target_type="incident", target_id=incident.pk,
           count=len(rows), article=incident.article)
    return render(request, "incidents/records_log.html", {"incident": incident, "entries": rows,
                                                          "total": entries.count()})


@action_required(Action.INCIDENTS_PPC_ASSESS)
def ppc_print(request: SignedInRequest, pk: int) -> HttpResponse:
    """The report's items pre-filled from the record, on one A4 page (to copy into the PPC's form)."""
    incident = get_or_refuse(actor_of(request), Action.INCIDENTS_PPC_ASSESS, Incident.objects.all(), pk=pk)
    ppc = selectors.ppc_of(incident)
    return render(request, "incidents/ppc_print.html", {
        "incident": incident, "ppc": ppc, "deadlines": selectors.deadlines_of(incident, ppc),
        "items": selectors.report_items(incident, ppc), "item_labels": ITEMS,
        "categories": [(k, v, ppc is not None and k in ppc.categories) for k, v in CATEGORIES.items()]})


@action_required(Action.INCIDENTS_ABSENCE)
def absences(request: SignedInRequest) -> HttpResponse:
    from tokutei.staff.models import User

    form = AbsenceForm(request.POST or None, initial={"username": request.user.username,
                                                      "start_date": timezone.localdate(),
                                                      "end_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        person = User.objects.filter(username=d["username"]).first()
        services.record_absence(actor=actor_of(request), user_id=person.pk if person else 0,
                                start_date=d["start_date"], end_date=d["end_date"], reason=d["reason"])
        messages.success(request, _("不在を登録しました"))
        return redirect("incidents:absences")
    actor = actor_of(request)
    rows = Absence.objects.filter(revoked_at__isnull=True, end_date__gte=timezone.localdate()).select_related("user")
    # Each person sees their own absences; a manager sees those they may record (the same rule).
    mine = [a for a in rows[:500] if decide(actor, Action.INCIDENTS_ABSENCE, a.user).allowed]
    return render(request, "incidents/absences.html", {"form": form, "absences": mine[:200]})


@require_POST
@action_required(Action.INCIDENTS_ABSENCE)
def cancel_absence(request: SignedInRequest, pk: int) -> HttpResponse:
    return post_form(request, back=reverse("incidents:absences"), message=_("不在の登録を取り消しました"),
                     call=lambda d: services.cancel_absence(actor=actor_of(request), absence_id=pk))


@action_required(Action.INCIDENTS_EXPORT)
def export(request: SignedInRequest) -> HttpResponse:
    """The incidents the actor may export, as Excel (logged: incidents.export, with the count)."""
    actor = actor_of(request)
    profile = get_profile()
    incidents = restrict(Incident.objects.select_related("reported_by"), actor, Action.INCIDENTS_EXPORT)[:2000]
    data, rows = excel.export(_("事故等の報告"), f"{profile.organisation.name}　{jdates.to_wareki(timezone.localdate())}",
                              incidents)
    record(action=Action.INCIDENTS_EXPORT, **actor.log_fields(), target_type="incident", target_id="", count=rows,
           details={"format": "xlsx"})
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="incidents.xlsx"'
    return response
