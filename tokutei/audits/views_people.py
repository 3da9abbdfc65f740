"""HTML pages of training (plans, sessions, attendance, certificates, who is overdue) and of the 業務引継簿
(003 §5): written by the outgoing holder, confirmed by the 保護管理者."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tokutei.auditlog.actions import Action
from tokutei.policy import decide, get_or_refuse
from tokutei.policy.web import action_required, actor_of
from tokutei.profiles.selectors import get_profile
from tokutei.staff.http import SignedInRequest

from . import selectors, services, training
from .forms import AttendanceForm, ConfirmForm, HandoverForm, SessionForm
from .models import Handover, TrainingSession


@action_required(Action.AUDITS_VIEW)
def trainings(request: SignedInRequest) -> HttpResponse:
    actor = actor_of(request)
    profile = get_profile()
    form = SessionForm(trainings=[(k, t.ja) for k, t in profile.audits.training.items()],
                       initial={"held_on": timezone.localdate()})
    return render(request, "audits/trainings.html", {
        "summary": training.summary(), "sessions": TrainingSession.objects.select_related("trainer")[:200],
        "form": form, "can_record": decide(actor, Action.AUDITS_TRAINING_SESSION).allowed})


@require_POST
@action_required(Action.AUDITS_TRAINING_SESSION)
def new_session(request: SignedInRequest) -> HttpResponse:
    profile = get_profile()
    form = SessionForm(request.POST, trainings=[(k, t.ja) for k, t in profile.audits.training.items()])
    if not form.is_valid():
        messages.error(request, _("研修・件名・実施日を記入してください"))
        return redirect("audits:trainings")
    session = services.record_session(actor=actor_of(request), **form.cleaned_data)
    return redirect("audits:session", pk=session.pk)


def _audience_choices(session: TrainingSession) -> list[tuple[str, str]]:
    req = get_profile().audits.training.get(session.requirement_key)
    rows = training.coverage(session.requirement_key, req) if req else []
    return [(str(r.user.pk), f"{r.user.display_name}（{r.user.username}）") for r in rows]  # type: ignore[attr-defined]


@action_required(Action.AUDITS_VIEW)
def session(request: SignedInRequest, pk: int) -> HttpResponse:
    item = get_or_refuse(actor_of(request), Action.AUDITS_VIEW, TrainingSession.objects.all(), pk=pk)
    return render(request, "audits/session.html", {
        "session": item, "attendance": item.attendance.select_related("user"),
        "form": AttendanceForm(people=_audience_choices(item)),
        "can_record": decide(actor_of(request), Action.AUDITS_TRAINING_ATTEND).allowed
        and item.held_on <= timezone.localdate()})


@require_POST
@action_required(Action.AUDITS_TRAINING_ATTEND)
def attendance(request: SignedInRequest, pk: int) -> HttpResponse:
    from tokutei.staff.models import User

    item = get_or_refuse(actor_of(request), Action.AUDITS_TRAINING_ATTEND, TrainingSession.objects.all(), pk=pk)
    form = AttendanceForm(request.POST, people=_audience_choices(item))
    if form.is_valid():
        users = list(User.objects.filter(pk__in=[int(u) for u in form.cleaned_data["users"]]))
        rows = services.record_attendance(actor=actor_of(request), session_id=item.pk, users=users)
        messages.success(request, _("%(n)s名の受講を記録しました") % {"n": len(rows)})
    return redirect("audits:session", pk=item.pk)


@action_required(Action.AUDITS_VIEW)
def certificate(request: SignedInRequest, pk: int, user_id: int) -> HttpResponse:
    item = get_or_refuse(actor_of(request), Action.AUDITS_VIEW, TrainingSession.objects.all(), pk=pk)
    row = get_or_refuse(actor_of(request), Action.AUDITS_VIEW, item.attendance.select_related("user"), user_id=user_id)
    return render(request, "audits/certificate.html", {"session": item, "row": row, "profile": get_profile()})


# --- 業務引継簿 -----------------------------------------------------------------------------------------------


def _people() -> list[tuple[str, str]]:
    from tokutei.staff.models import User

    return [(str(u.pk), f"{u.display_name}（{u.username}）") for u in User.objects.filter(is_active=True)
            .order_by("username")[:500]]


@action_required(Action.AUDITS_HANDOVER)
def handover_form(request: SignedInRequest, pk: int | None = None) -> HttpResponse:
    from tokutei.staff.models import User

    actor = actor_of(request)
    rule = get_profile().audits.handover
    existing = get_or_refuse(actor, Action.AUDITS_HANDOVER, selectors.handovers(actor), pk=pk) if pk else None
    sections = dict(rule.sections) if rule else {}
    initial = {"successor": str(existing.successor_id)} | {f"book_{k}": v for k, v in existing.book.items()} \
        if existing else {}
    form = HandoverForm(request.POST or None, people=_people(), sections=sections, initial=initial)
    if request.method == "POST" and form.is_valid():
        book = services.write_handover(actor=actor, successor=User.objects.filter(pk=form.cleaned_data["successor"])
                                       .first(), book=form.book(), submit=form.cleaned_data["submit"],
                                       handover_id=existing.pk if existing else None)
        messages.success(request, _("業務引継簿を保存しました"))
        return redirect("audits:handover", pk=book.pk)
    return render(request, "audits/handover_form.html", {"form": form, "rule": rule, "existing": existing})


@action_required(Action.AUDITS_HANDOVER)
def handover(request: SignedInRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    book = get_or_refuse(actor, Action.AUDITS_HANDOVER, selectors.handovers(actor), pk=pk)
    rule = get_profile().audits.handover
    return render(request, "audits/handover.html", {
        "book": book,
        "sections": [(label, book.book.get(k, "")) for k, label in (rule.sections.items() if rule else [])],
        "rule": rule, "form": ConfirmForm(),
        "can_edit": book.status == Handover.Status.DRAFT and book.outgoing_id == request.user.pk,
        "can_confirm": book.status == Handover.Status.SUBMITTED
        and decide(actor, Action.AUDITS_HANDOVER_CONFIRM, book).allowed})


@require_POST
@action_required(Action.AUDITS_HANDOVER_CONFIRM)
def confirm(request: SignedInRequest, pk: int) -> HttpResponse:
    get_or_refuse(actor_of(request), Action.AUDITS_HANDOVER_CONFIRM, Handover.objects.all(), pk=pk)
    form = ConfirmForm(request.POST)
    if form.is_valid():
        services.confirm_handover(actor=actor_of(request), handover_id=pk, **form.cleaned_data)
        messages.success(request, _("引継ぎを確認しました。後任の者を指定できます"))
    else:
        messages.error(request, _("聞き取りの結果を記入してください"))
    return redirect("audits:handover", pk=pk)
