"""Reading a J-LIS bulk-acquisition result file (一括取得, 004 §14(1), §14(3)): CSV, streamed, validated.

The file is read as bytes, record by record, so that every record's end offset is known: an import that
stops (crash, kill) resumes at the byte after the last committed batch. Nothing is held for the whole
file; each record is validated on its own and yielded either as a clean row or as a rejection with its
line number and a Japanese reason. Rejections never carry the My Number (only a keyed reference).

Layout: docs/jlis-import.md.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from tokutei.core.fields import FIELD_LIMITS, PERSON_DATES
from tokutei.core.mynumber import CHECK_DIGIT_MESSAGE, EMPTY_MESSAGE, check_my_number
from tokutei.core.text import INVALID_CHARS, INVALID_MESSAGE, SINGLE_LINE_BAD
from tokutei.vault.codec import clean_value
from tokutei.vault.crypto import fold

ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "sjis": "cp932", "shift_jis": "cp932", "shift-jis": "cp932",
             "cp932": "cp932", "ms932": "cp932", "windows-31j": "cp932"}

# Column headers of a J-LIS result file, by field kind (the profile may name more; see header_map).
STANDARD_HEADERS = {
    "my_number": "個人番号",
    "name": "氏名",
    "kana": "氏名カナ",
    "date": "生年月日",
    "sex": "性別",
    "address": "住所",
    "resident_code": "住民票コード",
}

_EARLIEST_ISO = "1868-01-25"
MAX_TEXT = FIELD_LIMITS  # the same limits as every other edge (tokutei.core.fields)


class LayoutError(ValueError):
    """The file cannot be read at all (wrong encoding, missing required column): nothing is loaded."""


@dataclass(frozen=True)
class Column:
    key: str  # profile field key
    kind: str  # profile field kind
    ja: str  # header text
    index: int
    required: bool


@dataclass
class Layout:
    encoding: str
    columns: list[Column]
    header_line: int  # physical line number of the header row (1-based)
    data_offset: int  # byte offset of the first data record
    ignored_headers: list[str] = field(default_factory=list)
    my_number_key: str = "my_number"
    org_key: str | None = None


@dataclass(slots=True)
class Parsed:
    """One record of the file: ``values`` (field key → normalised value) or a ``reason`` it was rejected."""

    line: int  # physical line number where the record starts (1-based, header is line 1)
    end_offset: int  # byte offset just after the record
    values: dict[str, Any] | None
    reason: str = ""
    my_number: str = ""  # normalised 12 digits when it could be read (for the keyed reference only)


def detect_encoding(head: bytes) -> str:
    """UTF-8 (with or without BOM) if the bytes decode as UTF-8, otherwise CP932 (Shift_JIS)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)  # a character cut at the end of the sample is not an error
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("cp932")().decode(head, final=False)
        return "cp932"
    except UnicodeDecodeError:
        raise LayoutError("文字コードを判定できません（UTF-8 または Shift_JIS の CSV を指定してください）") from None


