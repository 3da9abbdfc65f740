"""The approval engine (承認): request, decide, use once — driven only by ``profile.approvals[operation]``.

Every controlled operation calls :func:`require_approval` before it opens its transaction (so a refusal is
logged and stays logged), then :func:`consume_approval` inside its transaction (so the approval is used
exactly when, and only if, the operation commits).

Rules enforced here (requirements §5, §6-8):

* the requester never approves their own request;
* an approver must hold the step's role on the day of the decision;
* with ``distinct_approvers`` one person holding two posts gives one step only;
* ``order``: ``sequence`` (step by step), ``all`` (every step, any order), ``any`` (one step suffices);
* an approval expires after ``valid_for`` and is used once. An overdue approval reads as expired (computed,
  never written on a read); ``expire_overdue`` (``tokutei expire_approvals``, cron) writes it, logged.

Every service takes one ``actor: Actor`` (tokutei.policy); access to a request is decided by the rules of
``tokutei.approvals.rules`` (out of scope = not found), the steps by the request's snapshot of the profile.
Each top-level write is one durable transaction whose last statement is its log entry.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import record, refuse
from tokutei.core.errors import NOT_FOUND_MESSAGE, Refused
from tokutei.core.fields import ID_MAX
from tokutei.core.mynumber import looks_like_my_number
from tokutei.core.text import is_clean
from tokutei.policy import Actor, get_or_refuse, refusal, require
from tokutei.policy import Decision as PolicyDecision
from tokutei.profiles.schema import ApprovalRule, Profile
from tokutei.profiles.selectors import get_profile
from tokutei.staff.selectors import has_role

from .models import ApprovalRequest, ApprovalStepDecision

Status = ApprovalRequest.Status
Decision = ApprovalStepDecision.Decision

# A particulars check returns None when the approval's scope covers the operation, else a Japanese reason.
ScopeCheck = Callable[[dict[str, Any]], str | None]

_KEY = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
# 個人番号等: a 個人番号 (the one detector, separators included) or any other long number (住民票コード…).
_LONG_DIGITS = re.compile(r"\d{10,}")


# --- reading the rule -------------------------------------------------------------------------------


def rule_for(operation: str, profile: Profile | None = None) -> ApprovalRule | None:
    """The profile's rule for ``operation``, or None when the organisation requires no approval."""
    profile = profile or get_profile()
    rule = profile.approvals.get(operation)
    if rule is None or not rule.enabled:
        return None
    return rule


def role_title(role_key: str, profile: Profile | None = None) -> str:
    profile = profile or get_profile()
    role = profile.roles.get(role_key)
    return role.ja if role else role_key


def step_title(step: dict[str, Any], profile: Profile | None = None) -> str:
    """「本人確認情報管理責任者」 or 「保護管理者又は総括保護管理者」 — the role titles that may give this step."""
    return "又は".join(role_title(r, profile) for r in step["roles"])


def operation_title(operation: str, rule: dict[str, Any] | None = None) -> str:
    if rule and rule.get("ja"):
        return str(rule["ja"])
    found = rule_for(operation)
    return found.ja if found else operation


def _snapshot(rule: ApprovalRule) -> dict[str, Any]:
    return rule.model_dump(mode="json")


def steps_state(request: ApprovalRequest) -> list[dict[str, Any]]:
    """Each step of the request with its decision (if any): for pages and refusal messages."""
    decisions = {d.step_index: d for d in request.decisions.all()}
    out = []
    for i, step in enumerate(request.rule.get("steps", [])):
        d = decisions.get(i)
        out.append({"index": i, "roles": step["roles"], "title": step_title(step), "decision": d})
    return out


def missing_steps(request: ApprovalRequest) -> list[str]:
    """Titles of the steps that still lack an approval (empty once approved)."""
    if request.status in (Status.APPROVED, Status.USED):
        return []
    return [s["title"] for s in steps_state(request)
            if s["decision"] is None or s["decision"].decision != Decision.APPROVE]


