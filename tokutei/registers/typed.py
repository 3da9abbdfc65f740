"""Typed register fields (issue 17, R-REG-0): validate an entry against its register's definition in the
profile, and read it back.

A value is stored under the field's stable ``key``; an entry written before the field was typed (stored under
the label, or under a label the form used to have — ``formerly``) is read through those labels, so a reworded
label never orphans old data. Each entry keeps the form version it was made under (``Register.form_version``).

Stored forms: text → str; date → ``YYYY-MM-DD``; datetime → ``YYYY-MM-DDTHH:MM`` (local time); number → int;
choice → the choice key; person → the staff user's id; room → a ``registers.Room`` id; asset → a
``registers.Asset`` id. Ids only: nothing of the vault, no name, is copied into an entry.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tokutei.core import jdates
from tokutei.core.mynumber import looks_like_my_number
from tokutei.profiles.citations import cite
from tokutei.profiles.schema import Register, RegisterField

TEXT_MAX = 500


def stored(field: RegisterField, values: dict[str, Any]) -> Any:
    """The value of ``field`` in an entry, under its key or any label it has had."""
    for name in (field.key, field.ja, *field.formerly):
        if name in values and values[name] not in (None, ""):
            return values[name]
    return None


def _empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _text(raw: Any) -> str:
    return unicodedata.normalize("NFKC", str(raw)).strip() if not isinstance(raw, str) else raw.strip()


def _parse_datetime(raw: Any) -> str:
    if isinstance(raw, dt.datetime):
        return raw.strftime("%Y-%m-%dT%H:%M")
    text = unicodedata.normalize("NFKC", str(raw)).strip().replace(" ", "T")
    for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y/%m/%dT%H:%M"):
        try:
            return dt.datetime.strptime(text, fmt).strftime("%Y-%m-%dT%H:%M")
        except ValueError:
            continue
    raise ValueError(text)


def _parse_date(raw: Any) -> str:
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat()
    if isinstance(raw, dt.date):
        return raw.isoformat()
    return jdates.parse_date(str(raw)).isoformat()


def _parse_int(raw: Any) -> int:
    if isinstance(raw, bool):
        raise ValueError(raw)
    if isinstance(raw, int):
        return raw
    return int(unicodedata.normalize("NFKC", str(raw)).strip().replace(",", ""))


def _exists(model_path: str, pk: int) -> bool:
    from django.apps import apps

    return apps.get_model(model_path).objects.filter(pk=pk).exists()


_MODELS = {"person": "staff.User", "room": "registers.Room", "asset": "registers.Asset"}


def clean_value(field: RegisterField, raw: Any) -> Any:
    """One value in its stored form; ValidationError naming the field when it is of the wrong type."""
    label = field.ja
    if field.type == "text":
        text = _text(raw)
        if len(text) > TEXT_MAX:
            raise ValidationError(_("「%(label)s」は%(n)d文字以内で入力してください。") % {"label": label, "n": TEXT_MAX})
        if looks_like_my_number(text):
            raise ValidationError(_("「%(label)s」に個人番号と思われる12桁の数字は記録できません。記録IDや件数で記載してください。")
                                  % {"label": label})
        return text
    if field.type == "date":
        try:
            return _parse_date(raw)
        except ValueError:
            raise ValidationError(_("「%(label)s」には日付を入力してください（例: 令和8年4月1日、2026/4/1）。")
                                  % {"label": label}) from None
    if field.type == "datetime":
        try:
            return _parse_datetime(raw)
        except ValueError:
            raise ValidationError(_("「%(label)s」には日時を入力してください（例: 2026/4/1 9:30）。")
                                  % {"label": label}) from None
    if field.type == "number":
        try:
            return _parse_int(raw)
        except (TypeError, ValueError):
            raise ValidationError(_("「%(label)s」には数値を入力してください。") % {"label": label}) from None
    if field.type == "choice":
        text = _text(raw)
        for key, choice_label in field.choices.items():
            if text in (key, choice_label):
                return key
        raise ValidationError(_("「%(label)s」は次から選んでください: %(choices)s")
                              % {"label": label, "choices": "、".join(field.choices.values())})
    # person, room, asset: the id of a record that exists
    try:
        pk = _parse_int(raw)
    except (TypeError, ValueError):
        pk = None
    if pk is None or not _exists(_MODELS[field.type], pk):
        what = {"person": _("職員"), "room": _("室・区域"), "asset": _("情報資産")}[field.type]
        raise ValidationError(_("「%(label)s」には登録済みの%(what)sを選んでください。") % {"label": label, "what": what})
    return pk


def validate(definition: Register, values: dict[str, Any], *, profile=None) -> dict[str, Any]:
    """The entry's values keyed by field key, for the form in force; every problem is reported with the
    field's Japanese label (a required field left empty, a value of the wrong type, an unknown field)."""
    fields = definition.current_fields()
    by_name: dict[str, RegisterField] = {}
    for f in fields:
        for name in (f.key, f.ja):
            by_name[name] = f
    unknown = [k for k in values if k not in by_name]
    errors: list[ValidationError] = []
    if unknown:
        errors.append(ValidationError(_("記録簿にない項目です: %(keys)s") % {"keys": "、".join(map(str, unknown))}))
    cleaned: dict[str, Any] = {}
    for f in fields:
        raw = values.get(f.key, values.get(f.ja))
        if _empty(raw):
            if f.required:
                errors.append(ValidationError(_("「%(label)s」は必須です。") % {"label": f.ja}))
            continue
        try:
            cleaned[f.key] = clean_value(f, raw)
        except ValidationError as exc:
            errors.append(exc)
    for f in fields:
        if f.key in cleaned:
            missing = [o for o in f.requires if o not in cleaned]
            if missing:
                names = "、".join(next((g.ja for g in fields if g.key == o), o) for o in missing)
                article = cite(f.requires_article or definition.article, profile)
                errors.append(ValidationError(
                    _("「%(label)s」を記録するには、先に「%(others)s」の記録が必要です（%(article)s）。")
                    % {"label": f.ja, "others": names, "article": article}))
    if not errors and not cleaned:
        errors.append(ValidationError(_("少なくとも1つの項目を入力してください。")))
    if errors:
        raise ValidationError(errors)
    return cleaned


