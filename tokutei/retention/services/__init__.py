"""Retention writes: the payment calendar, start dates, legal holds, and the disposal workflow."""

from .disposal import (
    cancel_list,
    check_list,
    close_list,
    confirm_list,
    draft_from_worklist,
    draft_list,
    execute_list,
    record_certificate,
)
from .records import (
    InvalidInput,
    add_payment_date,
    hold_step,
    place_hold,
    record_event,
    release_hold,
    remove_payment_date,
)

__all__ = [
    "InvalidInput", "add_payment_date", "cancel_list", "check_list", "close_list", "confirm_list",
    "draft_from_worklist", "draft_list", "execute_list", "hold_step", "place_hold", "record_certificate", "record_event",
    "release_hold", "remove_payment_date",
]
