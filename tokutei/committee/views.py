"""HTML pages of the committee: meetings and circulated resolutions, attendance, minutes, action items, and
the minutes printed on A4. Access is the policy's (``action_required``); nothing is written on GET."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import record
from tokutei.core import jdates
from tokutei.core.views import post_form
from tokutei.policy import decide, get_or_refuse
from tokutei.policy.web import action_required, actor_of
from tokutei.profiles.selectors import get_profile
from tokutei.staff.http import SignedInRequest

from . import excel, selectors, services
from .forms import ActionItemForm, AttendeeForm, MeetingForm, MinutesForm
from .models import Meeting


def _body():
    return get_profile().governance_body


@action_required(Action.COMMITTEE_VIEW)
def index(request: SignedInRequest) -> HttpResponse:
    return render(request, "committee/index.html", {
        "body": _body(), "members": selectors.member_titles(), "meetings": selectors.meetings()[:200],
        "items": selectors.open_items()[:200], "today": timezone.localdate(),
        "can_export": decide(actor_of(request), Action.COMMITTEE_EXPORT).allowed})


@action_required(Action.COMMITTEE_MEETING)
def new_meeting(request: SignedInRequest) -> HttpResponse:
    body = _body()
    incidents = [(str(i.pk), f"#{i.pk} {i.get_category_display()} {i.summary[:40]}") for i in selectors.open_incidents()]
    findings = [(str(f.pk), f"#{f.pk} {f.get_severity_display()} {f.title[:40]}（{f.get_status_display()}）")
                for f in selectors.open_findings()]
    form = MeetingForm(request.POST or None, agenda=list(body.agenda) if body else [], incidents=incidents,
                       circulated=bool(body and body.circulated_decisions), vice_chair=bool(body and body.vice_chair),
                       findings=findings,
                       initial={"held_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        meeting = services.create_meeting(actor=actor_of(request), kind=d["kind"], title=d["title"],
                                          held_on=d["held_on"], agenda=form.agenda_items(),
                                          incident_ids=[int(i) for i in d["incidents"]],
                                          presiding=d.get("presiding") or Meeting.Presiding.CHAIR,
                                          finding_ids=[int(i) for i in d["findings"]])
        messages.success(request, _("登録しました"))
        return redirect("committee:detail", pk=meeting.pk)
    return render(request, "committee/form.html", {"form": form, "body": body})


def _meeting(request: SignedInRequest, pk: int) -> Meeting:
    return get_or_refuse(actor_of(request), Action.COMMITTEE_VIEW, Meeting.objects.all(), pk=pk)


@action_required(Action.COMMITTEE_VIEW)
def detail(request: SignedInRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    return render(request, "committee/detail.html", {
        "meeting": meeting, "body": _body(), "attendees": meeting.attendees.all(), "items": meeting.items.all(),
        "attendee_form": AttendeeForm(), "minutes_form": MinutesForm(initial={"minutes": meeting.minutes}),
        "item_form": ActionItemForm(), "members": selectors.member_titles(),
        "presiding": selectors.presiding_title(meeting)})


@action_required(Action.COMMITTEE_VIEW)
def print_minutes(request: SignedInRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    return render(request, "committee/print.html", {
        "meeting": meeting, "body": _body(), "attendees": meeting.attendees.all(), "items": meeting.items.all(),
        "chair": selectors.presiding_title(meeting)})


def _back(pk: int) -> str:
    return reverse("committee:detail", args=[pk])


@require_POST
@action_required(Action.COMMITTEE_ATTENDANCE)
def attendee(request: SignedInRequest, pk: int) -> HttpResponse:
    return post_form(request, record=(Action.COMMITTEE_ATTENDANCE, Meeting.objects.all(), pk),
                     form=AttendeeForm(request.POST), back=_back(pk), message=_("記録しました"),
                     call=lambda d: services.add_attendee(actor=actor_of(request), meeting_id=pk, **d))


@require_POST
@action_required(Action.COMMITTEE_MINUTES)
def minutes(request: SignedInRequest, pk: int) -> HttpResponse:
    finalise = request.POST.get("finalise") == "1"
    return post_form(request, record=(Action.COMMITTEE_MINUTES, Meeting.objects.all(), pk),
                     form=MinutesForm(request.POST), back=_back(pk),
                     message=_("議事録を確定しました") if finalise else _("記録しました"),
                     call=lambda d: services.record_minutes(actor=actor_of(request), meeting_id=pk,
                                                            minutes=d["minutes"], finalise=finalise))


@require_POST
@action_required(Action.COMMITTEE_ACTION_ITEM)
def action_item(request: SignedInRequest, pk: int) -> HttpResponse:
    return post_form(request, record=(Action.COMMITTEE_ACTION_ITEM, Meeting.objects.all(), pk),
                     form=ActionItemForm(request.POST), back=_back(pk), message=_("記録しました"),
                     call=lambda d: services.add_action_item(actor=actor_of(request), meeting_id=pk, **d))


@require_POST
@action_required(Action.COMMITTEE_ACTION_ITEM)
def close_item(request: SignedInRequest, pk: int) -> HttpResponse:
    return post_form(request, back=reverse("committee:index"), message=_("完了にしました"),
                     call=lambda d: services.close_action_item(actor=actor_of(request), item_id=pk,
                                                               note=request.POST.get("note", "")[:500]),
                     done=lambda item: _back(item.meeting_id))


@action_required(Action.COMMITTEE_EXPORT)
def export(request: SignedInRequest) -> HttpResponse:
    """Every meeting and decision, as Excel (logged: committee.export, with the count)."""
    actor = actor_of(request)
    profile = get_profile()
    body = _body()
    title = body.ja if body is not None else _("委員会")
    data, rows = excel.export(title, f"{profile.organisation.name}　{jdates.to_wareki(timezone.localdate())}",
                              selectors.meetings()[:2000])
    record(action=Action.COMMITTEE_EXPORT, **actor.log_fields(), target_type="meeting", target_id="", count=rows,
           article=body.article if body is not None else "", details={"format": "xlsx"})
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="committee.xlsx"'
    return response
