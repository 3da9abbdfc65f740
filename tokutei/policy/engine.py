"""The one access decision: ``decide`` for one action (on one record), ``restrict`` for a queryset.

    decision = decide(actor, Action.VAULT_VIEW, person)      # allowed? fields? article?
    people = restrict(Person.objects.all(), actor, Action.VAULT_SEARCH)   # the same rule, in SQL
    decision = require(actor, Action.MEDIA_CARRY_OUT, medium)  # refusal logged once, then raised
    medium = get_or_refuse(actor, Action.MEDIA_CARRY_OUT, Medium.objects.all(), pk=pk)

Deny by default: an action without a rule, a user without a role in force, a channel the profile does
not allow. A record out of the actor's scope is refused as ``not_found`` — exactly like a missing one.
Every refusal names the article from the profile; ``require`` logs it before raising (its own
transaction, so it commits although the operation does not happen).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action
from tokutei.core.errors import NOT_FOUND_MESSAGE, NotFoundOrForbidden, Refused

from .actor import Actor, Channel
from .records import RecordScope, scope_of
from .rules import Rule, rule_for


@dataclass(frozen=True)
class Decision:
    allowed: bool
    fields: frozenset[str] = field(default_factory=frozenset)  # usable fields of the task (E-03)
    reason: str = ""
    article: str = ""
    code: str = "refused"
    units: frozenset[int] | None = None  # None = every unit; else the unit ids the actor may reach
    roles: frozenset[str] = field(default_factory=frozenset)  # the roles in force that allow it
    records: RecordScope | None = None  # None = every record of the task; else 取扱いの範囲 (E-04)

    def __bool__(self) -> bool:
        return self.allowed


def _deny(reason: str, article: str, code: str) -> Decision:
    return Decision(False, frozenset(), reason, article, code)


def _join_articles(articles) -> str:
    return "; ".join(dict.fromkeys(a for a in articles if a and a != "—"))


def _handler_article(profile) -> str:
    return _join_articles(sorted(profile.roles[k].article for k in profile.handler_roles()))


def role_names(profile, roles) -> str:
    return "、".join(profile.roles[k].ja for k in profile.roles if k in set(roles))


def _assignments(actor: Actor):
    from tokutei.staff.selectors import assignments_in_force

    return assignments_in_force(actor.user)


def _units_of(assignments, profile, user) -> frozenset[int] | None:
    """None (every unit) unless every granting role is unit-scoped; then the units they act for."""
    if not assignments or not all(profile.roles[a.role_key].unit_scoped for a in assignments):
        return None
    return frozenset(u for u in (a.unit_id or getattr(user, "unit_id", None) for a in assignments) if u is not None)


def _channel_problem(actor: Actor, rule: Rule, profile) -> Decision | None:
    console = profile.authentication.console
    if actor.channel not in rule.channels:
        return _deny(_("この操作は、この経路からは行えません"), profile.authentication.article, "channel")
    if actor.channel == Channel.CONSOLE:
        if not console.allowed or (rule.task and not console.personal_data):
            return _deny(_("この組織では、サーバのコンソールからこの操作を行えません。登録端末から操作してください"),
                         console.article if console.article != "—" else profile.authentication.article,
                         "console")
    elif actor.channel in (Channel.WEB, Channel.API) and rule.needs_terminal:
        if profile.authentication.terminals_required and not terminal_ok(actor.terminal):
            return _deny(_("登録された端末からのみ特定個人情報等を取り扱えます。登録端末から操作してください"),
                         profile.authentication.article, "terminal")
    return None


def terminal_ok(terminal) -> bool:
    """A registered terminal that has not been revoked (the staff app's middleware found it)."""
    return terminal is not None and getattr(terminal, "revoked_at", None) is None and bool(
        getattr(terminal, "credential_digest", None))


def _task_decision(actor: Actor, rule: Rule, profile) -> Decision:
    """特定個人情報等: designated handler (E-01), declared task in scope (E-02), fields (E-03), units and the
    designation's 取扱いの範囲 (E-04, ``tokutei.policy.records``)."""
    allowed_roles = set(rule.roles(profile)) if rule.roles is not None else profile.handler_roles()
    handler = [a for a in _assignments(actor) if a.role_key in profile.roles
               and profile.roles[a.role_key].handles_data and a.role_key in allowed_roles]
    if not handler:
        return _deny(_("事務取扱担当者として指定されていないため、特定個人情報等を取り扱えません"),
                     _handler_article(profile), "not_handler")
    purpose = actor.purpose
    if not purpose:
        return _deny(_("利用目的（事務）を選択してください"), _handler_article(profile), "no_purpose")
    task = profile.selectable_tasks().get(purpose)
    if task is None:
        return _deny(_("選択された利用目的は、この組織の事務として定められていません"), _handler_article(profile),
                     "unknown_purpose")
    if actor.limit_tasks is not None and purpose not in actor.limit_tasks:
        return _deny(_("この API 利用者には、選択された事務が許可されていません"), task.article, "token_scope")
    in_scope = [a for a in handler if purpose in (a.tasks or [])]
    if not in_scope:
        return _deny(_("選択された事務は、あなたの指定された事務の範囲外です"), task.article, "out_of_scope")
    units = _units_of(in_scope, profile, actor.user) if rule.unit_scoped_roles else None
    # 取扱いの範囲 (002 §4.4, E-04): a narrower scope a 保護管理者 set on the designations. Its article stands
    # with the task's, so a record out of it and a missing one are refused alike.
    records = scope_of(in_scope, profile)
    article = _join_articles([task.article, records.article]) if records is not None else task.article
    return Decision(True, frozenset(task.fields), "", article, "ok", units,
                    frozenset(a.role_key for a in in_scope), records)


def _role_decision(actor: Actor, rule: Rule, profile) -> Decision:
    if rule.roles is None:
        return Decision(True, article=rule.article(profile) if rule.article else "", code="ok")
    allowed_roles = set(rule.roles(profile))
    granting = [a for a in _assignments(actor) if a.role_key in allowed_roles and a.role_key in profile.roles]
    # The rule's own article, else the articles of the roles it names (a refusal always cites one).
    article = (rule.article(profile) if rule.article else "") or _join_articles(
        sorted(profile.roles[k].article for k in allowed_roles if k in profile.roles))
    if not granting:
        names = role_names(profile, allowed_roles)
        if rule.message:  # a rule's own words, in the page's language where the catalogue has them
            message = _(rule.message)
        else:
            message = (_("この操作を行えるのは、%(roles)s です") % {"roles": names} if names
                       else _("この組織では、この操作を行える役割が定められていません"))
        return _deny(message, article, "no_role")
    units = _units_of(granting, profile, actor.user) if rule.unit_scoped_roles else None
    return Decision(True, frozenset(), "", article, "ok", units, frozenset(a.role_key for a in granting))


def decide(actor: Actor, action: Action | str, obj: Any = None) -> Decision:
    """May ``actor`` do ``action`` (to ``obj``)? Allowed with fields and units, or refused with a reason
    and the profile's article."""
    from tokutei.profiles.selectors import get_profile

    profile = get_profile()
    rule = rule_for(action)
    if rule is None:
        return _deny(_("この操作は定められていません"), "", "unknown_action")
    if actor.channel == Channel.SYSTEM:
        if Channel.SYSTEM not in rule.channels:
            return _deny(_("この操作は、システムが自動では行えません"), "", "channel")
        decision = Decision(True, code="ok", article=rule.article(profile) if rule.article else "")
    else:
        if not actor.signed_in:
            return _deny(_("サインインが必要です"), _handler_article(profile) if rule.task else "", "not_signed_in")
        problem = _channel_problem(actor, rule, profile)
        if problem is not None:
            return problem
        if (rule.task or rule.needs_terminal) and getattr(actor.user, "credentials_suspended_at", None):
            # 異動等 (001 §5.5, 002 §10.1, E-13): suspended until the provisioning task is set or cancelled.
            return _deny(_("異動等により、特定個人情報等を取り扱うための認証情報が停止されています。認証情報の設定を待ってください"),
                         profile.authentication.on_change_article, "credentials_suspended")
        decision = _task_decision(actor, rule, profile) if rule.task else _role_decision(actor, rule, profile)
        if not decision.allowed:
            return decision
    if obj is not None and rule.check is not None:
        deny = rule.check(actor, obj, decision, profile)
        if deny is not None:
            return _deny(deny.message, deny.article if deny.article is not None else decision.article, deny.code)
    return decision


def restrict(queryset: QuerySet, actor: Actor, action: Action | str) -> QuerySet:
    """``queryset`` narrowed to the records ``actor`` may ``action`` — empty when the answer is no."""
    decision = decide(actor, action)
    if not decision.allowed:
        return queryset.none()
    rule = rule_for(action)
    if rule is None or rule.scope is None:
        return queryset
    from tokutei.profiles.selectors import get_profile

    return rule.scope(queryset, actor, decision, get_profile())


def _target(obj: Any, target: tuple[str, Any] | None) -> tuple[str, Any]:
    if target is not None:
        return target
    if obj is None:
        return "", ""
    meta = getattr(obj, "_meta", None)
    return (meta.model_name if meta is not None else type(obj).__name__.lower()), getattr(obj, "pk", "")


def refusal(actor: Actor, action: Action | str, decision: Decision, *, obj: Any = None,
            target: tuple[str, Any] | None = None, details: dict | None = None) -> Refused:
    """Log the refusal (once) and return the exception to raise.

    Every refusal cites an article: the rule's, else — where the profile names none for this action (an
    organisation without a file register, the approval engine's own pages) — the regulation's general
    provisions (``organisation.article``). A record out of scope and a missing one cite the same.
    """
    from tokutei.auditlog.services import refuse

    target_type, target_id = _target(obj, target)
    if not decision.article or decision.article == "—":
        decision = replace(decision, article=general_article())
    exc = refuse(decision.reason, action=str(action), article=decision.article, code=decision.code,
                 actor=actor.user, terminal=actor.terminal, purpose=actor.purpose, target_type=target_type,
                 target_id=target_id if target_id is not None else "",
                 details={"channel": actor.channel.value, **(details or {})})
    if decision.code == "not_found":
        return NotFoundOrForbidden(decision.article, logged=True)
    exc.logged = True
    return exc


def general_article() -> str:
    from tokutei.profiles.selectors import NoProfile, get_profile

    try:
        return get_profile().organisation.article
    except NoProfile:
        return ""


def require(actor: Actor, action: Action | str, obj: Any = None, *, target: tuple[str, Any] | None = None,
            details: dict | None = None) -> Decision:
    """``decide``, and on a no: log the refusal and raise it (``Refused``, or ``NotFoundOrForbidden``)."""
    decision = decide(actor, action, obj)
    if not decision.allowed:
        raise refusal(actor, action, decision, obj=obj, target=target, details=details)
    return decision


def get_or_refuse(actor: Actor, action: Action | str, queryset: QuerySet, **lookup) -> Any:
    """The one record of ``queryset`` matching ``lookup`` that ``actor`` may ``action``; otherwise the
    refusal is logged and raised as not found — out of scope and missing look the same."""
    decision = decide(actor, action)
    if not decision.allowed:
        raise refusal(actor, action, decision, target=(queryset.model._meta.model_name, _lookup_id(lookup)))
    found = restrict(queryset, actor, action).filter(**lookup).first()
    if found is None:
        missing = Decision(False, reason=NOT_FOUND_MESSAGE, article=decision.article, code="not_found")
        raise refusal(actor, action, missing, target=(queryset.model._meta.model_name, _lookup_id(lookup)))
    require(actor, action, found)
    return found


def _lookup_id(lookup: dict) -> str:
    """The id asked for, as the refusal's target: ``pk``/``id``, or the one field looked up (a log entry's
    ``seq``), so the log says which record was refused."""
    value = lookup.get("pk", lookup.get("id", next(iter(lookup.values())) if len(lookup) == 1 else ""))
    return str(value)[:64] if value is not None else ""