def _missing_message(operation: str, rule: dict[str, Any], titles: list[str]) -> str:
    joiner = "又は" if rule.get("order") == "any" else " 及び "
    return _("%(op)sには %(who)s の承認がありません") % {
        "op": operation_title(operation, rule), "who": joiner.join(titles)}


def _expiry(rule: dict[str, Any], now: dt.datetime) -> dt.datetime | None:
    valid_for = rule.get("valid_for")
    if not valid_for:
        return None
    from tokutei.profiles.schema import Period

    period = Period(**valid_for)
    today = timezone.localdate(now)
    last_day = period.add_to(today)
    # valid to the end of the last day, local time
    end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min)
    return timezone.make_aware(end, timezone.get_current_timezone())


# --- particulars: scope, never personal data ------------------------------------------------------------


def clean_particulars(particulars: dict[str, Any] | None) -> tuple[dict[str, Any], str | None]:
    """Keep particulars to scope values. Returns (clean, error). Long digit runs (a number?) are refused."""
    clean: dict[str, Any] = {}
    for key, value in (particulars or {}).items():
        if not isinstance(key, str) or not _KEY.match(key):
            return {}, _("承認の範囲の項目名が不正です")
        values = value if isinstance(value, list) else [value]
        for v in values:
            if v is not None and not isinstance(v, str | int | bool):
                return {}, _("承認の範囲には文字・数値のみを指定できます")
            if isinstance(v, str) and len(v) > 200:
                return {}, _("承認の範囲の値が長すぎます")
            if isinstance(v, str) and not is_clean(v):
                return {}, _("承認の範囲に使用できない文字（制御文字など）が含まれています")
            if isinstance(v, int) and not isinstance(v, bool) and not -ID_MAX <= v <= ID_MAX:
                return {}, _("承認の範囲の数値が大きすぎます")
            if isinstance(v, str | int) and not isinstance(v, bool):
                text = str(v)  # a number given as an integer is still a number
                if looks_like_my_number(text) or _LONG_DIGITS.search(unicodedata.normalize("NFKC", text)):
                    return {}, _("承認の範囲に個人番号等の番号を書くことはできません")
        if isinstance(value, str):
            value = value.strip()
            if value == "":
                continue
        clean[key] = value
    return clean, None


# --- requesting -----------------------------------------------------------------------------------------


def _no(actor: Actor, message: str, *, action: Action | str, article: str = "", code: str = "refused",
        target_type: str = "", target_id: Any = "", details: dict[str, Any] | None = None) -> Refused:
    """Log a refusal for ``actor`` and return it (raise it)."""
    return refuse(message, action=str(action), article=article, code=code, target_type=target_type,
                  target_id=target_id if target_id is not None else "",
                  details={"channel": actor.channel.value, **(details or {})}, **actor.log_fields())


def create_request(
    *, actor: Actor, operation: str, particulars: dict[str, Any] | None = None, subject=None
) -> ApprovalRequest:
    """Apply for approval of ``operation`` (approvals.request)."""
    require(actor, Action.APPROVALS_REQUEST, details={"operation": operation})
    user = actor.user
    profile = get_profile()
    rule = rule_for(operation, profile)
    details = {"operation": operation}
    if operation == "subcontracting" and profile.outsourcing.subcontracting == "prohibited":
        raise _no(actor, _("再委託は禁止されています"), action=Action.APPROVALS_REQUEST,
                  article=profile.outsourcing.article, details=details)
    if rule is None:
        raise _no(actor, _("この操作は承認の対象として定められていません"), action=Action.APPROVALS_REQUEST,
                  details=details)
    if rule.applicant_roles and not has_role(user, rule.applicant_roles):
        who = "又は".join(role_title(r, profile) for r in rule.applicant_roles)
        raise _no(actor, _("%(op)sの申請は %(who)s が行います") % {"op": rule.ja, "who": who},
                  action=Action.APPROVALS_REQUEST, article=rule.article, details=details)
    clean, error = clean_particulars(particulars)
    if error:
        raise _no(actor, error, action=Action.APPROVALS_REQUEST, article=rule.article,
                  details={**details, "keys": sorted((particulars or {}).keys())[:20]})
    if subject is None and room_for_operation(operation, profile) is not None:
        raise _no(actor, _("入室許可の対象者を指定してください"), action=Action.APPROVALS_REQUEST,
                  article=rule.article, details=details)
    if subject is not None:
        _check_subject(operation=operation, subject=subject, actor=actor, profile=profile)
    with transaction.atomic(durable=True):
        req = ApprovalRequest.objects.create(
            operation=operation, particulars=clean, rule=_snapshot(rule), article=rule.article,
            requester=user, subject=subject,
        )
        record(action=Action.APPROVALS_REQUEST, target_type="approval", target_id=req.pk, article=rule.article,
               details={"operation": operation, "keys": sorted(clean), "subject_id": getattr(subject, "pk", None)},
               **actor.log_fields())
    return req


