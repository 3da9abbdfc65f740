"""A logging filter that keeps My Numbers out of every log line.

Services never log personal data, but a client can still put a number where it does not belong — in a URL
that the web server's access log records, or in a value that ends up in an exception. This filter, attached
to every handler, replaces anything shaped like a 個人番号 (``tokutei.core.mynumber.looks_like_my_number``:
a run of 12 digits, half- or full-width, with any separators, percent-encoded too: mynumber.redact_everywhere) with a fixed marker
before the line is written.
"""

from __future__ import annotations

import logging

from .mynumber import MARK as MARK
from .mynumber import MY_NUMBER_LIKE as MY_NUMBER_LIKE
from .mynumber import redact_everywhere


def redact(text: str) -> str:
    """Every spelling: blanks, hyphens, "+", dots, full-width, percent-encoded (mynumber.redact_everywhere)."""
    return redact_everywhere(text)


# The one line that is let through as it is: the witness's copy of a signed checkpoint (auditlog/witness.py),
# built only from numbers, hex digests, a signature and a time that the system made. A 64-digit hex hash
# holds a run of 12 decimal digits about one time in six; hidden, the remote copy could no longer be
# compared with the checkpoint it witnesses. Its other messages (an error writing the witness) are redacted.
WITNESS_LOGGER = "tokutei.auditlog.witness"
WITNESS_MESSAGE = "checkpoint %s"


class RedactMyNumbers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == WITNESS_LOGGER and record.msg is WITNESS_MESSAGE and record.exc_info is None:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to the handler's own error path
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)  # redacted below
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
