"""Measures an incident leads to (措置), each recorded with who, when and why, and each also a timeline entry.

Four are open to every organisation, because every regulation asks the people who receive a report to
stop further damage (000 §20, 002 §39.2, 003 §8, 004 §16):

* ``legal_hold`` — a legal hold (法的保存) on every file, record and medium the report names, so that
  nothing the investigation needs is disposed of (tokutei.retention);
* ``suspend_user`` — a member of staff's account deactivated at once, every role ended (tokutei.staff);
* ``suspend_terminal`` — a terminal's registration revoked (tokutei.staff);
* ``suspend_vendor`` — a vendor recorded as no longer qualified, which refuses every delivery to it
  (tokutei.vendors, E-29) until a new qualification is recorded.

The others exist only where the profile's ``incident.measures`` names them, with the roles that take them
and the article they rest on:

* ``external_support`` — 001 §9.1: the J-LIS technical support and the maintenance vendor;
* ``disconnect`` / ``reconnect`` — 001 §9.2: the mayor's order to disconnect the CS from the 都道府県サーバ,
  and the reconnection. The system cannot cut a line; it records the order and both times, and shows
  the disconnection until it is ended;
* ``committee_report`` — 001 §9.3: the 総括責任者's report to the two committees the profile names;
* ``publication`` — 002 §40: the CISO's decision on publishing the facts and the measures against
  recurrence, and on what is done for the people concerned.

Who may take a measure is decided in the policy (tokutei.incidents.rules: ``Action.INCIDENTS_MEASURE`` on a
:class:`MeasureRequest`); a measure that changes another app's records is also that app's action
(``RETENTION_HOLD``, ``STAFF_REVOKE``, ``STAFF_TERMINAL_REVOKE``), decided by its own rule, and its writes
run inside this service's one transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import record
from tokutei.policy import Actor, require
from tokutei.profiles.schema import IncidentMeasure, Profile
from tokutei.profiles.selectors import get_profile

from .models import Incident, Measure, TimelineEntry

# kind → (label, the timeline kind it is recorded as, open to every organisation)
KINDS: dict[str, tuple[Any, str, bool]] = {
    "legal_hold": (gettext_lazy("関係する記録の法的保存（廃棄の停止）"), TimelineEntry.Kind.CONTAINMENT, True),
    "suspend_user": (gettext_lazy("職員の利用停止（アカウントの無効化）"), TimelineEntry.Kind.CONTAINMENT, True),
    "suspend_terminal": (gettext_lazy("端末の登録の取消"), TimelineEntry.Kind.CONTAINMENT, True),
    "suspend_vendor": (gettext_lazy("委託先への提供の停止（適格性の取消し）"), TimelineEntry.Kind.CONTAINMENT, True),
    "external_support": (gettext_lazy("外部の技術的支援による対応"), TimelineEntry.Kind.CONTAINMENT, False),
    "disconnect": (gettext_lazy("ネットワークの結合の一時的な切断"), TimelineEntry.Kind.CONTAINMENT, False),
    "reconnect": (gettext_lazy("ネットワークの結合の再開"), TimelineEntry.Kind.CONTAINMENT, False),
    "committee_report": (gettext_lazy("委員会への報告"), TimelineEntry.Kind.NOTIFICATION, False),
    "publication": (gettext_lazy("公表・本人への対応の決定"), TimelineEntry.Kind.DECISION, False),
}
GENERIC = IncidentMeasure()
# A measure the system carries out is also that app's action, decided by that app's rule.
CARRIED_OUT_AS = {"legal_hold": Action.RETENTION_HOLD, "suspend_user": Action.STAFF_REVOKE,
                  "suspend_terminal": Action.STAFF_TERMINAL_REVOKE, "suspend_vendor": Action.VENDORS_QUALIFY}


@dataclass(frozen=True)
class MeasureRequest:
    """What the policy decides on: this measure, on this incident."""

    incident: Incident
    kind: str


def available(profile: Profile) -> dict[str, IncidentMeasure]:
    """The measures this organisation can record, in the vocabulary's order: the generic ones and the
    profile's own."""
    named = profile.incident.measures if profile.incident is not None else {}
    return {kind: named.get(kind, GENERIC) for kind, (_label, _tl, generic) in KINDS.items()  # type: ignore[call-overload]
            if generic or kind in named}


