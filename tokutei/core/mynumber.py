"""The 個人番号 (My Number) in one place: how an entered number is read, checked and refused, and how
free text is searched for something that looks like one.

Everything that checks or detects a 個人番号 calls this module: the vault's intake, search and correction
(``tokutei.vault.codec.check_my_number`` re-exports :func:`check_my_number`), the bulk importer
(``tokutei.bulk.jlis``), the log filter (``tokutei.core.logging``) and the free-text checks of the ledgers
and approvals.

Reading an entered number (:func:`normalise_my_number`)
    The entry may use half- or full-width digits (``0-9``, ``０-９``) and, between them, the allowed
    separators: white space (including the ideographic space) and hyphens or dashes (``-``, ``‐``, ``‑``,
    ``‒``, ``–``, ``—``, ``―``, ``−``, ``ー``, ``ｰ``, ``－``, ``﹣``). It is NFKC-normalised and the separators
    are removed. Anything else — a dot, a letter, an enclosed or circled digit such as ``⒏`` or ``①`` (NFKC
    would turn them into a digit, or a digit and a dot), a superscript — is refused: the result then is not
    12 ASCII digits, so :func:`check_my_number` answers :data:`LENGTH_MESSAGE`.

Checking (:func:`is_valid_my_number`)
    12 ASCII digits whose last digit is the check digit of the first 11 (総務省令 §5): the weighted sum
    with weights 6,5,4,3,2,7,6,5,4,3,2 modulo 11, r; the check digit is 0 when r ≤ 1, otherwise 11 − r.
    The same arithmetic as python-stdnum's ``stdnum.jp.in_`` (a property test proves they agree on every
    12-digit string), computed over the digits' ASCII codes in one expression because the bulk importer
    checks a million numbers per file (docs/performance.md).

Detecting (:func:`looks_like_my_number`, :func:`redact_my_numbers`)
    Something shaped like a 個人番号 is any of

    * 12 digits in a row, not touching another digit (``404 037617304300`` in a log line is found);
    * three groups of 4 digits joined by separators (``0376 1730 4300``, ``0376-1730-4300``,
      ``0376%201730%204300`` in a URL), not touching another digit;
    * a run of digits joined by separators in any other grouping (``03 7617 304300``) that has exactly
      12 digits in all — a longer run (two dates, ``2026-12-03 2026-12-04``) is not one.

    A separator here is up to three white-space or hyphen characters, or one URL-encoded space ``%20``.
    A digit is any character that NFKC turns into one ASCII digit: half- and full-width digits, but also
    ``①``, ``²`` or ``𝟖``, so what would be refused on entry is still found in free text. Dots are not
    separators here (an IP address or a version is not a 個人番号). No check digit is required: a mistyped
    number is still personal data.
"""

from __future__ import annotations

import re
import unicodedata

LENGTH_MESSAGE = "個人番号は12桁の数字で入力してください"
CHECK_DIGIT_MESSAGE = "個人番号のチェックデジットが正しくありません"
EMPTY_MESSAGE = "個人番号が空です"

