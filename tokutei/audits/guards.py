"""What the audit programme asks of a designation or post assignment (tokutei.staff.guards):

* separation of duties — roles one person may not hold together (``audits.separation``): refused or
  warned, as the profile says;
* training before designation (R-TRN-5, ``audits.training.*.before_designation``): a designation to an
  audience role waits until the person's attendance is recorded;
* the handover of 003 §5 (E-38, ``audits.handover``): a new holder of the role in a unit that had one
  before takes it only after the outgoing holder's 業務引継簿 naming them was confirmed by the 保護管理者.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Q
from django.utils.translation import gettext as _

from tokutei.profiles.selectors import get_profile
from tokutei.staff import guards
from tokutei.staff.guards import Change, Objection


def separation(actor, change: Change) -> Iterator[Objection]:
    from tokutei.staff.selectors import role_keys

    profile = get_profile()
    held = role_keys(change.user, on=change.start_date) | set(change.role_keys)
    for rule in profile.audits.separation:
        together = [r for r in rule.roles if r in held]
        if len(together) >= 2 and set(change.role_keys) & set(together):
            names = "・".join(profile.roles[r].ja for r in together)
            if rule.mode == "refuse":
                message = _("%(roles)sは同じ職員が兼ねることができません（%(rule)s）") % {"roles": names, "rule": rule.ja}
            else:
                message = _("%(roles)sを同じ職員が兼ねています（%(rule)s）") % {"roles": names, "rule": rule.ja}
            yield Objection(message, "separation_of_duties", rule.article, refuse=rule.mode == "refuse")


def training_first(actor, change: Change) -> Iterator[Objection]:
    from .training import attended_on

    profile = get_profile()
    for key, req in profile.audits.training.items():
        if req.before_designation and set(change.role_keys) & set(req.audience):
            if attended_on(change.user, key, req) is None:
                yield Objection(_("%(training)sの受講が記録されるまで指定できません") % {"training": req.ja},
                                "training_required", req.article)


def handover(actor, change: Change) -> Iterator[Objection]:
    from tokutei.staff.models import RoleAssignment

    from .models import Handover

    profile = get_profile()
    rule = profile.audits.handover
    if rule is None or rule.role not in change.role_keys:
        return
    in_unit = Q(unit_id=change.unit_id) if change.unit_id is not None else Q(unit__isnull=True)
    had_holder = RoleAssignment.objects.filter(in_unit, role_key=rule.role).exclude(user=change.user).exists()
    if not had_holder:
        return  # the first holder of the unit: nothing to hand over
    confirmed = Handover.objects.filter(in_unit, role_key=rule.role, successor=change.user,
                                        status=Handover.Status.CONFIRMED).exists()
    if not confirmed:
        yield Objection(_("業務引継簿が作成され%(confirmer)sが確認するまで、%(role)sの変更は完了できません")
                        % {"confirmer": "・".join(profile.roles[r].ja for r in rule.confirmed_by),
                           "role": profile.roles[rule.role].ja}, "handover_not_confirmed", rule.article)


guards.register(separation)
guards.register(training_first)
guards.register(handover)