def _norm_header(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace(" ", "").replace("\u3000", "").strip()


def header_map(headers: list[str], profile: Any) -> tuple[list[Column], list[str]]:
    """Find the profile's fields among the headers, in any order (by the field's Japanese name)."""
    wanted: dict[str, tuple[str, Any]] = {}
    for key, spec in profile.fields.items():
        wanted.setdefault(_norm_header(spec.ja), (key, spec))
        standard = STANDARD_HEADERS.get(spec.kind)
        # A profile may call the field 氏名（漢字） or 生年月日 — the J-LIS standard header also finds it.
        if standard and spec.kind not in {"date", "text", "integer", "money"}:
            wanted.setdefault(_norm_header(standard), (key, spec))
        if spec.kind == "date" and key in {"birth_date", "date_of_birth", "birthday"}:
            wanted.setdefault(_norm_header(STANDARD_HEADERS["date"]), (key, spec))
    columns: list[Column] = []
    ignored: list[str] = []
    seen: set[str] = set()
    for index, raw in enumerate(headers):
        name = _norm_header(raw)
        hit = wanted.get(name)
        if hit is None:
            ignored.append(raw)
            continue
        key, spec = hit
        if key in seen:
            raise LayoutError(f"見出し「{raw}」が重複しています")
        seen.add(key)
        required = spec.required or spec.kind == "my_number" or key == profile.org_key_field
        columns.append(Column(key=key, kind=spec.kind, ja=spec.ja, index=index, required=required))
    my_number_keys = [k for k, s in profile.fields.items() if s.kind == "my_number"]
    needed = set(my_number_keys[:1])
    needed |= {k for k, s in profile.fields.items() if s.required and s.kind in {"name", "my_number"}}
    if profile.org_key_field:
        needed.add(profile.org_key_field)
    missing = [profile.fields[k].ja for k in sorted(needed) if k not in seen]
    if missing:
        raise LayoutError("必須の列がありません: " + "、".join(missing))
    return columns, ignored


def read_layout(fh: BinaryIO, profile: Any, encoding: str | None = None) -> Layout:
    """Read the header row of an open binary file and return where the data starts."""
    fh.seek(0)
    head = fh.read(65536)
    if encoding:
        enc = ENCODINGS.get(encoding.lower().replace("_", "-"), ENCODINGS.get(encoding.lower()))
        if enc is None:
            raise LayoutError(f"対応していない文字コードです: {encoding}（utf-8 または cp932）")
    else:
        enc = detect_encoding(head)
    fh.seek(0)
    offset = 0
    if head.startswith(codecs.BOM_UTF8):
        offset = len(codecs.BOM_UTF8)
        fh.seek(offset)
    line = fh.readline()
    if not line:
        raise LayoutError("ファイルが空です（見出し行がありません）")
    try:
        text = line.decode(enc)
    except UnicodeDecodeError:
        raise LayoutError(f"見出し行を {enc} として読めません") from None
    headers = next(csv.reader([text]))
    columns, ignored = header_map(headers, profile)
    my_key = next(c.key for c in columns if c.kind == "my_number")
    return Layout(encoding=enc, columns=columns, header_line=1, data_offset=offset + len(line),
                  ignored_headers=ignored, my_number_key=my_key, org_key=profile.org_key_field)


class _LineSource:
    """Feeds decoded physical lines to csv.reader and keeps the byte offset of what it has handed out."""

    def __init__(self, fh: BinaryIO, encoding: str, offset: int, line: int):
        self.fh = fh
        self.encoding = encoding
        self.offset = offset
        self.line = line  # number of the last physical line handed out
        self.bad_line: int | None = None

    def __iter__(self) -> _LineSource:
        return self

    def __next__(self) -> str:
        raw = self.fh.readline()
        if not raw:
            raise StopIteration
        self.offset += len(raw)
        self.line += 1
        try:
            return raw.decode(self.encoding)
        except UnicodeDecodeError:
            self.bad_line = self.line
            return raw.decode(self.encoding, errors="replace")


class _TextLines:
    """A chunk already decoded in one go (the parse workers' case): lines end at "\n" only, as with
    ``readline`` on bytes. Per-record byte offsets are not tracked (``offset`` stays where the chunk
    starts); the caller knows where the chunk ends."""

    bad_line = None

    def __init__(self, text: str, offset: int, line: int):
        self.lines = io.StringIO(text, newline="\n")
        self.offset = offset
        self.line = line  # the line before the chunk; iter_stream counts from here with csv's line_num


def validate_my_number(text: str) -> tuple[str, str]:
    """(normalised 12 digits, "") or (the number or "", Japanese reason): ``tokutei.core.mynumber``'s check
    and messages — the vault's — with the importer's empty-cell reason."""
    value, error = check_my_number(text)
    return (value, "") if error is None else _refused_number(value, error)


def _refused_number(value: str, error: str) -> tuple[str, str]:
    if error == CHECK_DIGIT_MESSAGE:
        return value, error  # the number is kept: the reject report gives its keyed reference
    return "", (EMPTY_MESSAGE if not value else error)


# --- per-kind cleaners -----------------------------------------------------------------------------------
# Each returns exactly what tokutei.vault.codec.clean_value returns (tests compare them on many inputs),
# taking a shortcut only for inputs whose result is obvious and falling back to clean_value otherwise.
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_BLANKS = re.compile(r"[ \t]+")
_KANA_WORDS = re.compile(r"[ァ-ヶー]+(?: [ァ-ヶー]+)*\Z")
_SIMPLE_SEX = {"男": "男", "女": "女", "1": "男", "2": "女"}


def _fallback(kind: str) -> Any:
    def clean(raw: str) -> str:
        return clean_value(kind, raw)
    return clean


def _clean_text(raw: str) -> str:
    t = fold(raw).strip()
    if SINGLE_LINE_BAD.search(t.replace("\t", " ")):
        return clean_value("text", raw)  # refused there, with the vault's message
    # Runs of blanks fold to one space: only a tab or two blanks in a row can change anything.
    return _BLANKS.sub(" ", t) if ("  " in t or "\t" in t) else t


def _clean_kana(raw: str) -> str:
    t = fold(raw).strip()
    if _KANA_WORDS.match(t):
        return t  # katakana words separated by single spaces: already what clean_value returns
    return clean_value("kana", raw)  # hiragana, odd blanks, 中黒, refusals: the vault's own rules


# Birth dates repeat (~36,500 days in a century): each spelling is parsed once. Bounded to ~8 MB a worker.
_DATES: dict[str, str] = {}


def _clean_date(raw: str) -> str:
    found = _DATES.get(raw)
    if found is not None:
        return found
    value = None
    if _ISO_DATE.match(raw):
        try:
            value = dt.date.fromisoformat(raw).isoformat()
        except ValueError:
            pass
    if value is not None:
        value = PERSON_DATES.check(dt.date.fromisoformat(value)).isoformat()  # raises outside the range
    else:
        value = clean_value("date", raw)  # raises on a bad date: those are not remembered
    if len(_DATES) >= 50_000:
        _DATES.clear()
    _DATES[raw] = value
    return value


def _clean_sex(raw: str) -> str:
    return _SIMPLE_SEX.get(raw) or clean_value("sex", raw)


def _clean_resident_code(raw: str) -> str:
    if len(raw) == 11 and raw.isascii() and raw.isdigit():
        return raw
    return clean_value("resident_code", raw)


CLEANERS: dict[str, Any] = {
    "name": _clean_text, "address": _clean_text, "text": _clean_text, "kana": _clean_kana,
    "date": _clean_date, "sex": _clean_sex, "resident_code": _clean_resident_code,
}


def cleaner_for(kind: str) -> Any:
    return CLEANERS.get(kind) or _fallback(kind)


def _clean(kind: str, ja: str, raw: str, today_iso: str, fn: Any = None) -> tuple[Any, str]:
    """Normalise one value as the vault does: (value, "") or (None, reason). Never quotes the value."""
    try:
        value = (fn or cleaner_for(kind))(raw)
    except ValueError as exc:
        return None, f"{ja}: {exc}"
    if kind == "date" and not (_EARLIEST_ISO <= value <= today_iso):
        return None, f"{ja}が範囲外です（未来の日付または明治より前）"
    if len(value) > MAX_TEXT.get(kind, 300):
        return None, f"{ja}が長すぎます（{MAX_TEXT.get(kind, 300)}文字まで）"
    if "\ufffd" in value:
        return None, f"{ja}に読めない文字があります"
    if INVALID_CHARS.search(value):
        return None, f"{ja}: {INVALID_MESSAGE}"
    return value, ""


def iter_records(path: str | Path, layout: Layout, *, start_offset: int | None = None,
                 start_line: int | None = None, today: dt.date | None = None) -> Iterator[Parsed]:
    """Yield every data record from ``start_offset`` (default: after the header), validated.

    Duplicates are not decided here (they need the database or the whole file): see services.
    """
    with open(path, "rb") as fh:
        offset = layout.data_offset if start_offset is None else start_offset
        fh.seek(offset)
        yield from iter_stream(fh, layout, offset=offset, line=start_line or layout.header_line + 1, today=today)


def split_batches(path: str | Path, *, offset: int, line: int, size: int) -> Iterator[tuple[bytes, int, int]]:
    """Cut the file from ``offset`` into chunks of ``size`` physical lines, never inside a quoted field.

    Yields (bytes, byte offset of the chunk, line number of its first line). Reading is sequential and
    cheap (no decoding, 4 MiB reads, newlines found by ``bytes.find``): workers parse the chunks in
    parallel, and the results are committed in order. A chunk whose quote count is odd ends inside a quoted
    field, so it is extended line by line until the field closes.
    """
    with open(path, "rb") as fh:
        fh.seek(offset)
        buf = b""
        eof = False
        while True:
            while not eof and buf.count(b"\n") < size:
                block = fh.read(1 << 22)
                if not block:
                    eof = True
                    break
                buf += block
            if not buf:
                return
            cut, lines = 0, 0
            while lines < size:
                nl = buf.find(b"\n", cut)
                if nl < 0:
                    if cut < len(buf):  # a last line without a newline (eof: the loop above read all)
                        cut, lines = len(buf), lines + 1
                    break
                cut, lines = nl + 1, lines + 1
            while buf.count(b'"', 0, cut) % 2 and cut < len(buf):
                if not eof and buf.find(b"\n", cut) < 0:
                    block = fh.read(1 << 22)
                    if block:
                        buf += block
                        continue
                    eof = True
                nl = buf.find(b"\n", cut)
                cut, lines = (len(buf) if nl < 0 else nl + 1), lines + 1
            chunk, buf = buf[:cut], buf[cut:]
            yield chunk, offset, line
            offset += len(chunk)
            line += lines


def iter_chunk(data: bytes, layout: Layout, *, offset: int, line: int,
               today: dt.date | None = None) -> Iterator[Parsed]:
    """Records of one chunk from ``split_batches``: decoded in one go when it decodes cleanly (the usual
    case), line by line otherwise (so that a line with a bad byte is named)."""
    try:
        text = data.decode(layout.encoding)
    except UnicodeDecodeError:
        return iter_stream(io.BytesIO(data), layout, offset=offset, line=line, today=today)
    return iter_stream(None, layout, offset=offset, line=line, today=today, source=_TextLines(text, offset, line - 1))


def iter_stream(fh: BinaryIO | None, layout: Layout, *, offset: int, line: int,
                today: dt.date | None = None, source: Any = None) -> Iterator[Parsed]:
    """Records of an open binary stream positioned at byte ``offset`` of the file, line ``line``."""
    today_iso = (today or dt.date.today()).isoformat()
    columns = layout.columns
    width_needed = max(c.index for c in columns) + 1
    my_key = layout.my_number_key
    my_index = next(c.index for c in columns if c.kind == "my_number")
    plan = [(c.key, c.index, c.kind, c.ja, c.required, cleaner_for(c.kind), MAX_TEXT.get(c.kind, 300))
            for c in columns if c.kind != "my_number"]
    if source is None:
        assert fh is not None
        source = _LineSource(fh, layout.encoding, offset, line - 1)
    # A chunk decoded in one go: csv reads its lines at C speed and counts them itself (``line_num``).
    direct = isinstance(source, _TextLines)
    reader = csv.reader(source.lines if direct else source)
    base = source.line
    while True:
        # A quoted field may span lines: report where the record starts.
        line = (base + reader.line_num if direct else source.line) + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield Parsed(line, source.offset, None, f"CSV の形式が正しくありません（{exc}）")
            continue
        end = source.offset
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            continue  # blank line
        if source.bad_line is not None:
            source.bad_line = None
            yield Parsed(line, end, None, f"{layout.encoding} として読めない文字があります")
            continue
        if len(cells) < width_needed:
            yield Parsed(line, end, None, f"列の数が足りません（{len(cells)}列）")
            continue
        number, reason = check_my_number(cells[my_index])  # (number, None) for a valid one: no other call
        if reason is not None:
            number, reason = _refused_number(number, reason)
        values: dict[str, Any] = {my_key: number}
        if not reason:
            for key, index, kind, ja, required, fn, limit in plan:
                raw = cells[index]
                try:
                    value = fn(raw)
                except ValueError as exc:
                    if not raw.strip():
                        if required:
                            reason = f"{ja}が空です"
                            break
                        continue
                    reason = f"{ja}: {exc}"
                    break
                if not value:
                    if required:
                        reason = f"{ja}が空です"
                        break
                    continue
                if len(value) > limit or INVALID_CHARS.search(value) or (
                        kind == "date" and not (_EARLIEST_ISO <= value <= today_iso)):
                    _v, reason = _clean(kind, ja, raw, today_iso, fn)
                    reason = reason or f"{ja}が正しくありません"
                    break
                values[key] = value
        if reason:
            yield Parsed(line, end, None, reason, my_number=number)
        else:
            yield Parsed(line, end, values, my_number=values[my_key])
