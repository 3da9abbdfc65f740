"""Each kind of approval request with the particulars it needs (issue 18 item 4).

A kind is an operation of ``profile.approvals`` (its title, roles and steps come from the profile); what a
request of that kind must say is the same in every organisation: the scope that the operation's check
compares with (``particulars_check`` in the services that use the approval) plus the reason. A field named
here is asked for with a picker of records, never a typed id; the ``*`` ones are required.
"""

from __future__ import annotations

import re

# Particulars (and the subject) a request may carry; the form's field of the same name asks for it.
PURPOSE, COUNT, FILE, MEDIUM, CARRY_OUT, DOCUMENT, TERMINAL, VENDOR, SUBJECT, DESTINATION, NOTE = (
    "purpose", "count_limit", "file", "medium", "carry_out", "document", "terminal", "vendor", "subject",
    "destination", "note")

# operation → [(field, required)]; the reason (note) is required for every kind.
_KINDS: dict[str, list[tuple[str, bool]]] = {
    "bulk_handling": [(PURPOSE, True), (COUNT, True), (FILE, False)],
    "export": [(PURPOSE, True), (COUNT, True), (FILE, False), (DESTINATION, True)],
    "transmit": [(PURPOSE, True), (COUNT, False), (FILE, False), (DESTINATION, True)],
    "copy": [(PURPOSE, True), (COUNT, False), (FILE, False)],
    "media_carry_out": [(CARRY_OUT, True)],
    "document_copy": [(DOCUMENT, True)],
    "document_carry_out": [(DOCUMENT, True), (DESTINATION, True)],
    "terminal_carry_out": [(TERMINAL, True), (DESTINATION, True)],
    "terminal_bring_in": [(TERMINAL, True)],
    "subcontracting": [(VENDOR, True)],
    "correction": [(PURPOSE, True), (FILE, False)],
    "disposal": [(FILE, False), (MEDIUM, False), (DOCUMENT, False)],
    "biometric_register": [(SUBJECT, True)],
    "biometric_delete": [(SUBJECT, True)],
    "delegated_authority_add": [(SUBJECT, True)],
    "delegated_authority_return": [(SUBJECT, True)],
    "id_password_exception": [(SUBJECT, True)],
    "operator_registration": [(SUBJECT, True)],
    "disclosure": [(PURPOSE, False)],
}


def fields_of(operation: str) -> list[tuple[str, bool]]:
    """The particulars a request for ``operation`` asks for, in order, the reason last (always required)."""
    if re.fullmatch(r"room_entry_l\d+", operation):
        fields = [(SUBJECT, True)]
    else:
        fields = list(_KINDS.get(operation, []))
    return [*fields, (NOTE, True)]
