"""From field values to a stored person row and back: validation, normalisation, encryption, indexes.

The bulk importer calls the same functions per row (docs/keys.md §"Row format")::

    codec = PersonCodec.for_file(file.pk)          # once: keys unwrapped, HMAC states precomputed
    values = codec.clean(raw)                      # validate + normalise (raises FieldErrors)
    key_id, blob = codec.encrypt(values)           # AES-256-GCM, header carries key_id
    columns = codec.indexes(values)                # {"bi_key": v, "bi_my_number": int64, ...}

``encrypt_person_fields()`` and ``blind_indexes()`` are the same as one-off calls.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import orjson

from tokutei.core.fields import FIELD_LIMITS, PERSON_DATES, note_refusal
from tokutei.core.jdates import parse_date

# The 個人番号 check and its messages are tokutei.core.mynumber's (the bulk importer uses the same); they
# stay importable from here.
from tokutei.core.mynumber import CHECK_DIGIT_MESSAGE as CHECK_DIGIT_MESSAGE
from tokutei.core.mynumber import LENGTH_MESSAGE as LENGTH_MESSAGE
from tokutei.core.mynumber import check_my_number as check_my_number
from tokutei.core.text import check_text
from tokutei.profiles.selectors import get_profile

from .crypto import (
    Indexer,
    IndexInputs,
    Sealer,
    fold,
    normalise_kana,
    normalise_org_key,
    normalise_resident_code,
)
from .keys import get_keyring


# Compact, UTF-8, sorted keys: the same bytes as json.dumps(ensure_ascii=False, separators=(",", ":"),
# sort_keys=True), ~14x faster (orjson; the bulk importer seals a million of these).
def _encode(values: dict[str, str]) -> bytes:
    return orjson.dumps(values, option=orjson.OPT_SORT_KEYS)



class FieldErrors(ValueError):
    """Input errors by field key (Japanese messages; never echo the value)."""

    def __init__(self, errors: dict[str, str], article: str = ""):
        self.errors = errors
        self.article = article
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


def scope_for(file_id: int) -> str:
    return f"file:{file_id}"


def aad_for(file_id: int) -> bytes:
    """Associated data binding a person ciphertext to its file (a row moved to another file fails)."""
    return b"tokutei/person/%d" % file_id


_SEX = {"1": "男", "2": "女", "男": "男", "女": "女", "男性": "男", "女性": "女", "M": "男", "F": "女",
        "MALE": "男", "FEMALE": "女", "9": "不明", "不明": "不明"}
_INT = re.compile(r"^-?[0-9]+$")


def clean_value(kind: str, raw: object) -> str:
    """One field's normalised string; raises ValueError with a Japanese message."""
    if kind == "my_number":
        if isinstance(raw, str) and len(raw) > 40:
            raise ValueError(LENGTH_MESSAGE)
        # Not folded first: the check refuses what only NFKC would turn into digits (⒏, ①).
        value, error = check_my_number(str(raw) if raw is not None else "")
        if error:
            raise ValueError(error)
        return value
    if isinstance(raw, dt.date):
        return PERSON_DATES.check(raw).isoformat()
    # One set of text rules for every edge (tokutei.core.text): no controls, bidi overrides, surrogates or
    # unreadable characters (U+FFFD: what invalid UTF-8 becomes), within the kind's length.
    text = str(raw).replace("\t", " ") if raw is not None else ""
    text = check_text(text, max_length=FIELD_LIMITS.get(kind, 500))
    text = fold(text).strip()
    if kind == "resident_code":
        value = normalise_resident_code(text)
        if len(value) != 11 or not value.isdigit():
            raise ValueError("住民票コードは11桁の数字で入力してください")
        return value
    if kind == "kana":
        value = re.sub(r"\s+", " ", fold(text).replace("　", " ")).strip()
        folded = normalise_kana(value)
        # Letters must be katakana (or hiragana); blanks, 中黒 or punctuation alone are not a name.
        if (value and not folded) or (folded and not re.fullmatch(r"[ァ-ヶー]+", folded)):
            raise ValueError("カナで入力してください")
        from .crypto import hiragana_to_katakana

        return hiragana_to_katakana(value)
    if kind == "date":
        try:
            day = parse_date(text)
        except Exception as exc:
            # "13月40日" is a date that does not exist, not a wrong format (the value is not repeated).
            if "存在しない日付" in str(exc):
                raise ValueError("存在しない日付です（月は1～12、日はその月の日数まで）") from exc
            if "期間外" in str(exc):
                raise ValueError("元号の期間外の日付です") from exc
            raise ValueError("日付は 2024-04-01 または 令和6年4月1日 の形で入力してください") from exc
        return PERSON_DATES.check(day).isoformat()
    if kind == "sex":
        sex = _SEX.get(text.upper())
        if sex is None:
            raise ValueError("性別は 男 / 女 で入力してください")
        return sex
    if kind in ("integer", "money"):
        value = text.replace(",", "").replace("円", "")
        if not _INT.match(value):
            raise ValueError("数字で入力してください")
        return str(int(value))
    return re.sub(r"[ \t]+", " ", text).strip()


