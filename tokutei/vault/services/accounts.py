"""API service accounts: a client bound to one registered terminal and to tasks."""

from __future__ import annotations

from django.db import transaction

from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import record
from tokutei.policy import Actor, require
from tokutei.profiles.selectors import get_profile

from ..codec import FieldErrors
from ..models import ServiceAccount

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

    Only a system administrator the profile names may register one — on the web, the API or the console
    (``tokutei vault_account create --by USERID``: ``Actor.console`` of that administrator, so the console
    rule of the profile applies); never the system on its own. A refusal is logged.
    """
    import secrets

    profile = get_profile()
    require(actor, Action.VAULT_SERVICE_ACCOUNT_CREATE, target=("service_account", ""),
            details={"name": name[:100]})
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


def cancel_tokens_of(user, now) -> int:
    """The API tokens that act as ``user``, revoked — a step of closing their deprovisioning task as
    cancelled (tokutei.staff.credentials, E-13), inside its transaction and logged by it."""
    return ServiceAccount.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)


def revoke_service_account(*, actor: Actor, name: str) -> int:
    """Revoke the API client named ``name`` (its token stops working at once); the number revoked (0 or 1).

    Decided like the registration (a system administrator); a refusal is logged.
    """
    from django.utils import timezone

    require(actor, Action.VAULT_SERVICE_ACCOUNT_REVOKE, target=("service_account", ""), details={"name": name[:100]})
    with transaction.atomic(durable=True):
        account = ServiceAccount.objects.select_for_update().filter(name=name, revoked_at__isnull=True).first()
        if account is None:
            return 0
        account.revoked_at = timezone.now()
        account.save(update_fields=["revoked_at"])
        record(action=Action.VAULT_SERVICE_ACCOUNT_REVOKE, **actor.log_fields(), target_type="service_account",
               target_id=account.pk, details={"name": name[:100]})
    return 1