def room_for_operation(operation: str, profile: Profile):
    """``room_entry_l3`` → the profile's room class with level 3 (000 §13), or None."""
    match = re.fullmatch(r"room_entry_l(\d+)", operation)
    if not match:
        return None
    level = int(match.group(1))
    for key, room in profile.rooms.items():
        if room.level == level:
            return key, room
    return None


def _check_subject(*, operation, subject, actor: Actor, profile) -> None:
    """E-19: an L1 permission only for an operator (the room class's eligible roles)."""
    found = room_for_operation(operation, profile)
    if found is None:
        return
    _key, room = found
    if room.eligible_roles and not has_role(subject, room.eligible_roles):
        who = "又は".join(role_title(r, profile) for r in room.eligible_roles)
        raise _no(actor, _("%(room)sへの入室許可は %(who)s にのみ与えられます") % {"room": room.ja, "who": who},
                  action=Action.APPROVALS_REQUEST, article=room.article, target_type="user", target_id=subject.pk,
                  details={"operation": operation})


# --- deciding -------------------------------------------------------------------------------------------


def _load(actor: Actor, action: Action, request_id: int) -> ApprovalRequest:
    """The request, if ``actor`` may see it; out of scope and missing look the same (404, logged)."""
    try:
        pk = int(request_id)
    except (ValueError, TypeError):
        pk = 0
    return get_or_refuse(actor, action, ApprovalRequest.objects.prefetch_related("decisions"), pk=pk)


def _decidable_step(req: ApprovalRequest, actor) -> tuple[int | None, str, str | None]:
    """``actor`` is the deciding user."""
    rule = req.rule
    steps = rule.get("steps", [])
    decided = {d.step_index: d for d in req.decisions.all()}
    if rule.get("distinct_approvers", True) and any(d.approver_id == actor.pk for d in decided.values()):
        return None, "", _("同じ人が二つの段階を承認することはできません（別の承認者が必要です）")
    candidates = [i for i in range(len(steps)) if i not in decided]
    if rule.get("order") == "sequence" and candidates:
        candidates = candidates[:1]
    for i in candidates:
        roles = steps[i]["roles"]
        if has_role(actor, roles):
            held = [r for r in roles if has_role(actor, [r])]
            return i, held[0], None
    needed = "、".join(step_title(steps[i]) for i in candidates) or "—"
    return None, "", _("この承認を行う役割がありません（必要な役割: %(who)s）") % {"who": needed}


