"""The vault's actions in the rule book: all of them are handling of 特定個人情報等.

Common to every one (tokutei.policy.engine): a designated handler (E-01), for a declared task inside the
designation's scope (E-02), with that task's fields (E-03), from a registered terminal (E-16). Here, per
record: only people and files that serve the declared task, are active, and lie within the designation's
units and its 取扱いの範囲 (files, record numbers: 002 §4.4, E-04, ``tokutei.policy.records``) — anything
else is refused as not found. Adding people to a file (intake, import) needs the whole file in the scope.

``vault.open`` is the one vault action without a declared task: a designated handler on a registered
terminal opening the vault's pages to choose the task (利用目的) — it reaches no record.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action
from tokutei.core.errors import NOT_FOUND_MESSAGE
from tokutei.policy import Channel, Deny, Rule, register, within_records

VAULT_ACTIONS = (
    Action.VAULT_INTAKE, Action.VAULT_CONFIRM, Action.VAULT_SEARCH, Action.VAULT_LIST, Action.VAULT_VIEW,
    Action.VAULT_REVEAL, Action.VAULT_CORRECT, Action.VAULT_DELETE, Action.VAULT_EXPORT, Action.VAULT_DISPOSE,
    Action.VAULT_FILE_CREATE,
)


def record_in_scope(actor, obj, decision, profile) -> Deny | None:
    """A person or a file: active, serving the declared task, inside the designation's units."""
    from .models import Person, SpecificFile

    if isinstance(obj, Person):
        if obj.deleted_at is not None:
            return Deny(NOT_FOUND_MESSAGE)
        if decision.records is not None and not decision.records.holds(obj.file_id, obj.pk):
            return Deny(NOT_FOUND_MESSAGE)  # outside the 取扱いの範囲 (E-04): exactly like a missing record
        target = obj.file
    elif isinstance(obj, SpecificFile):
        target = obj
    else:
        return Deny(NOT_FOUND_MESSAGE)
    if (target.status == SpecificFile.Status.PENDING and actor.purpose in (target.tasks or [])
            and (decision.units is None or target.unit_id in decision.units)):
        register = profile.file_register
        return Deny(_("このファイルは、ファイル管理台帳への記載が責任者に確認されるまで使用できません"),
                    code="file_not_registered", article=register.article if register else None)
    if target.status != SpecificFile.Status.ACTIVE or actor.purpose not in (target.tasks or []):
        return Deny(NOT_FOUND_MESSAGE)
    if decision.units is not None and target.unit_id not in decision.units:
        return Deny(NOT_FOUND_MESSAGE)
    if decision.records is not None and not decision.records.holds_file(target.pk):
        return Deny(NOT_FOUND_MESSAGE)
    return None


def new_records_in_scope(actor, obj, decision, profile) -> Deny | None:
    """Intake and import into a file: the file in scope, and — when the 取扱いの範囲 names record numbers —
    a designation that holds the whole file (new records lie outside any range set before them)."""
    deny = record_in_scope(actor, obj, decision, profile)
    if deny is not None or decision.records is None or decision.records.admits_new(getattr(obj, "pk", None)):
        return deny
    return Deny(_("指定された取扱いの範囲は記録の範囲に限られているため、このファイルに本人を追加できません"),
                code="outside_handling_scope", article=decision.records.article)


def people_in_scope(queryset, actor, decision, profile):
    """Live people of the active files that serve the declared task, within the designation's units."""
    from .selectors import usable_files

    people = queryset.filter(deleted_at__isnull=True, file__in=[f.pk for f in usable_files(decision, actor.purpose)])
    return within_records(people, decision)


def files_in_scope(queryset, actor, decision, profile):
    from .selectors import usable_files

    return queryset.filter(pk__in=[f.pk for f in usable_files(decision, actor.purpose)])


def _scope(queryset, actor, decision, profile):
    from .models import Person

    if queryset.model is Person:
        return people_in_scope(queryset, actor, decision, profile)
    return files_in_scope(queryset, actor, decision, profile)


register(*(Rule(action, task=True, check=new_records_in_scope if action == Action.VAULT_INTAKE else record_in_scope,
               scope=_scope) for action in VAULT_ACTIONS))
register(Rule(Action.VAULT_OPEN, roles=lambda p: p.handler_roles(), terminal=True, unit_scoped_roles=False,
              message="事務取扱担当者として指定されていないため、特定個人情報等を取り扱えません"))

# API clients (service accounts) are registered and revoked by the system administrators the profile names,
# on the web, the API or the server's console — never by the system on its own: the console command names the
# administrator (``tokutei vault_account create --by USERID``) and the profile's console rule applies.
_ACCOUNT_CHANNELS = frozenset({Channel.WEB, Channel.API, Channel.CONSOLE})
register(*(Rule(action, roles=lambda p: p.admin_roles(), article=lambda p: p.authentication.article,
                message="API 利用者を登録・失効できるのはシステム管理者です", channels=_ACCOUNT_CHANNELS)
           for action in (Action.VAULT_SERVICE_ACCOUNT_CREATE, Action.VAULT_SERVICE_ACCOUNT_REVOKE)))