def _name_of(model_path: str, pk: Any) -> str:
    from django.apps import apps

    model = apps.get_model(model_path)
    obj = model.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if obj is None:
        return str(pk)
    if model_path == "staff.User":
        return f"{obj.display_name}（{obj.username}）"
    return str(obj)


def show(field: RegisterField, value: Any, *, wareki: bool = True) -> str:
    """A stored value as the form prints it (和暦 where the form uses it)."""
    if value in (None, ""):
        return ""
    try:
        if field.type == "date":
            day = dt.date.fromisoformat(str(value))
            return jdates.to_wareki(day) if wareki else day.isoformat()
        if field.type == "datetime":
            moment = dt.datetime.fromisoformat(str(value))
            return (jdates.to_wareki(moment.date()) if wareki else moment.date().isoformat()) + moment.strftime(" %H:%M")
        if field.type == "choice":
            return field.choices.get(str(value), str(value))
        if field.type in _MODELS:
            return _name_of(_MODELS[field.type], value)
    except ValueError:
        pass  # an old entry written as free text before the field was typed: shown as written
    return str(value)


def row(definition: Register, values: dict[str, Any], fields: list[RegisterField] | None = None) -> list[str]:
    return [show(f, stored(f, values), wareki=definition.wareki) for f in (fields or definition.field_defs)]


def shown_fields(definition: Register, entries_values: list[dict[str, Any]]) -> list[RegisterField]:
    """The current form's fields, plus fields no longer on the form that an old entry still holds."""
    current = definition.current_fields()
    retired = [f for f in definition.field_defs if f not in current
               and any(stored(f, v) is not None for v in entries_values)]
    return current + retired


def to_key_values(definition: Register, values: dict[str, Any]) -> dict[str, Any]:
    """An old entry's values (keyed by labels) re-keyed by field key — the data migration's step."""
    out: dict[str, Any] = {}
    known: set[str] = set()
    for f in definition.field_defs:
        value = stored(f, values)
        known.update({f.key, f.ja, *f.formerly})
        if value is not None:
            out[f.key] = value
    out.update({k: v for k, v in values.items() if k not in known})  # anything unknown is kept as it was
    return out


def demo_values(definition: Register, writer, today: dt.date) -> dict[str, Any] | None:
    """A plausible entry for the demo (every required field filled), or None when one cannot be made (a
    required room or asset with none registered)."""
    from django.apps import apps

    values: dict[str, Any] = {}
    for f in definition.current_fields():
        if f.type == "text":
            values[f.key] = "デモ記載（例）"
        elif f.type == "date":
            values[f.key] = today.isoformat()
        elif f.type == "datetime":
            values[f.key] = f"{today.isoformat()}T09:00"
        elif f.type == "number":
            values[f.key] = 1
        elif f.type == "choice":
            values[f.key] = next(iter(f.choices))
        elif f.type == "person":
            values[f.key] = writer.pk
        else:
            first = apps.get_model(_MODELS[f.type]).objects.order_by("pk").first()
            if first is not None:
                values[f.key] = first.pk
            elif f.required:
                return None
    for f in definition.current_fields():  # a field that needs others stays empty in the demo
        if f.requires and f.key in values and not f.required:
            del values[f.key]
    return values