def decide(*, actor: Actor, request_id: int, approve: bool, comment: str = "") -> ApprovalRequest:
    """Approve or reject the next step the actor may give (approvals.approve / approvals.reject).

    (The step's (index, role key, refusal reason) is decided before writing.)"""
    action = Action.APPROVALS_APPROVE if approve else Action.APPROVALS_REJECT
    req = _load(actor, action, request_id)
    user = actor.user
    article = req.article

    def no(message: str, code: str = "refused") -> Refused:
        return _no(actor, message, action=action, article=article, code=code, target_type="approval",
                   target_id=req.pk, details={"operation": req.operation})

    if req.requester_id == user.pk:
        raise no(_("自分の申請を自分で承認・却下することはできません"), code="self_approval")
    if req.subject_id is not None and req.subject_id == user.pk:
        raise no(_("自分に対する許可を自分で承認することはできません"), code="self_approval")
    if req.status != Status.PENDING:
        raise no(_("この申請は承認待ちではありません（%(s)s）") % {"s": req.get_status_display()})
    room = room_for_operation(req.operation, get_profile())
    if approve and room is not None and room[1].entry_approver_roles and not has_role(
            user, room[1].entry_approver_roles):
        # E-19: a room-entry permission only from the room class's configured authority.
        who = "又は".join(role_title(r) for r in room[1].entry_approver_roles)
        raise no(_("%(room)sへの入室許可は %(who)s が与えます") % {"room": room[1].ja, "who": who})
    step, role_key, reason = _decidable_step(req, user)
    if reason:
        raise no(reason)
    assert step is not None  # _decidable_step gives a step or a reason
    comment = (comment or "").strip()[:300]
    now = timezone.now()
    with transaction.atomic(durable=True):
        locked = ApprovalRequest.objects.select_for_update().get(pk=req.pk)
        if locked.status != Status.PENDING or locked.decisions.filter(step_index=step).exists():
            raise Refused(_("この申請は他の承認者によって既に処理されました"), article=article)
        ApprovalStepDecision.objects.create(
            request=locked, step_index=step, role_key=role_key, approver=user,
            decision=Decision.APPROVE if approve else Decision.REJECT, comment=comment, at=now,
        )
        if not approve:
            locked.status = Status.REJECTED
            locked.closed_at = now
        else:
            rule = locked.rule
            approved = set(locked.decisions.filter(decision=Decision.APPROVE).values_list("step_index", flat=True))
            if rule.get("order") == "any" or len(approved) >= len(rule.get("steps", [])):
                locked.status = Status.APPROVED
                locked.approved_at = now
                locked.expires_at = _expiry(rule, now)
        locked.save(update_fields=["status", "approved_at", "expires_at", "closed_at"])
        record(action=action, target_type="approval", target_id=locked.pk, article=article,
               details={"operation": locked.operation, "step": step, "role": role_key, "status": locked.status},
               **actor.log_fields())
    return locked


def withdraw(*, actor: Actor, request_id: int) -> ApprovalRequest:
    """The requester withdraws a pending or unused approved request (logged as approvals.reject)."""
    req = _load(actor, Action.APPROVALS_REQUEST, request_id)
    if req.requester_id != actor.user.pk:
        raise refusal(actor, Action.APPROVALS_REJECT, PolicyDecision(False, reason=NOT_FOUND_MESSAGE,
                                                                     code="not_found"), target=("approval", req.pk))
    if req.status not in (Status.PENDING, Status.APPROVED) or req.is_expired():
        raise _no(actor, _("この申請は取り下げられません"), action=Action.APPROVALS_REJECT, article=req.article,
                  target_type="approval", target_id=req.pk)
    with transaction.atomic(durable=True):
        locked = ApprovalRequest.objects.select_for_update().get(pk=req.pk)
        if locked.status not in (Status.PENDING, Status.APPROVED):
            raise Refused(_("この申請は取り下げられません"), article=req.article)
        locked.status = Status.WITHDRAWN
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "closed_at"])
        record(action=Action.APPROVALS_REJECT, target_type="approval", target_id=locked.pk, article=locked.article,
               details={"operation": locked.operation, "withdrawn": True}, **actor.log_fields())
    return locked


def status_now(req: ApprovalRequest, now: dt.datetime | None = None) -> str:
    """The request's status as of ``now`` (computed: an overdue approval reads as expired)."""
    return req.status_now(now)