def label(kind: str, profile: Profile | None = None) -> str:
    """The measure's name: the organisation's own (the profile's ``ja``) or the system's."""
    if kind not in KINDS:
        return kind
    spec = available(profile or get_profile()).get(kind)
    return spec.ja if spec is not None and spec.ja else str(KINDS[kind][0])


def article_of(kind: str, incident: Incident, profile: Profile) -> str:
    spec = available(profile).get(kind)
    return (spec.article if spec is not None and spec.article else "") or incident.article


def disconnected_since() -> Measure | None:
    """The disconnection in force (the latest disconnect or reconnect is a disconnect), or None."""
    last = Measure.objects.filter(kind__in=("disconnect", "reconnect")).order_by("-occurred_at", "-id").first()
    return last if last is not None and last.kind == "disconnect" else None


class MeasureError(ValueError):
    """The measure cannot be taken as asked (a Japanese message for the person who asked)."""


def _link_state_error(kind: str) -> str:
    """Why a disconnection or a reconnection cannot be recorded now ("" when it can)."""
    if kind not in ("disconnect", "reconnect"):
        return ""
    current = disconnected_since()
    if kind == "disconnect" and current is not None:
        return _("すでに切断中です（%(t)s から）") % {"t": timezone.localtime(current.occurred_at).strftime("%Y-%m-%d %H:%M")}
    if kind == "reconnect" and current is None:
        return _("切断中ではありません。再開は切断の記録の後に記録してください")
    return ""


def _holds(actor: Actor, incident: Incident, reason: str) -> list[int]:
    from tokutei.retention.models import LegalHold
    from tokutei.retention.services import hold_step

    affected = incident.affected or {}
    wanted: list[dict[str, Any]] = [
        *({"record_class": "person", "file_id": int(f)} for f in affected.get("files", [])),
        *({"record_class": "person", "record_id": str(r)} for r in affected.get("records", [])),
        *({"record_class": "medium", "record_id": str(m)} for m in affected.get("media", [])),
    ]
    placed = []
    for target in wanted:
        already = LegalHold.objects.filter(released_at__isnull=True, record_class=target["record_class"],
                                           record_id=target.get("record_id", ""), file_id=target.get("file_id"))
        if already.exists():
            continue
        placed.append(hold_step(actor=actor, kind=LegalHold.Kind.INCIDENT, reason=reason, **target).pk)
    return placed


