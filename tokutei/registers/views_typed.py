"""HTML pages of the rooms, the entry/exit book, the information assets and terminals, the ID registers, and
the print/Excel form of every register (issue 17). Access is the policy's (``@action_required``,
``get_or_refuse``); every rule lives in the services (services/rooms.py, assets.py, ids.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import record
from tokutei.core import jdates
from tokutei.policy import decide, get_or_refuse, require, restrict
from tokutei.policy.web import action_required, actor_of
from tokutei.profiles.selectors import get_profile
from tokutei.staff.http import SignedInRequest

from . import tables
from .forms import (
    AllowDeviceForm,
    AssetForm,
    ConnectionsImportForm,
    MeasureForm,
    MovementForm,
    RoomEntryForm,
    RoomForm,
)
from .models import AllowedDevice, Asset, BiometricRecord, DelegatedAuthority, Room
from .services import assets, ids, rooms

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _may(request, action: Action) -> bool:
    return bool(decide(actor_of(request), action))


def _application_url(request, operation: str, **chosen) -> str | None:
    """The approval request form of ``operation`` with its object already chosen — where the profile names
    that approval and the viewer may apply for it (its ``applicant_roles``), else None."""
    from urllib.parse import urlencode

    from django.urls import reverse

    from tokutei.approvals.services import rule_for
    from tokutei.staff.selectors import has_role

    rule = rule_for(operation)
    if rule is None or not _may(request, Action.APPROVALS_REQUEST):
        return None
    if rule.applicant_roles and not has_role(request.user, rule.applicant_roles):
        return None
    return f"{reverse('approvals:new')}?{urlencode({'operation': operation, **chosen})}"


# --- rooms and the entry/exit book -----------------------------------------------------------------------


@action_required(Action.TYPED_REGISTERS_VIEW)
def room_list(request: SignedInRequest) -> HttpResponse:
    actor = actor_of(request)
    profile = get_profile()
    form = RoomForm(request.POST or None, profile=profile)
    if request.method == "POST" and form.is_valid():
        room = rooms.register_room(actor=actor, **form.cleaned_data)
        messages.success(request, _("室・区域を登録しました"))
        return redirect("registers:room", pk=room.pk)
    return render(request, "registers/rooms.html", {
        "rooms": restrict(Room.objects.all(), actor, Action.TYPED_REGISTERS_VIEW), "classes": profile.rooms,
        "form": form, "may_add": _may(request, Action.ROOM_REGISTER), "misplaced": rooms.misplaced()})


@action_required(Action.TYPED_REGISTERS_VIEW)
def room_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    room = get_or_refuse(actor, Action.TYPED_REGISTERS_VIEW, Room.objects.all(), pk=pk)
    measure, entry = MeasureForm(prefix="m"), RoomEntryForm(prefix="e")
    if request.method == "POST":
        if "exit" in request.POST:
            rooms.record_exit(actor=actor, entry_id=int(request.POST.get("exit") or 0))
            messages.success(request, _("退室を記録しました"))
            return redirect("registers:room", pk=room.pk)
        if "measure" in request.POST:
            measure = MeasureForm(request.POST, prefix="m")
            if measure.is_valid():
                rooms.check_measure(actor=actor, room_id=room.pk, **measure.cleaned_data)
                messages.success(request, _("措置の確認を記録しました"))
                return redirect("registers:room", pk=room.pk)
        else:
            entry = RoomEntryForm(request.POST, prefix="e")
            if entry.is_valid():
                data = entry.cleaned_data
                rooms.record_entry(actor=actor, room_id=room.pk, kind=data["kind"], purpose=data["purpose"],
                                   person=entry.user("person"), visitor_name=data["visitor_name"],
                                   affiliation=data["affiliation"], identification=data["identification"],
                                   name_tag=data["name_tag"], escort=entry.user("escort"))
                messages.success(request, _("入室を記録しました"))
                return redirect("registers:room", pk=room.pk)
    cls = rooms.room_class(room)
    return render(request, "registers/room.html", {
        "room": room, "cls": cls, "measures": rooms.measures_state(room), "measure_form": measure,
        "entry_form": entry, "entries": room.entries.select_related("person", "escort")[:200],
        "assets": room.assets.all(), "media": room.media.all(),
        "may_enter": _may(request, Action.ROOM_ENTRY), "may_check": _may(request, Action.ROOM_CHECK)})


# --- information assets and terminals ----------------------------------------------------------------------


@action_required(Action.TYPED_REGISTERS_VIEW)
def asset_list(request: SignedInRequest) -> HttpResponse:
    actor = actor_of(request)
    form, upload = AssetForm(prefix="a"), ConnectionsImportForm(prefix="c")
    if request.method == "POST":
        if "sync" in request.POST:
            n = assets.sync_terminals(actor=actor)
            messages.success(request, _("登録端末 %(n)d 台を情報資産に加えました") % {"n": n})
            return redirect("registers:assets")
        if "import" in request.POST:
            upload = ConnectionsImportForm(request.POST, request.FILES, prefix="c")
            if upload.is_valid():
                counts = assets.import_connections(actor=actor, data=upload.cleaned_data["file"].read())
                messages.success(request, _("接続記録 %(added)d 件を取り込みました（許可一覧にない機器: %(bad)d 件）")
                                 % {"added": counts["added"], "bad": counts["not_allowed"]})
                return redirect("registers:assets")
        else:
            form = AssetForm(request.POST, prefix="a")
            if form.is_valid():
                data = form.cleaned_data
                owner = data.get("owner")
                asset = assets.register_asset(
                    actor=actor, tag=data["tag"], name=data["name"], kind=data["kind"],
                    classification=data["classification"], room_id=int(data["room_id"]) if data["room_id"] else None,
                    owner=get_user_model().objects.filter(pk=owner).first() if owner else None)
                messages.success(request, _("情報資産を登録しました"))
                return redirect("registers:asset", pk=asset.pk)
    qs = restrict(Asset.objects.select_related("room", "owner", "terminal"), actor, Action.TYPED_REGISTERS_VIEW)
    from .models import DeviceConnection

    flagged = DeviceConnection.objects.filter(allowed=False).select_related("asset")[:100]
    return render(request, "registers/assets.html", {
        "assets": qs, "form": form, "upload": upload, "flagged": flagged,
        "may_add": _may(request, Action.ASSET_REGISTER), "may_import": _may(request, Action.DEVICE_IMPORT)})


@action_required(Action.TYPED_REGISTERS_VIEW)
def asset_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    asset = get_or_refuse(actor, Action.TYPED_REGISTERS_VIEW, Asset.objects.all(), pk=pk)
    move, allow = MovementForm(prefix="m"), AllowDeviceForm(prefix="d")
    if request.method == "POST":
        if "remove" in request.POST:
            assets.remove_device(actor=actor, allowed_id=int(request.POST.get("remove") or 0))
            messages.success(request, _("許可を取り消しました"))
            return redirect("registers:asset", pk=asset.pk)
        if "move" in request.POST:
            move = MovementForm(request.POST, prefix="m")
            if move.is_valid():
                assets.move_terminal(actor=actor, asset_id=asset.pk, **move.cleaned_data)
                messages.success(request, _("持出し・持込みを記録しました"))
                return redirect("registers:asset", pk=asset.pk)
        else:
            allow = AllowDeviceForm(request.POST, prefix="d")
            if allow.is_valid():
                assets.allow_device(actor=actor, asset_id=asset.pk, **allow.cleaned_data)
                messages.success(request, _("接続を許可する機器を登録しました"))
                return redirect("registers:asset", pk=asset.pk)
    return render(request, "registers/asset.html", {
        "asset": asset, "move_form": move, "allow_form": allow,
        "allowed": AllowedDevice.objects.filter(asset=asset, removed_on__isnull=True),
        "connections": asset.connections.all()[:200], "movements": asset.movements.select_related("by")[:100],
        "needs_approval": {d: bool(get_profile().approvals.get(op)) for d, op in assets.MOVEMENT_OPERATION.items()},
        "apply": {d: _application_url(request, op, terminal=asset.pk) for d, op in assets.MOVEMENT_OPERATION.items()},
        "may_move": _may(request, Action.TERMINAL_MOVEMENT), "may_allow": _may(request, Action.DEVICE_ALLOW)})


# --- IDs and 照合情報 ----------------------------------------------------------------------------------------


@action_required(Action.TYPED_REGISTERS_VIEW)
def id_registers(request: SignedInRequest) -> HttpResponse:
    actor = actor_of(request)
    if request.method == "POST":
        approval_id = request.POST.get("approval_id") or None
        if "delete_biometric" in request.POST:
            ids.delete_biometric(actor=actor, record_id=int(request.POST["delete_biometric"] or 0),
                                 approval_id=approval_id)
            messages.success(request, _("照合情報を削除しました"))
        elif "return_authority" in request.POST:
            ids.return_authority(actor=actor, authority_id=int(request.POST["return_authority"] or 0),
                                 approval_id=approval_id)
            messages.success(request, _("操作権限の返却を記録しました"))
        elif "add_authority" in request.POST:
            holder = get_user_model().objects.filter(pk=request.POST.get("holder") or 0).first()
            if holder is not None:
                ids.add_authority(actor=actor, holder=holder, scope=request.POST.get("scope", ""),
                                  approval_id=approval_id)
                messages.success(request, _("操作権限の追加を記録しました"))
        return redirect("registers:ids")
    register_url = ids.requires_application() and _application_url(request, ids.REGISTER_OPERATION)
    delete_url = ids.requires_application(ids.DELETE_OPERATION) and _application_url(request, ids.DELETE_OPERATION)
    user_ids = ids.user_id_rows()
    for row in user_ids:  # 照合情報の登録の申請, the person already chosen (000 §7.3, E-10)
        row["apply_register"] = f"{register_url}&subject={row['user'].pk}" if register_url and row["active"] else ""
    biometric = [(line, f"{delete_url}&subject={line.user_id}" if delete_url and not line.deleted_at else "")
                 for line in BiometricRecord.objects.select_related("user")[:500]]
    return render(request, "registers/ids.html", {
        "user_ids": user_ids, "biometric": biometric, "register_url": register_url,
        "authorities": DelegatedAuthority.objects.select_related("holder")[:500],
        "requires_application": ids.requires_application(),
        "staff": get_user_model().objects.filter(is_active=True).order_by("username")[:500],
        "may_delete": _may(request, Action.BIOMETRIC_DELETE), "may_delegate": _may(request, Action.DELEGATED_AUTHORITY)})


# --- 情報連携システムのID (004 §14(2), §14(7), E-44) ----------------------------------------------------------


@action_required(Action.TYPED_REGISTERS_VIEW)
def linkage_ids(request: SignedInRequest) -> HttpResponse:
    """The applications to the 連合会 and the IDs issued on them: activated only on a recorded application."""
    from django.http import Http404

    from .forms import LinkageActivationForm, LinkageApplicationForm
    from .models import LinkageId
    from .rules import LINKAGE_REGISTER_KEY
    from .services import linkage

    profile = get_profile()
    if LINKAGE_REGISTER_KEY not in profile.registers:
        raise Http404
    actor = actor_of(request)
    apply_form, activate_form = LinkageApplicationForm(prefix="a"), LinkageActivationForm(prefix="b")
    if request.method == "POST":
        if "suspend" in request.POST or "resume" in request.POST or "return" in request.POST:
            step = next(k for k in ("suspend", "resume", "return") if k in request.POST)
            from tokutei.core.fields import db_id

            pk, reason = db_id(request.POST.get(step)) or 0, request.POST.get("reason", "")
            if step == "return":
                linkage.return_id(actor=actor, record_id=pk, reason=reason)
            else:
                linkage.suspend(actor=actor, record_id=pk, reason=reason, resume=step == "resume")
            messages.success(request, _("記録しました"))
            return redirect("registers:linkage_ids")
        if "apply" in request.POST:
            apply_form = LinkageApplicationForm(request.POST, prefix="a")
            if apply_form.is_valid():
                data = apply_form.cleaned_data
                linkage.record_application(actor=actor, holder=apply_form.user("holder"),
                                           applied_on=data["applied_on"], reference=data["reference"],
                                           applied_by=apply_form.user("applied_by"))
                messages.success(request, _("連合会への申請を記録しました"))
                return redirect("registers:linkage_ids")
        else:
            activate_form = LinkageActivationForm(request.POST, prefix="b")
            if activate_form.is_valid():
                data = activate_form.cleaned_data
                linkage.activate(actor=actor, holder=activate_form.user("holder"), linkage_id=data["linkage_id"],
                                 issued_on=data["issued_on"], activated_on=data["activated_on"])
                messages.success(request, _("IDの利用開始を記録しました"))
                return redirect("registers:linkage_ids")
    return render(request, "registers/linkage_ids.html", {
        "register": profile.registers[LINKAGE_REGISTER_KEY],
        "lines": LinkageId.objects.select_related("holder", "applied_by", "activated_by")[:500],
        "apply_form": apply_form, "activate_form": activate_form,
        "may_apply": _may(request, Action.LINKAGE_ID_APPLY), "may_activate": _may(request, Action.LINKAGE_ID_ACTIVATE),
        "may_suspend": _may(request, Action.LINKAGE_ID_SUSPEND), "may_return": _may(request, Action.LINKAGE_ID_RETURN)})


# --- print (A4) and Excel for every register ------------------------------------------------------------------


def _table(request, name: str):
    if name not in tables.TABLES or not tables.TABLES[name].kept():
        from django.http import Http404

        raise Http404
    table = tables.TABLES[name]
    actor = actor_of(request)
    require(actor, table.action, target=("register", name))
    columns, rows = table.build(actor)
    return actor, columns, rows


@login_required
def print_view(request: SignedInRequest, name: str) -> HttpResponse:
    """A4, the columns whole (fixed layout, wrapped cells), page numbers and, where the form has one, a
    確認印 box. Landscape when the table is wide."""
    _actor, columns, rows = _table(request, name)
    profile = get_profile()
    return render(request, "registers/print.html", {
        "title": tables.title_of(name), "columns": columns, "rows": rows, "seal": tables.has_seal(name),
        "org": profile.organisation, "today": jdates.to_wareki(timezone.localdate()),
        "landscape": len(columns) > 6, "name": name})


@login_required
def export_view(request: SignedInRequest, name: str) -> HttpResponse:
    from tokutei.ledgers import excel

    actor, columns, rows = _table(request, name)
    require(actor, Action.TYPED_REGISTERS_EXPORT, target=("register", name))
    profile = get_profile()
    title = tables.title_of(name)
    data = excel.workbook(title, f"{profile.organisation.name}　{jdates.to_wareki(timezone.localdate())}現在",
                          [(title, columns, rows)])
    record(action=Action.TYPED_REGISTERS_EXPORT, **actor.log_fields(), target_type="register", target_id=name,
           count=max(len(rows), 1), details={"register": name, "rows": len(rows), "format": "xlsx"})
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="register-{name}.xlsx"'
    return response


@login_required
def register_index(request: SignedInRequest) -> HttpResponse:
    actor = actor_of(request)
    available = [(n, tables.title_of(n)) for n, t in tables.TABLES.items() if t.kept() and decide(actor, t.action)]
    return render(request, "registers/index.html", {"tables": available})