def expire_overdue(*, actor: Actor | None = None, now: dt.datetime | None = None) -> int:
    """Write approved-but-unused requests past their expiry as expired, each logged (approvals.expire).

    Run by ``tokutei expire_approvals`` (and ``purge_copies``), never on a page view. Returns how many.
    """
    actor = actor or Actor.system()
    require(actor, Action.APPROVALS_EXPIRE)
    now = now or timezone.now()
    done = 0
    for pk in list(ApprovalRequest.objects.filter(status=Status.APPROVED, expires_at__lte=now)
                   .values_list("pk", flat=True)):
        with transaction.atomic(durable=True):
            locked = ApprovalRequest.objects.select_for_update().filter(
                pk=pk, status=Status.APPROVED, expires_at__lte=now).first()
            if locked is None:
                continue
            locked.status = Status.EXPIRED
            locked.closed_at = now
            locked.save(update_fields=["status", "closed_at"])
            record(action=Action.APPROVALS_EXPIRE, target_type="approval", target_id=locked.pk,
                   article=locked.article, details={"operation": locked.operation,
                                                    "expires_at": locked.expires_at.isoformat() if locked.expires_at else None},
                   **actor.log_fields())
        done += 1
    return done


# --- the guard and the use --------------------------------------------------------------------------------


def _problem(req: ApprovalRequest | None, *, operation: str, rule: dict[str, Any], actor,
             particulars_check: ScopeCheck | None, now: dt.datetime, by_operator: bool = False
             ) -> tuple[str, str] | None:
    """(code, message) when the approval does not allow the operation now, else None (``actor``: the user).

    ``by_operator``: the approval may be used by whoever performs the operation, not only by its applicant or
    subject — for an operation whose own rule already decided who performs it (an administrator's credential
    reset using the 拠点管理者's approved application to delete that person's 照合情報, 000 §7.3)."""
    if req is None:
        titles = [step_title(s) for s in rule.get("steps", [])]
        return "approval_missing", _missing_message(operation, rule, titles)
    if req.operation != operation:
        return "approval_wrong_operation", _("指定された承認は%(op)sの承認ではありません") % {
            "op": operation_title(operation, rule)}
    if req.status == Status.PENDING:
        return "approval_missing", _missing_message(operation, req.rule, missing_steps(req))
    if req.status == Status.USED:
        return "approval_used", _("この承認は既に使用されています（承認は一回限り有効です）")
    if req.status in (Status.REJECTED, Status.WITHDRAWN):
        return "approval_closed", _("この申請は%(s)sです") % {"s": req.get_status_display()}
    if req.status == Status.EXPIRED or req.is_expired(now):
        return "approval_expired", _("承認の有効期限が切れています")
    if not by_operator and req.requester_id != actor.pk and req.subject_id != actor.pk:
        return "approval_not_yours", _("この承認は申請者本人の操作にのみ使用できます")
    if particulars_check is not None:
        reason = particulars_check(req.particulars or {})
        if reason:
            return "approval_scope", _("承認の範囲外です: %(r)s") % {"r": reason}
    return None


