"""Finding, parsing and validating organisation profiles.

A profile that fails validation never loads: :func:`load_profile_file` raises :class:`ProfileError`
carrying every error with its key path (``roles.operator.designated_by.0``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from django.conf import settings
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from .schema import Profile, reference_errors


class ProfileError(Exception):
    """The profile file is invalid. ``errors`` is a list of (key path, message)."""

    def __init__(self, source: str, errors: list[tuple[str, str]]):
        self.source = source
        self.errors = errors
        lines = "\n".join(f"  {path}: {msg}" for path, msg in errors)
        super().__init__(f"プロファイル {source} に {len(errors)} 件の誤りがあります (invalid profile):\n{lines}")


@dataclass(frozen=True)
class ProfileSource:
    name: str
    path: Path
    code: str
    title: str


def _key_path(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(root)"


if TYPE_CHECKING:  # CSafeLoader has SafeLoader's interface; the checker needs one static base
    _SafeLoader = yaml.SafeLoader
else:
    _SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ~5× faster


class _UniqueKeyLoader(_SafeLoader):
    """A safe loader that refuses a key given twice in one mapping (PyYAML silently keeps the last)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set = set()
    for key_node, _value in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"キー '{key}' が重複しています (duplicate key)", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

# Japanese first: pydantic's English message follows in parentheses.
_MESSAGES_JA = {
    "missing": "必須の項目がありません",
    "extra_forbidden": "不明なキーです（綴りを確認してください）",
    "literal_error": "許される値ではありません",
    "string_type": "文字列でなければなりません",
    "string_pattern_mismatch": "キーの形式が正しくありません（英小文字・数字・_）",
    "string_too_short": "空にできません",
    "string_too_long": "長すぎます",
    "int_type": "整数でなければなりません",
    "int_parsing": "整数でなければなりません",
    "int_from_float": "整数でなければなりません",
    "bool_type": "true / false でなければなりません",
    "bool_parsing": "true / false でなければなりません",
    "date_type": "日付（YYYY-MM-DD）でなければなりません",
    "date_parsing": "日付（YYYY-MM-DD）でなければなりません",
    "date_from_datetime_parsing": "日付（YYYY-MM-DD）でなければなりません",
    "list_type": "リストでなければなりません",
    "dict_type": "マッピングでなければなりません",
    "model_type": "マッピングでなければなりません",
    "model_attributes_type": "マッピングでなければなりません",
    "too_short": "要素が足りません",
    "greater_than_equal": "小さすぎます",
    "less_than_equal": "大きすぎます",
}


def _allowed_keys(loc: tuple[int | str, ...]) -> list[str]:
    """The keys the schema allows at the mapping that holds ``loc[-1]`` (for "did you mean")."""
    import typing

    from pydantic import BaseModel

    annotation: object = Profile
    parts = list(loc[:-1])
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
            models = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(models) != 1:
                return []
            annotation = models[0]
        elif origin in (list, dict):
            if not parts:
                return []
            parts.pop(0)  # the index or the free key
            annotation = typing.get_args(annotation)[-1]
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if not parts:
                return list(annotation.model_fields)
            name = parts.pop(0)
            field = annotation.model_fields.get(str(name))
            if field is None:
                return []
            annotation = field.annotation
        else:
            return []


def _message(err: ErrorDetails) -> str:
    import difflib

    english = str(err["msg"])
    ja = _MESSAGES_JA.get(err["type"])
    if err["type"] == "literal_error" and err.get("ctx", {}).get("expected"):
        ja = f"次のいずれかでなければなりません: {err['ctx']['expected']}"
    if err["type"] == "extra_forbidden" and err["loc"]:
        close = difflib.get_close_matches(str(err["loc"][-1]), _allowed_keys(err["loc"]), n=1, cutoff=0.6)
        if close:
            ja = f"{ja}。もしかして '{close[0]}'"
    return f"{ja} ({english})" if ja else english


def parse_profile(text: str, source: str = "<text>") -> Profile:
    """Parse and validate YAML text; raise ProfileError with key paths."""
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 — a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(yaml)"
        raise ProfileError(source, [(where, f"YAML の構文誤り: {exc}")]) from exc
    if not isinstance(data, dict):
        raise ProfileError(source, [("(root)", "プロファイルは YAML のマッピングでなければなりません")])
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        errors: list[tuple[str, str]] = []
        for err in exc.errors():
            if err["type"] == "value_error" and not err["loc"]:
                continue  # the cross-reference check; recomputed below from the raw data
            errors.append((_key_path(err["loc"]), _message(err)))
        # Cross-references are checked on the raw data too, so a file with a wrong type *and* an unknown
        # role reports both at once (the model's own check only runs once the types are right).
        for found in reference_errors(data):
            if found not in errors:
                errors.append(found)
        raise ProfileError(source, errors) from None


def load_profile_file(path: Path) -> Profile:
    return parse_profile(path.read_text(encoding="utf-8"), source=str(path))


def profile_sources() -> list[ProfileSource]:
    """Every ``*.yaml`` file in the profile directories, sorted by organisation code."""
    found: dict[str, ProfileSource] = {}
    for directory in settings.PROFILE_DIRS:
        directory = Path(directory)
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.yaml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            org = data.get("organisation", {}) if isinstance(data, dict) else {}
            found[path.stem] = ProfileSource(
                name=path.stem, path=path, code=str(org.get("code", "")), title=str(org.get("name", ""))
            )
    return sorted(found.values(), key=lambda s: (s.code, s.name))


def find_profile(name: str) -> ProfileSource:
    """Find a shipped profile by file name (``sendai-kyosai``) or organisation code (``000``)."""
    for source in profile_sources():
        if name in (source.name, source.code):
            return source
    names = ", ".join(f"{s.name} ({s.code})" for s in profile_sources())
    raise ProfileError(name, [("(name)", f"プロファイル '{name}' は見つかりません。候補: {names}")])


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
