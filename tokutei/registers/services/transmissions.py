"""送信 (002 §11(2), §24; E-08, E-45): sending an export file to another system or body.

Sending is an operation of its own — not the copy (出力, ``exports``) nor a carry-out of a medium (``media``):
the encrypted export file (``TemporaryCopy``) its maker sends, for the task it was made for, to a recipient,

* over a channel of the profile's list (``transmission.channels``, chosen, never free text), whose
  communication path is protected: a channel marked ``encrypted: false`` is refused (E-45);
* on the recorded instruction the profile names (``transmission.approval``: in 002 the 保護管理者's, approvals
  ``transmit``), used once, for the same task (E-08).

The log entry (``vault.transmit``, stage 提供) carries the recipient and the channel as its method, so the
handling-status record (運用状況記録) shows the sending as it shows exports. An organisation whose profile
has no ``transmission`` section has no such operation: the attempt is refused with its general provisions.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tokutei.approvals import services as approvals
from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import record, refuse
from tokutei.policy import Actor, get_or_refuse
from tokutei.profiles.selectors import get_profile

from ..models import TemporaryCopy, Transmission


def channel_choices() -> list[tuple[str, str]]:
    """The profile's channels, those without path protection marked (they are refused when chosen)."""
    transmission = get_profile().transmission
    if transmission is None:
        return []
    return [(key, c.ja if c.encrypted else _("%(name)s（暗号化なし・送信できません）") % {"name": c.ja})
            for key, c in transmission.channels.items()]


def transmit(*, actor: Actor, copy_id: int, channel: str, recipient: str, approval_id: int | str | None = None,
             note: str = "") -> Transmission:
    """送信 of the export ``copy_id`` to ``recipient`` over ``channel`` (a key of the profile's list)."""
    profile = get_profile()
    spec = profile.transmission
    common: dict[str, Any] = {"action": Action.VAULT_TRANSMIT, **actor.log_fields(), "target_type": "copy",
                              "target_id": copy_id}
    if spec is None:
        raise refuse(_("この組織の規程には、送信の定めがありません"), article=profile.organisation.article,
                     code="no_transmission", **common)
    copy = get_or_refuse(actor, Action.VAULT_TRANSMIT,
                         TemporaryCopy.objects.filter(expires_at__gt=timezone.now()), pk=copy_id)
    recipient = (recipient or "").strip()
    if not recipient:
        raise refuse(_("送信先を記録してください"), article=spec.article, code="recipient_missing", **common)
    chosen = spec.channels.get(channel or "")
    if chosen is None:
        raise refuse(_("送信の経路は、定められた一覧から選択してください"), article=spec.article,
                     code="unknown_channel", details={"channel": (channel or "")[:60]}, **common)
    if not chosen.encrypted:
        raise refuse(_("「%(name)s」は通信経路が暗号化されていないため、特定個人情報等を送信できません")
                     % {"name": chosen.ja}, article=spec.article, code="unencrypted_channel",
                     details={"channel": channel}, **common)

    def scope(particulars: dict[str, Any]) -> str | None:
        if particulars.get("purpose") not in (None, copy.purpose):
            return _("事務（目的）が承認と異なります")
        return None

    approval = None
    if spec.approval is not None:
        approval = approvals.require_approval(operation=spec.approval, actor=actor, approval_id=approval_id,
                                              particulars_check=scope, action=Action.VAULT_TRANSMIT,
                                              target_type="copy", target_id=copy.pk)
    with transaction.atomic(durable=True):
        if approval is not None:
            assert spec.approval is not None
            approvals.consume_approval(request_id=approval.pk, operation=spec.approval, actor=actor, check=scope)
        sent = Transmission.objects.create(copy=copy, channel=channel, recipient=recipient[:200], approval=approval,
                                           note=(note or "")[:200], sent_by=actor.user)
        record(action=Action.VAULT_TRANSMIT, **actor.log_fields(), target_type="copy", target_id=copy.pk,
               count=copy.record_count, article=spec.article,
               details={"transmission_id": sent.pk, "copy_id": copy.pk, "recipient": recipient[:200],
                        "channel": channel, "method": chosen.ja, "encrypted": True,
                        "approval_id": getattr(approval, "pk", None)})
    return sent