def take_measure(*, actor: Actor, incident_id: int, kind: str, text: str, occurred_at: dt.datetime | None = None,
                 user_id: int | None = None, terminal_id: int | None = None,
                 recipients: list[str] | None = None, vendor_id: int | None = None) -> Measure:
    """Record a measure on an incident (and carry it out, where it is the system's to carry out)."""
    from . import services

    incident = services._load(actor, Action.INCIDENTS_MEASURE, incident_id)
    profile = get_profile()
    require(actor, Action.INCIDENTS_MEASURE, MeasureRequest(incident, kind), target=("incident", incident.pk),
            details={"kind": kind})
    spec = available(profile)[kind]
    article = article_of(kind, incident, profile)
    text = (text or "").strip()
    occurred_at = services._aware(occurred_at) if occurred_at else timezone.now()

    def no(message: str, code: str = "invalid"):
        return services._no(actor, message, action=Action.INCIDENTS_MEASURE, article=article, code=code,
                            target_id=incident.pk, details={"kind": kind})

    if not text:
        raise no(_("措置の内容（理由・命令した人など）を記入してください"))
    if occurred_at > timezone.now() + dt.timedelta(minutes=5):
        raise no(_("日時が未来になっています"))
    services._check_text(actor, Action.INCIDENTS_MEASURE, article, incident.pk, text=text)

    user = terminal = vendor = None
    if kind == "suspend_vendor":
        from tokutei.vendors.models import Vendor

        vendor = Vendor.objects.filter(pk=vendor_id or 0).first()
        if vendor is None:
            raise no(_("提供を停止する委託先を選んでください"))
        require(actor, Action.VENDORS_QUALIFY, vendor, target=("vendor", vendor.pk))
    elif kind == "suspend_user":
        from tokutei.staff.models import User

        user = User.objects.filter(pk=user_id or 0, is_active=True).first()
        if user is None:
            raise no(_("利用を停止する職員（有効なアカウント）を選んでください"))
        if actor.user is not None and user.pk == actor.user.pk:
            raise no(_("自分自身の利用は停止できません"), code="self")
        require(actor, Action.STAFF_REVOKE, user, target=("user", user.pk), details={"cause": "incident"})
    elif kind == "suspend_terminal":
        from tokutei.staff.models import Terminal

        terminal = Terminal.objects.filter(pk=terminal_id or 0, revoked_at__isnull=True).first()
        if terminal is None:
            raise no(_("登録を取り消す端末（登録中の端末）を選んでください"))
        require(actor, Action.STAFF_TERMINAL_REVOKE, terminal)
    elif kind == "legal_hold":
        if not any((incident.affected or {}).get(k) for k in ("files", "records", "media")):
            raise no(_("この報告には関係するファイル・記録・記録媒体が記入されていません"), code="nothing_to_hold")
        require(actor, Action.RETENTION_HOLD, target=("incident", incident.pk))
    elif kind == "committee_report":
        chosen = [r for r in (recipients or spec.recipients) if r in spec.recipients] if spec.recipients else []
        if spec.recipients and not chosen:
            raise no(_("報告した委員会を選んでください"))
        recipients = chosen

    if message := _link_state_error(kind):
        raise no(message, code="link_state")
    try:
        return _record(actor, incident, kind, text, occurred_at, article, profile, user=user, terminal=terminal,
                       recipients=recipients or [], vendor=vendor)
    except MeasureError as e:  # the state changed since the checks above: nothing was written
        raise no(str(e)) from None


def _record(actor: Actor, incident: Incident, kind: str, text: str, occurred_at: dt.datetime, article: str,
            profile: Profile, *, user, terminal, recipients: list[str], vendor=None) -> Measure:
    with transaction.atomic(durable=True):
        if message := _link_state_error(kind):  # again, inside the transaction
            raise MeasureError(message)
        targets: dict[str, Any] = {}
        if kind == "legal_hold":
            targets["holds"] = _holds(actor, incident, _("事故等の報告 #%(n)s の調査のため: %(t)s")
                                      % {"n": incident.pk, "t": text[:200]})
        elif kind == "suspend_user" and user is not None:
            from tokutei.staff.services import deactivation_step

            deactivation_step(actor=actor, user=user, reason=_("事故等の報告 #%(n)s") % {"n": incident.pk},
                              cause="incident")
            targets["user"] = user.pk
        elif kind == "suspend_terminal" and terminal is not None:
            from tokutei.staff.services import terminal_revocation_step

            terminal_revocation_step(actor=actor, target=terminal,
                                     reason=_("事故等の報告 #%(n)s") % {"n": incident.pk})
            targets["terminal"] = terminal.pk
        elif kind == "suspend_vendor" and vendor is not None:
            from tokutei.vendors.services.register import qualification_step

            qualification_step(actor=actor, vendor=vendor, method="incident", method_label=str(_("事故等による停止")),
                               evidence=_("事故等の報告 #%(n)s: %(t)s") % {"n": incident.pk, "t": text[:300]},
                               qualified=False)
            targets["vendor"] = vendor.pk
        elif kind == "committee_report":
            targets["to"] = recipients
        summary = label(kind, profile) + "：" + text
        if targets.get("to"):
            summary += "（" + "、".join(targets["to"]) + "）"
        entry = TimelineEntry.objects.create(incident=incident, kind=KINDS[kind][1], text=summary[:2000],
                                             occurred_at=occurred_at, recorded_by=actor.user)
        measure = Measure.objects.create(incident=incident, kind=kind, text=text[:2000], occurred_at=occurred_at,
                                         targets=targets, entry=entry, article=article, recorded_by=actor.user)
        record(action=Action.INCIDENTS_MEASURE, target_type="incident", target_id=incident.pk, article=article,
               details={"kind": kind, "measure": measure.pk, **targets}, **actor.log_fields())
    return measure
