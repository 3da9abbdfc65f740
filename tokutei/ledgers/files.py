"""Reading 特定個人情報ファイル (tokutei.vault.models.SpecificFile) without depending on its migrations.

The vault app owns the files. The register refers to them by id and reads the few attributes it
needs through :func:`describe`, so that a change of field names there is absorbed here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps


def file_model():
    try:
        return apps.get_model("vault", "SpecificFile")
    except LookupError:
        return None


@dataclass(frozen=True)
class FileInfo:
    id: int
    name: str
    kind: str
    unit_id: int | None
    unit_name: str
    tasks: list[str] = field(default_factory=list)
    responsible_id: int | None = None
    responsible_name: str = ""
    status: str = ""
    status_ja: str = ""
    ground: str = ""
    purpose_text: str = ""
    created_at: Any = None
    deleted_on: Any = None


def _label(obj: Any, attr: str) -> str:
    getter = getattr(obj, f"get_{attr}_display", None)
    if callable(getter):
        try:
            return str(getter())
        except (TypeError, ValueError):
            pass
    return str(getattr(obj, attr, "") or "")


def describe(obj: Any) -> FileInfo:
    unit = getattr(obj, "unit", None)
    responsible = getattr(obj, "responsible", None)
    tasks = getattr(obj, "tasks", None) or []
    if isinstance(tasks, str):
        tasks = [tasks]
    return FileInfo(
        id=obj.pk,
        name=str(getattr(obj, "name", "") or f"#{obj.pk}"),
        kind=_label(obj, "kind"),
        unit_id=getattr(obj, "unit_id", None),
        unit_name=getattr(unit, "name_ja", "") or str(unit or ""),
        tasks=[str(t) for t in tasks],
        responsible_id=getattr(obj, "responsible_id", None),
        responsible_name=(getattr(responsible, "display_name", "") or str(responsible or "")) if responsible else "",
        status=str(getattr(obj, "status", "") or ""),
        status_ja=_label(obj, "status"),
        ground=str(getattr(obj, "ground", "") or ""),
        purpose_text=str(getattr(obj, "purpose", "") or ""),
        created_at=getattr(obj, "created_at", None),
        deleted_on=getattr(obj, "deleted_at", None) or getattr(obj, "disposed_at", None),
    )


def all_files(queryset=None) -> list[FileInfo]:
    """Every file, or those of ``queryset`` (e.g. the files a reader may see)."""
    model = file_model()
    if model is None:
        return []
    qs = queryset if queryset is not None else model._default_manager.all()
    return [describe(f) for f in qs.order_by("pk")]


def get_file(file_id: int) -> FileInfo | None:
    model = file_model()
    if model is None:
        return None
    obj = model._default_manager.filter(pk=file_id).first()
    return describe(obj) if obj is not None else None


def activate_pending(file_id: int) -> bool:
    """E-43: put a file awaiting its register confirmation into use (inside the sign-off's transaction)."""
    model = file_model()
    if model is None:
        return False
    return bool(model._default_manager.filter(pk=file_id, status="pending").update(status="active"))


def file_names() -> dict[int, str]:
    model = file_model()
    if model is None:
        return {}
    return {pk: str(name) for pk, name in model._default_manager.values_list("pk", "name")}


@dataclass(frozen=True)
class Disposal:
    """A file's entry on a disposal list (the retention app's), for the register's 廃棄・削除状況."""

    list_id: int
    whole_file: bool  # the file itself; otherwise people of the file
    count: int
    state: str  # "done", "awaiting" (a vendor's certificate), "pending" (on a list, not yet executed)
    on: Any = None  # the day it was executed

    @property
    def text(self) -> str:
        from django.utils.translation import gettext as _

        what = _("ファイル全体") if self.whole_file else _("本人の記録 %(n)s件") % {"n": self.count}
        state = {"done": _("廃棄・削除済"), "awaiting": _("実施済・証明書待ち")}.get(self.state) \
            or _("廃棄リストに掲載・未実施")
        return _("廃棄リスト No.%(n)s（%(what)s・%(state)s）") % {"n": self.list_id, "what": what, "state": state}


def disposals_of(file_ids: list[int]) -> dict[int, list[Disposal]]:
    """The disposal lists (not cancelled) that hold each file or people of it, oldest first."""
    try:
        item_model = apps.get_model("retention", "DisposalItem")
    except LookupError:
        return {}
    rows = (item_model._default_manager.filter(file_id__in=file_ids, record_class__in=["file", "person"])
            .exclude(disposal__status="cancelled")
            .values_list("file_id", "disposal_id", "record_class", "status", "count", "executed_at")
            .order_by("disposal_id", "id"))
    grouped: dict[tuple[int, int, bool], list[tuple[str, int, Any]]] = {}
    for file_id, list_id, record_class, status, count, executed_at in rows:
        if file_id is None:
            continue
        grouped.setdefault((file_id, list_id, record_class == "file"), []).append((status, count, executed_at))
    result: dict[int, list[Disposal]] = {}
    for (file_id, list_id, whole), items in grouped.items():
        states = {s for s, _c, _e in items}
        state = "pending" if "pending" in states else "awaiting" if "awaiting" in states else "done"
        executed = [e for _s, _c, e in items if e is not None]
        count = len(items) if not whole else sum(c for _s, c, _e in items)
        result.setdefault(file_id, []).append(Disposal(list_id=list_id, whole_file=whole, count=count, state=state,
                                                       on=max(executed) if executed else None))
    return result