WEIGHTS = (6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
_ASCII_ZERO_SUM = 48 * sum(WEIGHTS)  # what the weights add up to over the ASCII code of "0"

# The allowed separators: white space and hyphens / dashes (after NFKC, ｰ is ー, － and ﹣ are "-").
HYPHENS = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\uff70\uff0d\ufe63"
_HYPHEN_CLASS = re.escape(HYPHENS)
_SEPARATORS = re.compile(rf"[\s{_HYPHEN_CLASS}]+")
_ENTERED = re.compile(rf"[0-9\uff10-\uff19\s{_HYPHEN_CLASS}]*")


def normalise_my_number(value: str) -> str:
    """An entered 個人番号 as 12 ASCII digits when it is written as one (the check digit is not checked).

    Half- or full-width digits, with white space and hyphens anywhere; NFKC, then the separators removed.
    An entry with any other character comes back with that character in it (not NFKC-normalised), so it is
    never 12 ASCII digits and :func:`check_my_number` refuses it."""
    value = value or ""
    if len(value) == 12 and value.isascii() and value.isdigit():
        return value
    if not _ENTERED.fullmatch(value):
        return _SEPARATORS.sub("", value)
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", value))


def is_twelve_digits(value: str) -> bool:
    """12 ASCII digits (``str.isdigit`` alone would also accept other scripts' digits)."""
    return len(value) == 12 and value.isascii() and value.isdigit()


def check_digit(eleven: str) -> str:
    """The check digit of an 11-digit base."""
    r = sum(w * (ord(c) - 48) for w, c in zip(WEIGHTS, eleven, strict=True)) % 11
    return "0" if r <= 1 else str(11 - r)


def _check_digit_matches(d: bytes) -> bool:
    """The check digit of 12 ASCII digits (as bytes) is right: one expression over the ASCII codes."""
    r = (6 * d[0] + 5 * d[1] + 4 * d[2] + 3 * d[3] + 2 * d[4] + 7 * d[5] + 6 * d[6] + 5 * d[7] + 4 * d[8]
         + 3 * d[9] + 2 * d[10] - _ASCII_ZERO_SUM) % 11
    return d[11] == (48 if r <= 1 else 59 - r)  # ASCII of "0", or of the digit 11 - r


def is_valid_my_number(value: str) -> bool:
    """``value`` is 12 ASCII digits with a valid check digit (already normalised: no separators).

    Equal to ``stdnum.jp.in_.is_valid`` on every 12-digit string (tokutei/core/tests/test_mynumber.py)."""
    return len(value) == 12 and value.isascii() and value.isdigit() and _check_digit_matches(value.encode())


def check_my_number(raw: str) -> tuple[str, str | None]:
    """(normalised, error) for an entered 個人番号; error is None, :data:`LENGTH_MESSAGE` (not 12 digits, or
    a character other than digits and the allowed separators) or :data:`CHECK_DIGIT_MESSAGE`.

    The messages never contain the value. The bulk importer calls this once per row: the usual input (12
    ASCII digits) takes no normalisation and no further call."""
    if not (len(raw) == 12 and raw.isascii() and raw.isdigit()):
        raw = normalise_my_number(raw)
        if not (len(raw) == 12 and raw.isascii() and raw.isdigit()):
            return raw, LENGTH_MESSAGE
    if _check_digit_matches(raw.encode()):
        return raw, None
    return raw, CHECK_DIGIT_MESSAGE


# --- detecting a 個人番号 in free text and log lines -----------------------------------------------------

# Every character whose NFKC form is one ASCII digit (the full list, from a scan of all of Unicode).
_DIGIT = ("[0-9\u00b2\u00b3\u00b9\u2070\u2074-\u2079\u2080-\u2089\u2460-\u2468\u24ea\uff10-\uff19"
          "\U0001d7ce-\U0001d7ff\U0001fbf0-\U0001fbf9]")
_SEP = rf"[\s{_HYPHEN_CLASS}]"
_JOIN = rf"(?:{_SEP}{{1,3}}|%20)"
# Every alternative starts with a digit, so that the regex engine scans for a digit first (a leading
# look-behind would make it try every position: 3x slower on a log line). The look-behinds then look back
# from that first digit: not after a digit; for the whole-run form, not after a digit and separators either
# (Python's look-behind needs fixed widths, hence one per width).
_FIRST = rf"{_DIGIT}(?<!{_DIGIT}{_DIGIT})"
_RUN_START = (rf"(?<!{_DIGIT}{_SEP}{_DIGIT})(?<!{_DIGIT}{_SEP}{{2}}{_DIGIT})(?<!{_DIGIT}{_SEP}{{3}}{_DIGIT})"
              rf"(?<!{_DIGIT}%20{_DIGIT})")
MY_NUMBER_LIKE = re.compile(
    rf"{_FIRST}(?:"
    rf"{_DIGIT}{{11}}(?!{_DIGIT})"
    rf"|{_DIGIT}{{3}}{_JOIN}{_DIGIT}{{4}}{_JOIN}{_DIGIT}{{4}}(?!{_DIGIT})"
    rf"|{_RUN_START}(?:{_JOIN}?{_DIGIT}){{11}}(?!{_JOIN}?{_DIGIT})"
    rf")"
)
MARK = "[個人番号らしき数字を伏せました]"


def looks_like_my_number(text: str) -> bool:
    """Whether ``text`` contains something shaped like a 個人番号 (see the module docstring)."""
    return bool(text) and MY_NUMBER_LIKE.search(text) is not None


def redact_my_numbers(text: str, mark: str = MARK) -> str:
    """``text`` with everything shaped like a 個人番号 replaced by ``mark``: the result never looks like one
    (hiding a number can leave a shorter run beside it that now stands alone: it is hidden too)."""
    if not text:
        return text
    while True:
        hidden = MY_NUMBER_LIKE.sub(mark, text)
        if hidden == text:
            return hidden
        text = hidden


# --- the redaction for logs and addresses: every spelling ------------------------------------------------
# A log line or an address may carry a number written any way a person or a browser writes it: with blanks,
# hyphens, "+", dots or underscores between the digits, in full-width digits, percent-encoded (an address
# bar sends ０ as %EF%BC%90 and a blank as %20 or +), even encoded twice. :func:`redact_everywhere` reads the
# text percent-decoded, finds every run of digits joined by such separators, and hides a run that is, or
# holds, something shaped like a 個人番号: 12 digits in all, a block of exactly 12 digits, or three groups
# of 4. An IPv4 address (four dotted groups of up to three digits) is not one. What it hides is always
# more than the narrower detector above finds (a property test checks generated spellings).
_WIDE_JOIN = rf"[\s+._{_HYPHEN_CLASS}]{{1,3}}"
_WIDE_RUN = re.compile(rf"{_DIGIT}(?:(?:{_WIDE_JOIN})?{_DIGIT})*")
_WIDE_SPLIT = re.compile(_WIDE_JOIN)
_IPV4 = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}")
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")


