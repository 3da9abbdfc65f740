"""API service accounts: a client bound to one registered terminal and to tasks."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import record
from tokutei.policy import Actor, Channel
from tokutei.profiles.selectors import get_profile

from ..codec import FieldErrors
from ..models import ServiceAccount
from .refusals import _refuse

# --- API service accounts -----------------------------------------------------------------------------

def _token_digest(token: str) -> str:
    import hashlib

    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def account_for_token(token: str) -> ServiceAccount | None:
    if not token or len(token) > 200:
        return None
    return (ServiceAccount.objects.select_related("user", "terminal")
            .filter(token_digest=_token_digest(token), revoked_at__isnull=True, user__is_active=True).first())


def create_service_account(*, actor: Actor, name: str, user, terminal, tasks: list[str]
                           ) -> tuple[ServiceAccount, str]:
    """An API client bound to one registered terminal and to tasks; the token is shown once (digest kept).

    A staff member must be a system administrator; the console's own command (``vault_account``) acts as
    the system, whoever can run it already holds the server.
    """
    import secrets

    from tokutei.staff.selectors import has_role

    profile = get_profile()
    if actor.channel != Channel.SYSTEM and not has_role(actor.user, profile.admin_roles()):
        raise _refuse(_("API 利用者を登録できるのはシステム管理者です"), profile.authentication.article,
                      action=Action.STAFF_ACCESS, code="not_admin", actor=actor)
    unknown = [t for t in tasks if t not in profile.selectable_tasks()]
    if unknown or not tasks:
        raise FieldErrors({"tasks": "プロファイルの事務を1つ以上選択してください"})
    token = "tkv_" + secrets.token_urlsafe(32)
    with transaction.atomic(durable=True):
        account = ServiceAccount.objects.create(name=name, user=user, terminal=terminal, tasks=list(tasks),
                                                token_digest=_token_digest(token), created_by=actor.user)
        record(action=Action.VAULT_SERVICE_ACCOUNT_CREATE, **actor.log_fields(), target_type="service_account",
               target_id=account.pk, details={"terminal_id": terminal.pk, "tasks": list(tasks)})
    return account, token
