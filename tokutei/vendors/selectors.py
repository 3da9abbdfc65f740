"""Reads: vendors in the actor's reach, each vendor's standing (qualified, evaluated, re-evaluation due,
contracts ending, certificates missing) and the dashboard's alerts. Nothing here writes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action
from tokutei.policy import Actor, restrict
from tokutei.profiles.selectors import get_profile

from . import evaluation as rule
from .models import Contract, DispatchedWorker, Evaluation, Qualification, ReturnTask, Vendor


def vendors(actor: Actor) -> QuerySet[Vendor]:
    return restrict(Vendor.objects.select_related("unit", "owner", "parent"), actor, Action.VENDORS_VIEW)


def latest_qualification(vendor: Vendor) -> Qualification | None:
    return vendor.qualifications.order_by("-checked_on", "-id").first()


def latest_evaluation(vendor: Vendor) -> Evaluation | None:
    """The vendor's last decided 別紙3 sheet."""
    return vendor.evaluations.filter(finalised_at__isnull=False).order_by("-created_on", "-id").first()


def open_improvements(ev: Evaluation) -> int:
    return ev.items.filter(grade="B", closed_at__isnull=True).count()


def reevaluation_due(ev: Evaluation | None, profile=None) -> dt.date | None:
    """When the next 再評価 is due (004 §14(5): once a year), or None where the profile sets none."""
    ve = (profile or get_profile()).outsourcing.vendor_evaluation
    if ev is None or not ve.enabled or ve.reevaluate_every is None:
        return None
    return ve.reevaluate_every.add_to(ev.created_on)


@dataclass(frozen=True)
class Standing:
    """What stands between this vendor and work, in plain words (an empty ``blockers``: nothing)."""

    qualified: bool
    qualification: Qualification | None
    evaluation: Evaluation | None
    due: dt.date | None
    overdue: bool
    open_improvements: int
    blockers: list[tuple[str, str]] = field(default_factory=list)  # (code, message)


def standing(vendor: Vendor, *, today: dt.date | None = None, profile=None) -> Standing:
    profile = profile or get_profile()
    out = profile.outsourcing
    ve = out.vendor_evaluation
    today = today or timezone.localdate()
    q = latest_qualification(vendor)
    ev = latest_evaluation(vendor) if ve.enabled else None
    due = reevaluation_due(ev, profile)
    overdue = due is not None and due < today
    n_open = open_improvements(ev) if ev is not None else 0
    blockers: list[tuple[str, str]] = []
    qualified = True
    if out.qualification.required and not out.qualification.by_evaluation:
        qualified = q is not None and q.qualified
        if not qualified:
            blockers.append(("not_qualified", _("選定前の確認（%(c)s）で基準を満たすことが確認されていません")
                             % {"c": out.qualification.criterion}))
    if q is not None and not q.qualified and not blockers:  # a later record that it no longer qualifies (a measure)
        qualified = False
        blockers.append(("not_qualified", _("最新の確認（%(m)s）で、基準を満たさないと記録されています")
                         % {"m": q.method_label}))
    if ve.enabled:
        if ev is None:
            qualified = False
            blockers.append(("no_evaluation", _("委託先評価シートによる評価がありません")))
        elif ev.verdict == rule.REJECTED:
            qualified = False
            blockers.append(("rejected", _("委託先評価シートの最終判定が「不採用」です")))
        else:
            if overdue:
                blockers.append(("reevaluation_overdue", _("委託先の再評価の期限（%(d)s）が過ぎています")
                                 % {"d": due.isoformat() if due else ""}))
            if rule.blocks_work(ve, ev.verdict, n_open):
                blockers.append(("improvement_open", _("改善措置が完了していません（%(n)s 件）") % {"n": n_open}))
    return Standing(qualified, q, ev, due, overdue, n_open, blockers)


