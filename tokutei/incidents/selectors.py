"""Reading incidents: lists restricted by the policy, the route's state, the PPC deadlines and warnings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy

from tokutei.auditlog.actions import Action
from tokutei.policy import Actor, restrict
from tokutei.profiles.selectors import get_profile

from . import deadlines as dl
from .deadlines import ITEMS
from .models import Incident, PpcAssessment, RouteStep


def incidents(actor: Actor) -> QuerySet[Incident]:
    """The incidents ``actor`` may see, newest first."""
    return restrict(Incident.objects.select_related("reported_by", "unit"), actor, Action.INCIDENTS_VIEW)


def awaiting(user) -> QuerySet[Incident]:
    """Incidents with a step routed to ``user`` that nobody has acknowledged yet."""
    return Incident.objects.filter(pk__in=RouteStep.objects.filter(
        acknowledged_at__isnull=True, recipients__user=user).values("incident_id")).order_by("-reported_at")


def role_title(key: str) -> str:
    role = get_profile().roles.get(key)
    return role.ja if role is not None else key


def steps(incident: Incident) -> list[dict[str, Any]]:
    """The route as planned, each step with its state (not yet told, told, acknowledged, escalated)."""
    opened = {s.index: s for s in incident.steps.prefetch_related("recipients__user").select_related(
        "acknowledged_by")}
    out = []
    for i, role in enumerate(incident.route.get("roles", [])):
        s = opened.get(i)
        out.append({"index": i, "role": role_title(role), "step": s,
                    "to_role": role_title(s.to_role) if s else "",
                    "recipients": [r.user for r in s.recipients.all()] if s else []})
    return out


def ppc_of(incident: Incident) -> PpcAssessment | None:
    return PpcAssessment.objects.filter(incident=incident).first()


def deadlines_of(incident: Incident, ppc: PpcAssessment | None = None) -> dl.Deadlines:
    """The 速報/確報 dates: from when the organisation learned of it (the report's time until recorded)."""
    profile = get_profile()
    ppc_settings = profile.incident.ppc if profile.incident is not None else None
    from tokutei.profiles.schema import PpcReport

    learned = ppc.learned_at if ppc is not None else incident.reported_at
    return dl.deadlines(learned, ppc.categories if ppc is not None else [], ppc_settings or PpcReport())


def may_be_reportable(incident: Incident, ppc: PpcAssessment | None) -> bool:
    """A 漏えい等 not yet decided as not reportable, or one decided reportable."""
    if ppc is not None:
        return ppc.reportable
    return incident.category == Incident.Category.LEAK


@dataclass(frozen=True)
class DueWarning:
    incident: Incident
    kind: str  # preliminary | final
    due: Any
    days_left: int


def due_warnings(actor: Actor, *, limit: int = 50) -> list[DueWarning]:
    """速報・確報 due within the profile's ``warn_days`` (or already late), for the incidents the actor sees
    and may report on."""
    from tokutei.policy import decide

    if not decide(actor, Action.INCIDENTS_PPC_ASSESS).allowed:
        return []
    profile = get_profile()
    warn_days = profile.incident.ppc.warn_days if profile.incident is not None else 2
    today = timezone.localdate()
    found: list[DueWarning] = []
    qs = restrict(Incident.objects.all(), actor, Action.INCIDENTS_PPC_ASSESS).filter(
        Q(category=Incident.Category.LEAK) | Q(ppc__isnull=False))
    for incident in qs.order_by("-reported_at")[:limit]:
        ppc = ppc_of(incident)
        if not may_be_reportable(incident, ppc):
            continue
        d = deadlines_of(incident, ppc)
        for kind, due, left in dl.warnings(d, preliminary_done=bool(ppc and ppc.preliminary_reported_on),
                                           final_done=bool(ppc and ppc.final_reported_on), warn_days=warn_days,
                                           today=today):
            found.append(DueWarning(incident, kind, due, left))
    return sorted(found, key=lambda w: w.due)


AFFECTED_LABELS = {"files": _lazy("ファイル"), "records": _lazy("記録"), "media": _lazy("記録媒体"), "terminals": _lazy("端末")}


def report_items(incident: Incident, ppc: PpcAssessment | None) -> dict[str, str]:
    """The report's items (deadlines.ITEMS), pre-filled from the record: what staff wrote in the
    assessment first, else what the report, its timeline and its notices say."""
    from django.utils.translation import gettext as _

    from tokutei.core.templatetags.jp import wareki_time as wareki_datetime

    written = dict(ppc.items) if ppc is not None else {}
    timeline = list(incident.timeline.all())

    def entries(*kinds: str) -> str:
        return "\n".join(f"{wareki_datetime(e.occurred_at)} {e.text}" for e in timeline if e.kind in kinds)

    affected = "、".join(f"{AFFECTED_LABELS[k]} {', '.join(map(str, ids))}"
                        for k, ids in (incident.affected or {}).items() if k in AFFECTED_LABELS)
    notices = list(incident.notices.all())
    methods = sorted({str(n.get_method_display()) for n in notices})
    filled = {
        "overview": f"{incident.get_category_display()}：{incident.summary}\n"
                    + _("発見日時") + f" {wareki_datetime(incident.found_at)}　" + _("発見者") + f" {incident.found_by}",
        "data_items": affected,
        "people": str(ppc.affected_people) if ppc is not None and ppc.affected_people is not None else "",
        "cause": "\n".join(t for t in (incident.suspected_cause, entries("investigation")) if t),
        "secondary_damage": "",
        "response_to_people": (_("本人への通知 %(n)s 件（%(methods)s）") % {"n": len(notices), "methods": "、".join(methods)}
                               if notices else ""),
        "publication": "",
        "prevention": entries("containment", "prevention"),
        "other": entries("decision"),
    }
    return {k: written.get(k) or filled.get(k, "") for k in ITEMS}


# target_type of the log entries for each kind of record a report names
_LOG_TARGETS = {"files": "file", "records": "person", "media": "medium", "terminals": "terminal"}


def records_log(incident: Incident):
    """The log entries about the files, records, media and terminals the report names, newest first."""
    from django.db.models import Q

    from tokutei.auditlog.models import Entry

    q = Q(pk__in=[])
    for kind, ids in (incident.affected or {}).items():
        if kind in _LOG_TARGETS and ids:
            q |= Q(target_type=_LOG_TARGETS[kind], target_id__in=[str(i) for i in ids])
            if kind == "files":
                q |= Q(details__file_id__in=list(ids))
    return Entry.objects.filter(q).order_by("-seq")
