"""Record books that other apps keep with their own rules (don't duplicate them here; link to them).

The operator and user-ID registers live with the staff app, the media and document registers with the
registers app. When such a page exists, the ledgers index links to it and
the generic record-book page does not offer its own entry form for that register.
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

EXTERNAL: dict[str, tuple[str, ...]] = {
    "operators": ("staff:register",),
    "user_ids": ("registers:ids", "staff:register", "staff:staff_list"),
    "terminals": ("staff:terminals",),
    "media": ("registers:media",),
    "documents": ("registers:documents",),
    "design_documents": ("registers:documents",),
    # issue 17: kept by the registers app with their own rules (E-10, E-17–E-20)
    "room_entry": ("registers:rooms",),
    "assets": ("registers:assets",),
    "device_allowlist": ("registers:assets",),
    "biometric": ("registers:ids",),
    "linkage_ids": ("registers:linkage_ids",),  # E-44: activated only on the recorded application
}


def external_url(key: str) -> str | None:
    for name in EXTERNAL.get(key, ()):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None
