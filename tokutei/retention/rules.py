"""Retention and disposal in the rule book: who may see the worklist, keep the calendar, hold, dispose.

Roles come only from the profile:

* the worklist and the disposal lists are read by the data handlers (事務取扱担当者, who do the 廃棄・削除事務,
  004 §4 T6), the managers (保護管理者 …), the system administrators and the auditors;
* the payment calendar (000 §11.1) is kept by the managers and the system administrators;
* start dates and "no longer needed" are recorded by the handlers and the managers;
* legal holds are placed and released by the managers and the auditors (an audit stops the clock);
* a disposal list is drafted, checked and executed by the handlers and the managers — the check by someone
  other than the drafter (004 §14(6)①, E-25, in the service); it is confirmed by the roles the rules of
  its items name in ``confirmed_by`` (003 §14), else by the managers — a unit-scoped 保護管理者 only for
  records of their own unit (the service compares the items' files with ``Decision.units``).
"""

from __future__ import annotations

from tokutei.auditlog.actions import Action
from tokutei.policy import Rule, register


def readers(p) -> set[str]:
    return p.handler_roles() | p.manager_roles() | p.admin_roles() | p.auditor_roles()


def disposers(p) -> set[str]:
    return p.handler_roles() | p.manager_roles()


def confirmers(p) -> set[str]:
    named = {r for rule in p.retention_rules.values() for r in rule.confirmed_by}
    return named or p.manager_roles()


def _article(p) -> str:
    return p.retention.article


def _disposal_article(p) -> str:
    checked = next((r.article for r in p.retention_rules.values() if r.second_person_check), "")
    return checked or next((r.article for r in p.retention_rules.values() if r.confirmed_by), "") or _article(p)


register(
    Rule(Action.RETENTION_VIEW, roles=readers, article=_article, unit_scoped_roles=False,
         message="保存期間・廃棄予定を閲覧できるのは、事務取扱担当者、保護管理者、システム管理者及び監査責任者です"),
    Rule(Action.RETENTION_EXPORT, roles=readers, article=_article, unit_scoped_roles=False),
    Rule(Action.RETENTION_PAYMENT_DATE, roles=lambda p: p.manager_roles() | p.admin_roles(), article=_article,
         unit_scoped_roles=False, message="給付日カレンダーを変更できるのは、管理者及びシステム管理者です"),
    Rule(Action.RETENTION_EVENT, roles=disposers, article=_article, unit_scoped_roles=False),
    Rule(Action.RETENTION_HOLD, roles=lambda p: p.manager_roles() | p.auditor_roles(), article=_article,
         unit_scoped_roles=False, message="法的保存を設定できるのは、保護管理者等及び監査責任者です"),
    Rule(Action.RETENTION_HOLD_RELEASE, roles=lambda p: p.manager_roles() | p.auditor_roles(), article=_article,
         unit_scoped_roles=False),
    Rule(Action.DISPOSAL_VIEW, roles=readers, article=_disposal_article, unit_scoped_roles=False),
    Rule(Action.DISPOSAL_DRAFT, roles=disposers, article=_disposal_article, unit_scoped_roles=False),
    Rule(Action.DISPOSAL_CHECK, roles=disposers, article=_disposal_article, unit_scoped_roles=False),
    Rule(Action.DISPOSAL_CONFIRM, roles=confirmers, article=_disposal_article,
         message="廃棄・削除の実施を確認できるのは、プロファイルが定める管理者です"),
    Rule(Action.DISPOSAL_EXECUTE, roles=disposers, article=_disposal_article, unit_scoped_roles=False,
         terminal=True),
    Rule(Action.DISPOSAL_CERTIFICATE, roles=disposers, article=_disposal_article, unit_scoped_roles=False),
    Rule(Action.DISPOSAL_CANCEL, roles=disposers, article=_disposal_article, unit_scoped_roles=False),
)
