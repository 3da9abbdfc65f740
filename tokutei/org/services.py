"""Writes of the organisation records. Each takes ``actor: Actor``; access is decided first (``require`` /
``get_or_refuse``), then one durable transaction whose last statement is its log entry.

* ``acknowledge``: a member of staff acknowledges a duty of the profile under the rules version in force
  (000 §21, 001 §10, 002 §9) — once per version.
* ``record_acknowledgement``: the same from a signed paper 誓約書, recorded by the register's keepers.
* ``record_measure``: a disciplinary measure (001 §17), by the roles the profile names.
* ``apply_profile``: a changed profile of the same organisation becomes the one in force — today, or from its
  施行日 (pending until then); the application is logged with both digests and the regulation versions (the
  old text stays in ``profiles.ActiveProfile``).
* ``record_taking_effect``: the scheduled job logs, once, that a pending profile's 施行日 has come.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import record, refuse
from tokutei.core.errors import Refused
from tokutei.core.mynumber import looks_like_my_number
from tokutei.policy import Actor, get_or_refuse, require
from tokutei.profiles.selectors import active_profile_row, get_profile

from .models import Acknowledgement, DisciplinaryMeasure
from .selectors import audience, version_in_force


def _no(actor: Actor, message: str, *, action: Action, article: str, code: str, target: tuple[str, Any] = ("", ""),
        **details: Any) -> Refused:
    return refuse(message, action=str(action), article=article, code=code, target_type=target[0],
                  target_id=target[1], details={"channel": actor.channel.value, **details}, **actor.log_fields())


def _save_ack(actor: Actor, action: Action, user, duty_key: str, on: dt.date, on_paper: bool) -> Acknowledgement:
    profile = get_profile()
    duty = profile.org.acknowledgements[duty_key]
    version = version_in_force(profile, on)
    row = active_profile_row()
    if Acknowledgement.objects.filter(user=user, duty_key=duty_key, rules_in_force=version.in_force).exists():
        raise _no(actor, _("この版の規程については、既に確認が記録されています"), action=action, article=duty.article,
                  code="already", target=("user", user.pk), duty=duty_key)
    with transaction.atomic(durable=True):
        ack = Acknowledgement.objects.create(
            user=user, duty_key=duty_key, duty_text=duty.text, rules_in_force=version.in_force,
            profile_sha256=row.sha256 if row else "", acknowledged_on=on, recorded_by=actor.user, on_paper=on_paper,
            article=duty.article)
        record(action=action, target_type="user", target_id=user.pk, article=duty.article,
               details={"duty": duty_key, "rules_in_force": version.in_force.isoformat(), "on_paper": on_paper},
               **actor.log_fields())
    return ack


def acknowledge(*, actor: Actor, duty_key: str) -> Acknowledgement:
    """The signed-in member of staff acknowledges ``duty_key`` today, under the rules version in force."""
    require(actor, Action.ORG_ACKNOWLEDGE, duty_key, details={"duty": duty_key})
    return _save_ack(actor, Action.ORG_ACKNOWLEDGE, actor.user, duty_key, timezone.localdate(), False)


def record_acknowledgement(*, actor: Actor, user_id: int, duty_key: str, signed_on: dt.date) -> Acknowledgement:
    """A paper 誓約書 signed on ``signed_on``, recorded by a keeper of the register (own unit for a 保護管理者)."""
    from tokutei.staff.models import User

    require(actor, Action.ORG_ACK_RECORD, details={"duty": duty_key})
    user = get_or_refuse(actor, Action.ORG_ACK_RECORD, User.objects.filter(is_active=True), pk=user_id)
    profile = get_profile()
    duty = profile.org.acknowledgements.get(duty_key)
    article = duty.article if duty else profile.organisation.article
    if duty is None or not audience(profile, duty_key, [user]):
        raise _no(actor, _("この職員には、この義務の確認は求められていません"), action=Action.ORG_ACK_RECORD,
                  article=article, code="not_audience", target=("user", user_id), duty=duty_key)
    if signed_on > timezone.localdate():
        raise _no(actor, _("署名日が未来になっています"), action=Action.ORG_ACK_RECORD, article=article,
                  code="invalid", target=("user", user_id))
    return _save_ack(actor, Action.ORG_ACK_RECORD, user, duty_key, signed_on, True)


def record_measure(*, actor: Actor, user_id: int, kind: str, ground: str, decided_on: dt.date,
                   description: str = "") -> DisciplinaryMeasure:
    """A disciplinary measure decided on a member of staff (001 §17: 市長 — 懲戒条例による処分又はその他の措置)."""
    from tokutei.staff.models import User

    require(actor, Action.ORG_DISCIPLINE_RECORD, details={"kind": kind})
    discipline = get_profile().org.discipline
    assert discipline is not None  # the rule has no roles without it
    user = get_or_refuse(actor, Action.ORG_DISCIPLINE_RECORD, User.objects.all(), pk=user_id)
    ground, description = (ground or "").strip(), (description or "").strip()
    if kind not in discipline.kinds or not ground:
        raise _no(actor, _("措置と違反した義務を選んでください"), action=Action.ORG_DISCIPLINE_RECORD,
                  article=discipline.article, code="invalid", target=("user", user_id))
    if decided_on > timezone.localdate():
        raise _no(actor, _("決定日が未来になっています"), action=Action.ORG_DISCIPLINE_RECORD,
                  article=discipline.article, code="invalid", target=("user", user_id))
    if looks_like_my_number(description) or looks_like_my_number(ground):
        raise _no(actor, _("個人番号らしき数字が含まれています。懲戒等の記録に個人番号を書くことはできません"),
                  action=Action.ORG_DISCIPLINE_RECORD, article=discipline.article, code="my_number_in_text",
                  target=("user", user_id))
    with transaction.atomic(durable=True):
        measure = DisciplinaryMeasure.objects.create(
            user=user, kind=kind, ground=ground[:300], decided_on=decided_on, description=description[:5000],
            recorded_by=actor.user, article=discipline.article)
        # The log names the record, not its content: who was disciplined is seen only by the profile's roles.
        record(action=Action.ORG_DISCIPLINE_RECORD, target_type="disciplinary_measure", target_id=measure.pk,
               article=discipline.article, details={"kind": kind}, **actor.log_fields())
    return measure


def _read_profile(name: str):
    """A shipped profile by name or code, or a YAML file by its path: (source name, text, Profile)."""
    from pathlib import Path

    from tokutei.profiles.loader import find_profile, parse_profile

    path = Path(name)
    if name.endswith((".yaml", ".yml")) and path.is_file():
        text = path.read_text(encoding="utf-8")
        return path.stem, text, parse_profile(text, source=str(path))
    source = find_profile(name)
    text = source.path.read_text(encoding="utf-8")
    return source.name, text, parse_profile(text, source=str(source.path))


def apply_profile(*, actor: Actor, name: str, effective: dt.date | None = None):
    """Make the named profile (a changed version of this organisation's) the one in force — today, or from
    its 施行日 ``effective`` — and log the application.

    Applied ahead of its 施行日, it is pending: today's rules stay as they are, and from that day the
    active-profile lookup (``profiles.selectors``) picks it without anyone acting; the scheduled
    ``record_taking_effect`` logs the change on the day. Operations made before are not re-decided.

    Refused: another organisation's profile (the records are this organisation's), an invalid file (the
    loader lists every error), the same text as the one in force (or as one already pending for that day),
    or a 施行日 in the past (what was decided under the old rules stays decided)."""
    from tokutei.profiles.loader import ProfileError, digest
    from tokutei.profiles.models import ActiveProfile

    require(actor, Action.SYSTEM_PROFILE_ACTIVATE, details={"profile": name})
    current = get_profile()
    article = current.organisation.article
    today = timezone.localdate()
    effective = effective or today
    if effective < today:
        raise _no(actor, _("施行日を過去の日にすることはできません（過去の操作は、その時の規程で判断されたままです）"),
                  action=Action.SYSTEM_PROFILE_ACTIVATE, article=article, code="past_date", profile=name,
                  effective_from=effective.isoformat())
    try:
        source_name, text, new = _read_profile(name)
    except (ProfileError, LookupError, OSError) as exc:
        raise _no(actor, _("プロファイルを読み込めません: %(e)s") % {"e": str(exc)[:500]},
                  action=Action.SYSTEM_PROFILE_ACTIVATE, article=article, code="invalid", profile=name) from None
    if new.organisation.code != current.organisation.code:
        raise _no(actor, _("別の組織のプロファイルは適用できません（%(a)s → %(b)s）")
                  % {"a": current.organisation.code, "b": new.organisation.code},
                  action=Action.SYSTEM_PROFILE_ACTIVATE, article=article, code="other_organisation", profile=name)
    before = active_profile_row(effective)  # what would be in force on that day without this one
    sha = digest(text)
    if (before is not None and before.sha256 == sha) or ActiveProfile.objects.filter(
            sha256=sha, effective_from=effective).exists():
        raise _no(actor, _("適用中のプロファイルと同じ内容です"), action=Action.SYSTEM_PROFILE_ACTIVATE,
                  article=article, code="unchanged", profile=name)
    old_versions = {v.in_force.isoformat() for v in current.organisation.versions}
    new_versions = [v.in_force.isoformat() for v in new.organisation.versions]
    pending = effective > today
    with transaction.atomic(durable=True):
        row = ActiveProfile.objects.create(name=source_name, org_code=new.organisation.code, source_yaml=text,
                                           sha256=sha, loaded_by=actor.user, effective_from=effective,
                                           effect_logged_at=None if pending else timezone.now())
        record(action=Action.SYSTEM_PROFILE_ACTIVATE, target_type="profile", target_id=row.pk,
               article=new.organisation.article,
               details={"profile": source_name, "from_sha256": before.sha256 if before else "", "to_sha256": sha,
                        "from_profile": before.pk if before else None,
                        "effective_from": effective.isoformat(), "pending": pending,
                        "versions_added": [v for v in new_versions if v not in old_versions],
                        "version_in_force": version_in_force(new, effective).in_force.isoformat()},
               **actor.log_fields())
    return row


def record_taking_effect(*, actor: Actor | None = None) -> list:
    """Log, once each, the profiles applied ahead of their 施行日 whose day has come (the scheduled
    ``tokutei org in-force``, run daily). The rules changed on the day whether or not this has run: the
    lookup reads the date; this only writes the log entry saying so (with the day it took effect, so a
    late run still tells the right day)."""
    from tokutei.profiles.models import ActiveProfile

    actor = actor or Actor.system()
    require(actor, Action.SYSTEM_PROFILE_IN_FORCE)
    today = timezone.localdate()
    due = list(ActiveProfile.objects.filter(effect_logged_at__isnull=True, effective_from__lte=today)
               .order_by("effective_from", "id").values_list("pk", flat=True))
    done = []
    for pk in due:
        with transaction.atomic(durable=True):
            row = ActiveProfile.objects.select_for_update().filter(pk=pk, effect_logged_at__isnull=True).first()
            if row is None:
                continue  # logged meanwhile by another run
            previous = active_profile_row(row.effective_from - dt.timedelta(days=1))  # in force the day before
            in_force = active_profile_row(today)
            row.effect_logged_at = timezone.now()
            row.save(update_fields=["effect_logged_at"])
            record(action=Action.SYSTEM_PROFILE_IN_FORCE, target_type="profile", target_id=row.pk,
                   article=get_profile().organisation.article,
                   details={"profile": row.name, "effective_from": row.effective_from.isoformat(),
                            "to_sha256": row.sha256, "from_sha256": previous.sha256 if previous else "",
                            "from_profile": previous.pk if previous else None,
                            "in_force_now": in_force is not None and in_force.pk == row.pk},
                   **actor.log_fields())
        done.append(row)
    return done
