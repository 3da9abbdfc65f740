"""Vendor writes (tokutei/vendors): each keyword-only, ``actor: Actor``, decided first, one durable
transaction with its log entry last."""

from .contracts import (
                        activate_contract,
                        add_subcontractor,
                        checklist,
                        confirm_clause,
                        confirm_dispatch_terms,
                        draft_contract,
                        end_contract,
                        record_dispatched_worker,
                        record_memorandum,
                        record_return,
)
from .deliveries import Cleared, check_delivery, hand_over, note_delivery, vendor_named
from .register import (
                        close_improvement,
                        create_evaluation,
                        create_vendor,
                        finalise,
                        grade,
                        record_qualification,
                        record_supervision,
                        result_of,
)

__all__ = [
    "Cleared", "activate_contract", "add_subcontractor", "check_delivery", "checklist", "close_improvement",
    "confirm_clause", "confirm_dispatch_terms", "create_evaluation", "create_vendor", "draft_contract",
    "end_contract", "finalise", "grade", "hand_over", "note_delivery", "record_dispatched_worker",
    "record_memorandum", "record_qualification", "record_return", "record_supervision", "result_of",
    "vendor_named",
]
