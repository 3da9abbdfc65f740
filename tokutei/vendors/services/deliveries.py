"""Deliveries to vendors: every export, carry-out or hand-over whose recipient is a vendor names the vendor
and its contract, and is refused without a valid contract and — where the profile has the 別紙3 evaluation —
a current one (E-27: an overdue re-evaluation, or none, blocks deliveries; 004 §14(5)).

``check_delivery`` is called by the apps that hand data out (tokutei.registers: exports and carry-outs)
before their transaction, with their own action, so the refusal is logged as theirs; ``note_delivery`` is
called inside their transaction. ``hand_over`` records a hand-over of its own (書類等の引渡し).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import record
from tokutei.core.errors import Refused
from tokutei.policy import Actor, require

from .. import selectors
from ..models import Contract, Delivery, Vendor
from .common import article_or_general, clean, no, outsourcing


@dataclass(frozen=True)
class Cleared:
    """A delivery the vendor rules allow: to this vendor, under this contract."""

    vendor: Vendor
    contract: Contract

    def details(self) -> dict:
        """What the handling-status record (別紙1) shows: the recipient and the contract."""
        return {"recipient": self.vendor.name[:200], "vendor_id": self.vendor.pk, "contract_id": self.contract.pk}


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split()).casefold()


def vendor_named(recipient: str) -> Vendor | None:
    """The registered vendor a recipient's name is (NFKC, spaces and case ignored), or None."""
    wanted = _norm(recipient)
    if not wanted:
        return None
    for vendor in Vendor.objects.only("pk", "name"):
        if _norm(vendor.name) == wanted:
            return vendor
    return None


def check_delivery(*, actor: Actor, action: Action, recipient: str = "", contract_id=None,
                   target: tuple[str, object] = ("", "")) -> Cleared | None:
    """None when the recipient is not a vendor and no contract is named; else the cleared delivery.

    Refused (logged under ``action``) when a vendor is named without its contract, the contract is not the
    vendor's, not active or outside its term, the vendor no longer qualifies, its 別紙3 verdict is 不採用,
    its re-evaluation is overdue or missing, or a blocking improvement is still open."""
    out = outsourcing()
    article = article_or_general(out.deliveries_article)
    named = vendor_named(recipient)

    def refuse(message: str, code: str) -> Refused:
        return no(actor, message, action=action, article=article, code=code, target=target,
                  details={"vendor_id": getattr(named, "pk", None), "contract_id": str(contract_id or "")[:20]})

    if contract_id in (None, ""):
        if named is None:
            return None
        raise refuse(_("提供先「%(v)s」は委託先です。委託契約を指定してください") % {"v": named.name}, "contract_missing")
    try:
        pk = int(contract_id)
    except (TypeError, ValueError):
        pk = 0
    contract = Contract.objects.select_related("vendor").filter(pk=pk).first() if 0 < pk < 2**31 else None
    if contract is None:
        raise refuse(_("指定された委託契約が見つかりません"), "contract_not_found")
    if named is not None and named.pk != contract.vendor_id:
        raise refuse(_("提供先と委託契約の委託先が異なります"), "contract_other_vendor")
    today = timezone.localdate()
    if contract.status != Contract.Status.ACTIVE:
        raise refuse(_("委託契約「%(c)s」は有効ではありません（%(s)s）") % {
            "c": contract.title, "s": contract.get_status_display()}, "contract_not_active")
    if not contract.starts_on <= today <= contract.ends_on:
        raise refuse(_("委託契約「%(c)s」の契約期間外です") % {"c": contract.title}, "contract_out_of_term")
    standing = selectors.standing(contract.vendor, today=today)
    if standing.blockers:
        code, message = standing.blockers[0]
        ve = out.vendor_evaluation
        raise no(actor, _("委託先「%(v)s」には提供できません: %(m)s") % {"v": contract.vendor.name, "m": message},
                 action=action, article=ve.article if ve.enabled and code != "not_qualified" else article, code=code,
                 target=target, details={"vendor_id": contract.vendor_id, "contract_id": contract.pk})
    return Cleared(contract.vendor, contract)


def note_delivery(*, actor: Actor, cleared: Cleared, kind: str, reference: str, record_count: int = 0) -> Delivery:
    """Inside the delivering operation's transaction: the delivery on the vendor's page."""
    return Delivery.objects.create(vendor=cleared.vendor, contract=cleared.contract, kind=kind,
                                   reference=reference[:100], record_count=max(0, int(record_count or 0)),
                                   delivered_by=actor.user)


def hand_over(*, actor: Actor, contract_id, item: str, record_count: int = 0) -> Delivery:
    """委託先への引渡し (書類・媒体等): a handling step of its own, in the handling-status record (別紙1)."""
    require(actor, Action.VENDORS_DELIVERY, target=("contract", contract_id))
    t = clean(actor, Action.VENDORS_DELIVERY, ("contract", contract_id), item=item)
    if not t["item"]:
        raise no(actor, _("引き渡すもの（書類・媒体等）を記入してください"), action=Action.VENDORS_DELIVERY,
                 code="invalid", target=("contract", contract_id))
    cleared = check_delivery(actor=actor, action=Action.VENDORS_DELIVERY, contract_id=contract_id,
                             target=("contract", contract_id))
    assert cleared is not None  # a contract was named
    with transaction.atomic(durable=True):
        row = note_delivery(actor=actor, cleared=cleared, kind=Delivery.Kind.HANDOVER, reference=t["item"],
                            record_count=record_count)
        record(action=Action.VENDORS_DELIVERY, target_type="contract", target_id=cleared.contract.pk,
               count=row.record_count, article=article_or_general(outsourcing().deliveries_article),
               details={**cleared.details(), "item": t["item"][:200], "delivery_id": row.pk}, **actor.log_fields())
    return row
