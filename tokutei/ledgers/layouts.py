"""The organisation's printed layouts: 別紙1 (handling-status categories), 別紙2 (file register), record books.

Each layout is a list of column labels (from the profile where it names them) and rows of strings, so the
HTML print page and the Excel export show exactly the same thing.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop as N_

from tokutei.core import jdates
from tokutei.profiles.schema import Profile

from .models import RegisterEntry

FILE_REGISTER_DEFAULT = ["ファイルの種類・名称", "責任者・取扱部署", "利用目的", "廃棄・削除状況", "アクセス権を有する者"]


def _local_date(value: Any) -> str:
    if not value:
        return ""
    from django.utils import timezone

    if hasattr(value, "hour"):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return jdates.to_wareki(value)


def file_register_columns(profile: Profile) -> list[str]:
    fields = list(profile.file_register.fields) if profile.file_register and profile.file_register.fields else []
    return ["No.", *(fields or FILE_REGISTER_DEFAULT), N_("台帳の確認"), N_("差異")]


def _file_cell(row: dict, label: str) -> str:
    info = row["file"]
    if label == "No.":
        return str(info.id)
    if "アクセス" in label:
        return "、".join(f"{p['name']}（{p['username']}・{'／'.join(p['roles'])}）" for p in row["access"]) or "なし"
    if "廃棄" in label or "削除" in label:
        deleted = _local_date(info.deleted_on)
        text = f"{info.status_ja}（{deleted}）" if deleted else info.status_ja
        lists = [d.text + (f" {_local_date(d.on)}" if d.on else "") for d in row.get("disposals", [])]
        return "／".join([text, *lists])
    if "根拠" in label:
        return info.ground or "、".join(row["grounds"])
    if "目的" in label or "事務" in label:
        text = "、".join(row["purposes"])
        return f"{text}（{info.purpose_text}）" if info.purpose_text else text
    if "責任者" in label and "部署" in label:
        return f"{info.responsible_name or '未設定'}／{info.unit_name or '未設定'}"
    if "責任者" in label:
        return info.responsible_name or "未設定"
    if "部署" in label or "課" in label:
        return info.unit_name or "未設定"
    if "種類" in label and "名称" in label:
        return f"{info.kind}／{info.name}"
    if "種類" in label:
        return info.kind
    if "名称" in label:
        return info.name
    if label == "台帳の確認":
        s = row["sign_off"]
        return f"{_local_date(s.signed_at)} {s.signed_by.display_name}" if s else "未確認"
    if label == "差異":
        return "／".join(row["flags"]) or "なし"
    return ""


def file_register_table(profile: Profile, rows: list[dict]) -> dict:
    columns = file_register_columns(profile)
    return {"columns": columns, "rows": [[_file_cell(r, c) for c in columns] for r in rows]}


def register_columns(profile: Profile, key: str, fields: list | None = None) -> list[str]:
    fields = fields if fields is not None else profile.registers[key].current_fields()
    return ["No.", *(f.ja for f in fields), N_("記入者"), N_("記入日"), N_("版")]


def register_table(profile: Profile, key: str, entries: list[RegisterEntry]) -> dict:
    """Typed fields (issue 17): values read by key or by an old label, 和暦 where the form uses it; a field
    no longer on the form is still shown while an entry holds it."""
    from tokutei.registers import typed

    definition = profile.registers[key]
    fields = typed.shown_fields(definition, [e.values for e in entries])
    rows = []
    for e in entries:
        version = f"第{e.version}版" + (f"（様式第{e.form_version}版）" if e.form_version != definition.form_version
                                      else "") + (f"（訂正：{e.reason}）" if e.reason else "")
        rows.append([str(e.entry_no), *typed.row(definition, e.values, fields),
                     e.created_by.display_name, _local_date(e.created_at), version])
    return {"columns": register_columns(profile, key, fields), "rows": rows, "seal": definition.seal}