def require_approval(
    *, operation: str, actor: Actor, approval_id: int | str | None, particulars_check: ScopeCheck | None = None,
    action: Action | str | None = None, target_type: str = "", target_id: Any = "", by_operator: bool = False,
) -> ApprovalRequest | None:
    """The central guard: raise a logged Refused unless ``approval_id`` is a usable approval of ``operation``.

    Returns None when the profile requires no approval for ``operation``. Call it before opening the
    operation's transaction; then call :func:`consume_approval` inside it. The refusal names the missing
    approvals by role title and cites the profile's article, e.g.
    「記録媒体の持出しには 本人確認情報管理責任者 及び 住基ネットシステム管理者 の承認がありません」.
    It writes nothing but the refusal: an overdue approval reads as expired (:func:`status_now`).
    """
    rule = rule_for(operation)
    if rule is None:
        return None
    snapshot = _snapshot(rule)
    action = action or Action.APPROVALS_USE
    req = None
    if approval_id not in (None, ""):
        try:
            req = ApprovalRequest.objects.filter(pk=int(approval_id)).first()
        except (TypeError, ValueError):
            req = None
        if req is None:
            raise _no(actor, _("指定された承認が見つかりません"), action=action, article=rule.article,
                      code="approval_not_found", target_type=target_type, target_id=target_id,
                      details={"operation": operation})
    problem = _problem(req, operation=operation, rule=snapshot, actor=actor.user,
                       particulars_check=particulars_check if req is not None else None, now=timezone.now(),
                       by_operator=by_operator)
    if problem:
        code, message = problem
        raise _no(actor, message, action=action, article=(req.article if req else rule.article), code=code,
                  target_type=target_type, target_id=target_id,
                  details={"operation": operation, "approval_id": getattr(req, "pk", None)})
    return req


def consume_approval(
    *, request_id: int, operation: str, actor: Actor, check: ScopeCheck | None = None, by_operator: bool = False,
) -> ApprovalRequest:
    """Mark the approval used, exactly once (approvals.use). Locks the row (SELECT … FOR UPDATE).

    Call inside the operation's transaction, after :func:`require_approval`. A second use — including a
    concurrent one that lost the race — raises Refused. (If the caller lets that roll back its transaction,
    the refusal entry rolls back with it; the first use's entry remains. :func:`use_approval_now` runs at
    top level and so always keeps the refusal.)
    """
    now = timezone.now()
    with transaction.atomic():  # the caller's transaction (a savepoint), or its own at top level
        req = ApprovalRequest.objects.select_for_update().filter(pk=request_id).first()
        problem = _problem(req, operation=operation, rule=req.rule if req else {}, actor=actor.user,
                           particulars_check=check, now=now, by_operator=by_operator)
        if problem is None:
            assert req is not None
            req.status = Status.USED
            req.used_at = now
            req.used_by = actor.user
            req.save(update_fields=["status", "used_at", "used_by"])
            record(action=Action.APPROVALS_USE, target_type="approval", target_id=req.pk, article=req.article,
                   details={"operation": operation}, **actor.log_fields())
    if problem is not None:
        # Outside the savepoint: when this runs at top level the refusal entry commits.
        raise _no(actor, problem[1], action=Action.APPROVALS_USE, article=req.article if req else "",
                  code=problem[0], target_type="approval", target_id=request_id, details={"operation": operation})
    assert req is not None
    return req


def use_approval_now(
    *, operation: str, actor: Actor, approval_id, particulars_check: ScopeCheck | None = None,
    action: Action | str | None = None,
) -> ApprovalRequest | None:
    """require + consume in one step, in its own transaction (for callers with nothing else to commit)."""
    req = require_approval(operation=operation, actor=actor, approval_id=approval_id,
                           particulars_check=particulars_check, action=action)
    if req is None:
        return None
    return consume_approval(request_id=req.pk, operation=operation, actor=actor, check=particulars_check)


# --- 大量 handling (000 §9.2, E-05) --------------------------------------------------------------------------


