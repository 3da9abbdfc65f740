"""Writes to the vault: files, intake, confirmation, correction, deletion — and the logged reads.

Each function takes one ``actor: Actor`` (tokutei.policy: who, on which terminal, for which declared task,
over which channel) and decides first (``tokutei.policy.require``), logging and raising a refusal OUTSIDE
any transaction; then it does its write in one durable transaction whose last statement is its
operation-log entry; irreversible effects (destroying a file's keys) run after the commit. Nothing here puts personal data in a log
entry, an exception message or a URL: records by id, fields by key.

The package is split by stage: ``files`` (the installation site, files), ``intake`` (取得・入力 and the
second person's confirmation), ``reading`` (get, 照会, 検索), ``correction``, ``deletion``, ``accounts``
(API service accounts) and ``refusals`` (the helper they share). Callers import from here.
"""

from __future__ import annotations

from .accounts import account_for_token, create_service_account, revoke_service_account
from .correction import correct_person, correction_values
from .deletion import (
    access_history,
    confirm_deletion,
    erase_my_numbers,
    erase_people,
    request_deletion,
    retention_due,
)
from .files import SITE_ENV, create_file, installation_site, set_installation_site, shred_file
from .intake import IntakeResult, confirm_person, intake_person, intake_problems, verification_problem
from .reading import MASK, PersonView, ShownField, get_file, get_person, look_up, search_people, view_person

__all__ = [
    "MASK",
    "SITE_ENV",
    "IntakeResult",
    "PersonView",
    "ShownField",
    "access_history",
    "account_for_token",
    "confirm_deletion",
    "confirm_person",
    "correct_person",
    "correction_values",
    "create_file",
    "create_service_account",
    "erase_my_numbers",
    "erase_people",
    "get_file",
    "get_person",
    "installation_site",
    "intake_person",
    "intake_problems",
    "look_up",
    "request_deletion",
    "retention_due",
    "revoke_service_account",
    "search_people",
    "set_installation_site",
    "shred_file",
    "verification_problem",
    "view_person",
]
