"""HTML pages of the organisation records: the organisation chart from the profile, the rule versions, one's
own duties to acknowledge, the acknowledgement register (page, A4 print, Excel), and the disciplinary
records. Access is the policy's (``action_required``); nothing is written on GET."""

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
from tokutei.core import jdates
from tokutei.core.forms import flash_errors
from tokutei.policy import decide, get_or_refuse, restrict
from tokutei.policy.web import action_required, actor_of
from tokutei.profiles.selectors import active_profile_row, get_profile
from tokutei.staff.http import SignedInRequest

from . import excel, selectors, services
from .forms import MeasureForm, PaperAckForm
from .models import DisciplinaryMeasure


@action_required(Action.ORG_CHART)
def chart(request: SignedInRequest) -> HttpResponse:
    profile = get_profile()
    inc = profile.incident
    route = [profile.roles[r].ja if r in profile.roles else r for r in inc.route] if inc else []
    return render(request, "org/chart.html", {
        "profile": profile, "roots": selectors.chart(profile), "route": route,
        "together": [[profile.roles[r].ja for r in g] for g in inc.together] if inc else [],
        "posts": [(p.ja, profile.units[p.unit].ja if p.unit in profile.units else "—") for p in profile.posts.values()],
        "body": profile.governance_body,
        "members": [profile.roles[m].ja if m in profile.roles else m for m in profile.governance_body.members]
        if profile.governance_body else [],
        "version": selectors.version_in_force(profile)})


@action_required(Action.ORG_PROFILE_VERSIONS)
def versions(request: SignedInRequest) -> HttpResponse:
    profile = get_profile()
    from .forms import VersionOnForm

    day: dt.date | None = None
    form = VersionOnForm(request.GET or None)
    if form.is_bound and form.is_valid():
        day = form.cleaned_data["on"]
    return render(request, "org/versions.html", {"form": form,
        "profile": profile, "versions": sorted(profile.organisation.versions, key=lambda v: v.in_force),
        "in_force": selectors.version_in_force(profile), "history": selectors.profile_history(),
        "pending": selectors.pending_profiles(), "row_in_force": active_profile_row(),
        "on": day, "on_version": selectors.version_in_force(profile, day) if day else None,
        "on_profile": selectors.profile_loaded_on(day) if day else None})


@action_required(Action.ORG_CHART)
def my_duties(request: SignedInRequest) -> HttpResponse:
    return render(request, "org/duties.html", {
        "duties": selectors.my_duties(request.user), "version": selectors.version_in_force(get_profile())})


@require_POST
@action_required(Action.ORG_ACKNOWLEDGE)
def acknowledge(request: SignedInRequest, key: str) -> HttpResponse:
    services.acknowledge(actor=actor_of(request), duty_key=key)
    messages.success(request, _("確認を記録しました"))
    return redirect("org:duties")


def _register_context(request: SignedInRequest, action: Action = Action.ORG_ACK_REGISTER) -> dict:
    duties, version, rows = selectors.register_rows(actor_of(request), action)
    return {"duties": duties, "version": version, "rows": rows, "profile": get_profile()}


@action_required(Action.ORG_ACK_REGISTER)
def register(request: SignedInRequest) -> HttpResponse:
    context = _register_context(request)
    context["can_record"] = decide(actor_of(request), Action.ORG_ACK_RECORD).allowed
    context["can_export"] = decide(actor_of(request), Action.ORG_ACK_EXPORT).allowed
    return render(request, "org/register.html", context)


@action_required(Action.ORG_ACK_REGISTER)
def register_print(request: SignedInRequest) -> HttpResponse:
    return render(request, "org/register_print.html", {**_register_context(request), "today": timezone.localdate()})


@action_required(Action.ORG_ACK_EXPORT)
def register_export(request: SignedInRequest) -> HttpResponse:
    """The register as Excel (logged: org.ack_export, with the count)."""
    actor = actor_of(request)
    profile = get_profile()
    duties, version, rows = selectors.register_rows(actor, Action.ORG_ACK_EXPORT)
    data, count = excel.export(_("義務の確認の一覧"), f"{profile.organisation.name}　{jdates.to_wareki(timezone.localdate())}",
                               duties, version, rows)
    record(action=Action.ORG_ACK_EXPORT, **actor.log_fields(), target_type="user", target_id="", count=count,
           article=profile.org.article if profile.org.article != "—" else profile.organisation.article,
           details={"format": "xlsx"})
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="acknowledgements.xlsx"'
    return response


@action_required(Action.ORG_ACK_RECORD)
def paper(request: SignedInRequest) -> HttpResponse:
    from tokutei.staff.models import User

    actor = actor_of(request)
    profile = get_profile()
    users = [(str(u.pk), str(u)) for u in restrict(User.objects.filter(is_active=True), actor, Action.ORG_ACK_RECORD)]
    form = PaperAckForm(request.POST or None, users=users,
                        duties=[(k, d.ja) for k, d in profile.org.acknowledgements.items()],
                        initial={"signed_on": timezone.localdate()})
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            services.record_acknowledgement(actor=actor, user_id=int(d["user"]), duty_key=d["duty"],
                                            signed_on=d["signed_on"])
            messages.success(request, _("記録しました"))
            return redirect("org:register")
        flash_errors(request, form)
    return render(request, "org/paper.html", {"form": form})


@action_required(Action.ORG_DISCIPLINE_VIEW)
def discipline(request: SignedInRequest) -> HttpResponse:
    from tokutei.staff.models import User

    actor = actor_of(request)
    rule = get_profile().org.discipline
    form = None
    if decide(actor, Action.ORG_DISCIPLINE_RECORD).allowed and rule is not None:
        form = MeasureForm(request.POST or None, users=[(str(u.pk), str(u)) for u in User.objects.order_by("id")],
                           kinds=list(rule.kinds.items()), grounds=[(g, g) for g in rule.grounds],
                           initial={"decided_on": timezone.localdate()})
        if request.method == "POST":
            if form.is_valid():
                d = form.cleaned_data
                services.record_measure(actor=actor, user_id=int(d["user"]), kind=d["kind"], ground=d["ground"],
                                        decided_on=d["decided_on"], description=d["description"])
                messages.success(request, _("記録しました"))
                return redirect("org:discipline")
            flash_errors(request, form)
    kinds = rule.kinds if rule is not None else {}
    rows = [(m, kinds.get(m.kind, m.kind)) for m in selectors.measures(actor)[:500]]
    return render(request, "org/discipline.html", {"rule": rule, "rows": rows, "form": form})


@action_required(Action.ORG_DISCIPLINE_VIEW)
def measure(request: SignedInRequest, pk: int) -> HttpResponse:
    item = get_or_refuse(actor_of(request), Action.ORG_DISCIPLINE_VIEW, DisciplinaryMeasure.objects.all(), pk=pk)
    rule = get_profile().org.discipline
    return render(request, "org/measure.html", {"rule": rule, "m": item,
                                                "kind": rule.kinds.get(item.kind, item.kind) if rule else item.kind})