def _decoded(text: str) -> str:
    """``text`` percent-decoded (up to three times, for addresses encoded twice); "+" is left as it is (a
    separator anyway)."""
    from urllib.parse import unquote

    for _ in range(3):
        if "%" not in text or not _PERCENT.search(text):
            break
        decoded = unquote(text, errors="replace")
        if decoded == text:
            break
        text = decoded
    return text


def _run_is_number_like(run: str) -> bool:
    groups = [len(g) for g in _WIDE_SPLIT.split(run)]
    total = sum(groups)
    if total < 12:
        return False
    if _IPV4.fullmatch(run):
        return False
    if total == 12 or 12 in groups:
        return True
    return any(groups[i:i + 3] == [4, 4, 4] for i in range(len(groups) - 2))


def number_like_anywhere(text: str) -> bool:
    """Whether ``text`` — percent-decoded, with any separators — holds something shaped like a 個人番号."""
    if not text:
        return False
    decoded = _decoded(text)
    return looks_like_my_number(decoded) or any(
        _run_is_number_like(m.group(0)) for m in _WIDE_RUN.finditer(decoded))


def redact_everywhere(text: str, mark: str = MARK) -> str:
    """``text`` with every spelling of something shaped like a 個人番号 hidden (the one redaction of server
    log lines and logged values). Unchanged when there is none; otherwise returned percent-decoded, with
    each such run replaced by ``mark``."""
    if not text or not number_like_anywhere(text):
        return text
    decoded = redact_my_numbers(_decoded(text), mark)
    return _WIDE_RUN.sub(lambda m: mark if _run_is_number_like(m.group(0)) else m.group(0), decoded)


def strip_number_like(url: str, fallback: str = "/") -> str:
    """An address to redirect to or carry in a ``next`` field, without anything shaped like a 個人番号: the
    query string goes when it holds one, the whole address (→ ``fallback``) when its path does."""
    if not url or not number_like_anywhere(url):
        return url
    path, _, _query = url.partition("?")
    path = path.partition("#")[0]
    return fallback if number_like_anywhere(path) else path


def clean_redirect(url: str) -> str:
    """A redirect's address without a 個人番号: the path holding one → "/"; each query parameter holding one
    (its name or value, ``next`` included) dropped."""
    if not url or not number_like_anywhere(url):
        return url
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    if number_like_anywhere(parts.path) or number_like_anywhere(parts.netloc):
        return "/"
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not number_like_anywhere(k) and not number_like_anywhere(v)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept), ""))