@dataclass
class PersonCodec:
    """Per-file encoder: one AESGCM object and precomputed HMAC states, reused for every row."""

    file_id: int
    sealer: Sealer
    indexer: Indexer
    kinds: dict[str, str]  # field key → kind
    required: frozenset[str]
    index_fields: dict[str, str] = field(default_factory=dict)  # my_number / resident_code / kana / birth / org
    _aad: bytes | None = None

    @classmethod
    def for_file(cls, file_id: int, *, profile=None) -> PersonCodec:
        profile = profile or get_profile()
        ring = get_keyring()
        return cls(file_id=file_id, sealer=ring.data_key_for(scope_for(file_id)), indexer=ring.current_indexer(),
                   kinds={k: f.kind for k, f in profile.fields.items()},
                   required=frozenset(k for k, f in profile.fields.items() if f.required),
                   index_fields=index_field_keys(profile))

    def clean(self, raw: Mapping[str, object], *, allowed: frozenset[str] | None = None,
              require: bool = True) -> dict[str, str]:
        """Validate and normalise; blank values are dropped. Raises FieldErrors."""
        errors: dict[str, str] = {}
        values: dict[str, str] = {}
        for key, value in raw.items():
            if key not in self.kinds:
                errors[key] = "この項目はプロファイルに定義されていません"
                continue
            if allowed is not None and key not in allowed:
                errors[key] = "この項目は選択された事務では利用できません"
                continue
            if value is None or (isinstance(value, str) and fold(value).strip() == ""):
                continue
            try:
                values[key] = clean_value(self.kinds[key], value)
            except ValueError as exc:
                errors[key] = str(exc)
        if require:
            for key in sorted(self.required if allowed is None else self.required & allowed):
                if key not in values and key not in errors:
                    errors[key] = "必須項目です"
        if errors:
            note_refusal("person_field")  # logged with the request (tokutei.core.middleware)
            raise FieldErrors(errors)
        return values

    def encrypt(self, values: dict[str, str]) -> tuple[int, bytes]:
        if self._aad is None:
            self._aad = aad_for(self.file_id)
        return self.sealer.key_id, self.sealer.seal(_encode(values), self._aad)

    def encrypt_many(self, rows: list[dict[str, str]]) -> list[bytes]:
        """Ciphertexts for a batch of cleaned rows (all under ``self.sealer.key_id``)."""
        if self._aad is None:
            self._aad = aad_for(self.file_id)
        return self.sealer.seal_many([_encode(v) for v in rows], self._aad)

    def index_inputs(self, values: dict[str, str]) -> IndexInputs:
        f = self.index_fields
        return IndexInputs(
            my_number=values.get(f.get("my_number", ""), ""),
            resident_code=values.get(f.get("resident_code", ""), ""),
            kana=normalise_kana(values.get(f.get("kana", ""), "")),
            birth_date=values.get(f.get("birth_date", ""), ""),
            org_key=normalise_org_key(values.get(f.get("org_key", ""), "")),
        )

    def indexes(self, values: dict[str, str], indexer: Indexer | None = None) -> dict[str, object]:
        """The ``bi_*`` columns (signed 64-bit ints) and ``bi_key`` under ``indexer`` (the current one by default)."""
        ix = indexer or self.indexer
        f = self.index_fields
        mn = values.get(f.get("my_number", ""))
        rc = values.get(f.get("resident_code", ""))
        kana = values.get(f.get("kana", ""))
        birth = values.get(f.get("birth_date", ""))
        org = values.get(f.get("org_key", ""))
        kana = normalise_kana(kana) if kana else ""
        return {
            "bi_key": ix.version,
            "bi_my_number": ix.index("mn", mn) if mn else None,
            "bi_resident_code": ix.index("rc", rc) if rc else None,
            "bi_kana_birth": ix.index("kb", f"{kana}|{birth}") if kana and birth else None,
            "bi_org_key": ix.index("ok", normalise_org_key(org)) if org else None,
        }


def index_field_keys(profile) -> dict[str, str]:
    """Which profile fields feed the blind indexes (by kind; 生年月日 by key or label)."""
    keys: dict[str, str] = {}
    for key, f in profile.fields.items():
        if f.kind in ("my_number", "resident_code", "kana") and f.kind not in keys:
            keys[f.kind] = key
    birth = [k for k, f in profile.fields.items() if f.kind == "date" and (k == "birth_date" or "生年月日" in f.ja)]
    if birth:
        keys["birth_date"] = birth[0]
    if profile.org_key_field:
        keys["org_key"] = profile.org_key_field
    return keys


def decrypt_person_fields(blob: bytes, *, file_id: int) -> dict[str, str]:
    """The field values of one stored person (raises CryptoError for a destroyed key)."""
    from .crypto import header_key_id

    sealer = get_keyring().sealer(header_key_id(blob))
    return orjson.loads(sealer.open(blob, aad_for(file_id)))


def encrypt_person_fields(values: dict[str, str], *, file_id: int, codec: PersonCodec | None = None
                          ) -> tuple[int, bytes]:
    """(key_id, ciphertext) for already-cleaned values. Pass ``codec`` in loops."""
    return (codec or PersonCodec.for_file(file_id)).encrypt(values)


def blind_indexes(values: dict[str, str], *, file_id: int = 0, codec: PersonCodec | None = None
                  ) -> dict[str, object]:
    """The ``bi_*`` columns (and ``bi_key``) for already-cleaned values, under the current index key."""
    if codec is None:
        profile = get_profile()
        ring = get_keyring()
        indexer = ring.current_indexer()
        inputs = PersonCodec(file_id, None, indexer, {}, frozenset(), index_field_keys(profile))  # type: ignore[arg-type]
        return inputs.indexes(values)
    return codec.indexes(values)


def lookup_digests(kind: str, value: str) -> list[int]:
    """The blind-index values to search for, under every searchable index version (rotation-safe).

    ``kind``: "my_number", "resident_code", "org_key" or "kana_birth" (value = "カナ|YYYY-MM-DD").
    """
    prefix = {"my_number": "mn", "resident_code": "rc", "kana_birth": "kb", "org_key": "ok"}[kind]
    return [ix.index(prefix, value) for ix in get_keyring().search_indexers()]