def check_bulk(
    *, actor: Actor, count: int, approval_id: int | str | None = None,
    operation_label: str = "", file_id: int | str | None = None, action: Action | str = Action.VAULT_SEARCH,
    consume: bool = True,
) -> ApprovalRequest | None:
    """Refuse 大量 handling without a prior approval naming its scope; consume the approval when given.

    ``count`` is the number of records the WHOLE request touches (all pages of a search, every row of an
    export or import), not one page. Returns None below the threshold (or when the profile sets none);
    otherwise the used approval. The approval's particulars must name ``purpose`` and a ``count_limit`` ≥
    ``count``; if they name a ``file_id`` it must match.

    ``consume=False`` only checks (refusals still logged) and returns the approval; the caller then calls
    :func:`consume_approval` inside its own transaction so the approval is used only if the operation commits.
    The purpose is the actor's declared task (``actor.purpose``).
    """
    purpose = actor.purpose
    profile = get_profile()
    bulk = profile.bulk
    if bulk.threshold is None or count <= bulk.threshold:
        return None
    operation = bulk.approval or "bulk_handling"
    label = operation_label or _("大量の取扱い")

    def scope(p: dict[str, Any]) -> str | None:
        if p.get("purpose") and p.get("purpose") != purpose:
            return _("事務（目的）が承認と異なります")
        if not p.get("purpose"):
            return _("承認に事務（目的）が指定されていません")
        limit = p.get("count_limit")
        if not isinstance(limit, int) or isinstance(limit, bool) or count > limit:
            return _("件数 %(n)s 件が承認された上限を超えています") % {"n": count}
        if p.get("file_id") not in (None, "") and file_id not in (None, "") and str(p["file_id"]) != str(file_id):
            return _("ファイルが承認と異なります")
        return None

    rule = rule_for(operation, profile)
    if rule is None:
        # The profile sets a threshold but no approval route: nobody may exceed it.
        raise _no(actor, _("%(label)s（%(n)s 件、上限 %(t)s 件）は承認の手続が定められていないため行えません") % {
            "label": label, "n": count, "t": bulk.threshold}, action=action, article=bulk.article,
            code="bulk_no_route", details={"count": count})
    if approval_id in (None, ""):
        titles = "、".join(step_title(s.model_dump()) for s in rule.steps)
        raise _no(actor, _("%(label)s（%(n)s 件、基準 %(t)s 件超）には事前に %(who)s の承認が必要です") % {
            "label": label, "n": count, "t": bulk.threshold, "who": titles}, action=action,
            article=bulk.article if bulk.article != "—" else rule.article, code="bulk_approval_missing",
            details={"count": count, "threshold": bulk.threshold})
    if not consume:
        return require_approval(operation=operation, actor=actor, approval_id=approval_id,
                                particulars_check=scope, action=action)
    return use_approval_now(operation=operation, actor=actor, approval_id=approval_id, particulars_check=scope,
                            action=action)


# --- 再委託 (000 §22.2(5); 002 §38.4; E-30) ----------------------------------------------------------------


def check_subcontracting(*, actor: Actor, approval_id=None, vendor_id=None) -> ApprovalRequest | None:
    """Registering a sub-contractor: refused outright where prohibited; else needs the profile's approval."""
    profile = get_profile()
    out = profile.outsourcing
    if out.subcontracting == "prohibited":
        raise _no(actor, _("再委託は禁止されています"), action=Action.APPROVALS_USE, article=out.article,
                  code="subcontracting_prohibited", target_type="vendor", target_id=vendor_id or "")
    operation = out.subcontracting_approval or "subcontracting"
    if rule_for(operation, profile) is None:
        return None
    return use_approval_now(operation=operation, actor=actor, approval_id=approval_id,
                            particulars_check=(lambda p: None if vendor_id is None or str(p.get("vendor_id", vendor_id))
                                               == str(vendor_id) else _("委託先が承認と異なります")))


# --- 端末の持出し・持込み (002 §32.2, E-18) ------------------------------------------------------------------


def check_terminal_movement(*, actor: Actor, terminal_id: int, direction: str, approval_id=None
                            ) -> ApprovalRequest | None:
    """A terminal taken out (``out``) or brought in (``in``): the profile's approval naming that terminal,
    used once. Returns None where the profile requires none."""
    operation = {"out": "terminal_carry_out", "in": "terminal_bring_in"}[direction]

    def scope(p: dict[str, Any]) -> str | None:
        if p.get("terminal_id") not in (None, terminal_id):
            return _("端末が承認と異なります")
        return None

    return use_approval_now(operation=operation, actor=actor, approval_id=approval_id, particulars_check=scope,
                            action=Action.APPROVALS_USE)