def contract_items(contract: Contract) -> list[dict]:
    """The contract's checklist with each item's confirmation (or None)."""
    confirmed = {c.index: c for c in contract.confirmations.all()}
    return [{**item, "index": i, "confirmation": confirmed.get(i)} for i, item in enumerate(contract.clauses)]


def unconfirmed(contract: Contract) -> list[dict]:
    return [item for item in contract_items(contract) if item["confirmation"] is None]


def dispatch_problem(user, *, on: dt.date | None = None) -> tuple[str, str, str] | None:
    """E-31 (002 §38.5): (message, code, article) when ``user`` is a dispatched worker whose dispatch
    contract's confidentiality terms are not confirmed for ``on``; None otherwise (or where the profile has
    no such rule). Asked through the designation guard below (tokutei.staff.guards)."""
    dispatch = get_profile().outsourcing.dispatch
    if dispatch is None:
        return None
    from tokutei.staff.models import User

    on = on or timezone.localdate()
    rows = DispatchedWorker.objects.filter(user=user)
    if getattr(user, "employment", None) != User.Employment.DISPATCHED and not rows.exists():
        return None
    ok = rows.filter(confirmed_at__isnull=False, contract_from__lte=on, contract_to__gte=on).exists()
    if ok:
        return None
    return (_("派遣労働者は、労働者派遣契約に%(t)sが明記されていることを確認するまで指定できません")
            % {"t": "、".join(dispatch.terms)}, "dispatch_terms_unconfirmed", dispatch.article)


@dataclass(frozen=True)
class Alert:
    kind: str  # reevaluation, contract_end, certificate
    vendor: Vendor
    message: str
    due: dt.date | None = None
    contract: Contract | None = None


def alerts(actor: Actor, *, today: dt.date | None = None) -> list[Alert]:
    """Re-evaluations due or overdue, contracts ending, return certificates missing — in the actor's reach."""
    profile = get_profile()
    out = profile.outsourcing
    ve = out.vendor_evaluation
    today = today or timezone.localdate()
    found: list[Alert] = []
    reachable = vendors(actor)
    if ve.enabled:
        for vendor in reachable.filter(contracts__status=Contract.Status.ACTIVE).distinct()[:200]:
            s = standing(vendor, today=today, profile=profile)
            if s.evaluation is None:
                found.append(Alert("reevaluation", vendor, _("委託先評価シートによる評価がありません")))
            elif s.due is not None and s.due <= today + dt.timedelta(days=ve.warn_days):
                found.append(Alert("reevaluation", vendor, _("再評価の期限が過ぎています") if s.overdue
                                   else _("再評価の期限が近づいています"), s.due))
    ending = Contract.objects.filter(vendor__in=reachable, status=Contract.Status.ACTIVE,
                                     ends_on__lte=today + dt.timedelta(days=out.contract_warn_days))
    for c in ending.select_related("vendor")[:200]:
        found.append(Alert("contract_end", c.vendor, _("契約期間が終了しました") if c.ends_on < today
                           else _("契約期間の終了が近づいています"), c.ends_on, c))
    tasks = ReturnTask.objects.filter(contract__vendor__in=reachable, closed_at__isnull=True)
    for t in tasks.select_related("contract__vendor")[:200]:
        found.append(Alert("certificate", t.contract.vendor, _("返還・消去の証明書がまだ登録されていません")
                           if out.return_certificate_required else _("返還・消去の確認が完了していません"),
                           None, t.contract))
    return found


def dispatch_guard(actor, change):
    """The designation guard of E-31 (tokutei.staff.guards): a role that handles personal data is refused to a
    dispatched worker until the dispatch contract's terms are confirmed."""
    from tokutei.staff.guards import Objection

    roles = get_profile().roles
    if not any(roles[r].handles_data for r in change.role_keys if r in roles):
        return []
    problem = dispatch_problem(change.user, on=change.start_date)
    return [Objection(*problem)] if problem is not None else []
