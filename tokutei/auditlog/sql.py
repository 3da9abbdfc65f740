"""The format 2 rendering of an entry, in each database's SQL (chain.py: ``canonical_v2`` is the definition).

The append (PostgreSQL) and the verifier compute the hashed bytes from the stored columns with these
expressions, so what is hashed is, by construction, what the application reads. Both expressions name the
columns of ``auditlog_entry`` bare; the append evaluates the same expression over the values it inserts.
``tests/test_canonical.py`` checks each against ``chain.canonical_v2`` on generated entries.
"""

from __future__ import annotations

from .chain import V2_PREFIX

# PostgreSQL. ``||`` is NULL if any part is NULL (a NULL in a NOT NULL column can never match); the two
# nullable ids print as '' when NULL (their type admits no other empty value). to_char and AT TIME ZONE
# do not depend on the session's DateStyle or TimeZone; jsonb prints in one canonical way.
_PG_PARTS = (
    f"'{V2_PREFIX}'", "prev_hash", "seq::text", "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')",
    "coalesce(actor_id::text, '')", "actor_username", "coalesce(terminal_id::text, '')", "terminal_name", "action",
    "purpose", "target_type", "target_id", "count::text", "result", "article", "reason", "details::text",
    "lane::text", "lane_seq::text",
)
PG_RENDER = " || E'\\x1f' || ".join(_PG_PARTS)
PG_RENDER_BYTES = f"convert_to({PG_RENDER}, 'UTF8')"
PG_DIGEST = f"encode(sha256({PG_RENDER_BYTES}), 'hex')"

# SQLite stores ``at`` and ``details`` as the text that format 2 hashes (the append writes them so), and
# ``||`` keeps every character (printf() would stop at a NUL). A nullable id must be an integer or NULL: an
# empty string stored in its place would otherwise print like NULL.
_SQLITE_PARTS = (
    f"'{V2_PREFIX}'", "prev_hash", "seq", "at", "coalesce(actor_id, '')", "actor_username",
    "coalesce(terminal_id, '')", "terminal_name", "action", "purpose", "target_type", "target_id", "count", "result",
    "article", "reason", "details", "lane", "lane_seq",
)
SQLITE_RENDER = (
    "CASE WHEN typeof(actor_id) IN ('integer', 'null') AND typeof(terminal_id) IN ('integer', 'null') THEN "
    + " || '\x1f' || ".join(_SQLITE_PARTS) + " END"
)
SQLITE_RENDER_BYTES = f"CAST({SQLITE_RENDER} AS BLOB)"


def render_bytes(vendor: str) -> str:
    """The SQL expression for an entry's format 2 bytes (bytea / BLOB)."""
    return PG_RENDER_BYTES if vendor == "postgresql" else SQLITE_RENDER_BYTES
