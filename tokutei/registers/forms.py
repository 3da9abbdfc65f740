"""Forms: every choice list comes from the profile (tasks, protections, purposes)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from tokutei.approvals.forms import NO_PERSONAL, _task_choices
from tokutei.core.fields import CountField, JDateField, JDateInput, RecordIdField, TextField
from tokutei.core.forms import Form, form_field

from .models import Document, Medium
from .services.media import carry_out_policy

if TYPE_CHECKING:
    from tokutei.staff.models import User


class MediumForm(Form):
    label = TextField(label=_("媒体番号"), max_length=60)
    kind = forms.ChoiceField(label=_("種類"), choices=Medium.Kind.choices)
    storage_place = TextField(label=_("保管場所"), max_length=200)
    record_count = CountField(label=_("記録件数"), min_value=0, initial=0)
    content_summary = TextField(label=_("内容"), max_length=200, required=False, help_text=NO_PERSONAL)


class FaultForm(Form):
    has_fault = forms.TypedChoiceField(label=_("障害の有無"), choices=[("0", _("障害なし")), ("1", _("障害あり"))],
                                       coerce=lambda v: v == "1")
    description = TextField(label=_("内容"), max_length=300, required=False)


class DisposeForm(Form):
    method = TextField(label=_("廃棄の方法"), max_length=100, initial="破砕")
    witness: forms.ModelChoiceField[User] = forms.ModelChoiceField(label=_("立会者"), queryset=None)
    approval_id = RecordIdField(label=_("承認番号（必要な場合）"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "witness", forms.ModelChoiceField).queryset = get_user_model().objects.filter(
            is_active=True).order_by("username")


class CarryOutForm(Form):
    medium: forms.ModelChoiceField[Medium] = forms.ModelChoiceField(label=_("記録媒体（登録済みの場合）"),
                                                                    required=False, queryset=None)
    counterparty = TextField(label=_("相手方"), max_length=200)
    media_type = TextField(label=_("記録媒体の種類"), max_length=60)
    quantity = CountField(label=_("数量"), min_value=1, initial=1)
    record_count = CountField(label=_("記録件数"), min_value=0)
    protections = forms.MultipleChoiceField(label=_("保護措置"), widget=forms.CheckboxSelectMultiple, required=False)
    purpose_key = forms.ChoiceField(label=_("持出しの目的"), required=False)
    purpose_note = TextField(label=_("目的の説明"), max_length=200, required=False, help_text=NO_PERSONAL)
    contract_id = RecordIdField(label=_("委託契約番号（相手方が委託先の場合）"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        policy = carry_out_policy()
        form_field(self, "medium", forms.ModelChoiceField).queryset = Medium.objects.filter(
            status=Medium.Status.STORED)
        form_field(self, "protections", forms.MultipleChoiceField).choices = list(
            policy.protections_offered().items())
        purpose_key = form_field(self, "purpose_key", forms.ChoiceField)
        if policy.allowed_purposes:
            purpose_key.choices = [("", "—"), *policy.allowed_purposes.items()]
        else:
            purpose_key.choices = _task_choices()


class CarryOutDoForm(Form):
    approval_id = RecordIdField(label=_("承認番号"), required=False)


class CloseCarryOutForm(Form):
    outcome = forms.ChoiceField(label=_("結果"), choices=[("returned", _("返却")), ("delivered", _("提出・引渡し")),
                                                         ("disposed", _("廃棄"))])
    disposal_method = TextField(label=_("廃棄の方法"), max_length=100, required=False)
    witness: forms.ModelChoiceField[User] = forms.ModelChoiceField(label=_("廃棄の立会者"), required=False,
                                                                   queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "witness", forms.ModelChoiceField).queryset = get_user_model().objects.filter(
            is_active=True).order_by("username")


class DocumentForm(Form):
    title = TextField(label=_("文書名"), max_length=200)
    kind = forms.ChoiceField(label=_("種類"), choices=Document.Kind.choices)
    storage_place = TextField(label=_("保管場所"), max_length=200)
    copies = CountField(label=_("部数"), min_value=1, initial=1)


class DocumentOpForm(Form):
    kind = forms.ChoiceField(label=_("操作"), choices=[("copy", _("複製")), ("carry_out", _("持出し")),
                                                      ("return", _("返却")), ("check", _("保管状況の確認")),
                                                      ("dispose", _("廃棄"))])
    approval_id = RecordIdField(label=_("承認番号（複製・持出し）"), required=False)
    note = TextField(label=_("備考"), max_length=300, required=False, help_text=NO_PERSONAL)


def granted_choices(user, operation: str) -> list[tuple[Any, Any]]:
    """The user's own approvals of ``operation`` that are granted, unexpired and unused: 「#12 承認済み
    （令和8年4月1日承認・理由）」 — the approval chosen, not its number typed."""
    from django.utils import timezone

    from tokutei.approvals.models import ApprovalRequest
    from tokutei.core.jdates import to_wareki

    choices: list[tuple[Any, Any]] = [("", _("— 承認を選択（不要な場合は空欄） —"))]
    if user is None or not getattr(user, "is_authenticated", False):
        return choices
    rows = ApprovalRequest.objects.filter(requester=user, operation=operation,
                                          status=ApprovalRequest.Status.APPROVED).order_by("-approved_at")[:50]
    now = timezone.now()
    for r in rows:
        if r.is_expired(now):
            continue
        when = to_wareki(timezone.localtime(r.approved_at).date()) if r.approved_at else ""
        reason = str((r.particulars or {}).get("reason", ""))[:40]
        choices.append((r.pk, f"#{r.pk} {when}{_('承認')}{'・' + reason if reason else ''}"))
    return choices


def contract_choices() -> list[tuple[Any, Any]]:
    """The contracts in force, by title and vendor — the contract chosen, never its number typed."""
    from tokutei.vendors.models import Contract

    choices: list[tuple[Any, Any]] = [("", _("— 委託先への提供でなければ空欄 —"))]
    for c in Contract.objects.filter(status=Contract.Status.ACTIVE).select_related("vendor").order_by("vendor__name",
                                                                                                      "title")[:200]:
        choices.append((c.pk, f"{c.title}（{c.vendor.name}）"))
    return choices


class ExportForm(Form):
    purpose = forms.ChoiceField(label=_("事務（利用目的）"))
    recipient = TextField(label=_("受領者（提供先）"), max_length=200)
    people = forms.ChoiceField(label=_("出力する本人"), widget=forms.RadioSelect, initial="all", required=False, choices=[
        ("all", _("この事務の本人すべて")),
        ("confirmed", _("入力内容の確認が済んだ本人のみ（確認待ちの記録は含めない）")),
        ("chosen", _("整理番号で指定した本人のみ")),
    ])
    person_ids = TextField(label=_("指定する本人の整理番号（検索結果の「本人 #」の数字、読点・カンマ区切り）"),
                           required=False, max_length=2000)
    approval_id = forms.TypedChoiceField(label=_("出力の承認"), required=False, coerce=int, empty_value=None)
    bulk_approval_id = forms.TypedChoiceField(label=_("大量取扱いの承認"), required=False, coerce=int,
                                              empty_value=None)
    contract_id = forms.TypedChoiceField(label=_("委託契約（提供先が委託先の場合）"), required=False, coerce=int,
                                         empty_value=None)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "purpose", forms.ChoiceField).choices = _task_choices(blank=False)
        # The approvals the clerk holds, granted and not yet used, to choose from (never a number typed).
        from .services.exports import export_operation

        form_field(self, "approval_id", forms.TypedChoiceField).choices = granted_choices(
            user, export_operation() or "export")
        form_field(self, "bulk_approval_id", forms.TypedChoiceField).choices = granted_choices(user, "bulk_handling")
        form_field(self, "contract_id", forms.TypedChoiceField).choices = contract_choices()

    def clean_person_ids(self):
        raw = self.cleaned_data["person_ids"].replace("、", ",").replace("，", ",").replace("#", "").strip()
        if not raw:
            return None
        try:
            return [int(x) for x in raw.split(",") if x.strip()]
        except ValueError:
            raise forms.ValidationError(_("整理番号は数字を読点またはカンマで区切って入力してください")) from None

    def clean(self):
        data = super().clean()
        assert data is not None  # Form.clean() returns cleaned_data
        data["people"] = data.get("people") or ("chosen" if data.get("person_ids") else "all")
        if data.get("people") == "chosen" and not data.get("person_ids") and "person_ids" not in self.errors:
            self.add_error("person_ids", _("出力する本人の整理番号を入力してください"))
        if data.get("people") != "chosen":
            data["person_ids"] = None  # everyone of the task (or everyone confirmed): no numbers apply
        return data


class TransmitForm(Form):
    """送信 (E-08, E-45): the channel is chosen from the profile's list, never typed."""

    channel = forms.ChoiceField(label=_("送信の経路"))
    recipient = TextField(label=_("送信先（システム・機関）"), max_length=200)
    approval_id = forms.TypedChoiceField(label=_("送信の指示（承認）"), required=False, coerce=int, empty_value=None)
    note = TextField(label=_("備考"), max_length=200, required=False, help_text=NO_PERSONAL)

    def __init__(self, *args, user=None, **kwargs):
        from tokutei.profiles.selectors import get_profile

        from .services.transmissions import channel_choices

        super().__init__(*args, **kwargs)
        form_field(self, "channel", forms.ChoiceField).choices = channel_choices()
        # The instruction is one of the clerk's own granted approvals, chosen — never its number typed.
        spec = get_profile().transmission
        if spec is None or spec.approval is None:
            del self.fields["approval_id"]
        else:
            form_field(self, "approval_id", forms.TypedChoiceField).choices = granted_choices(user, spec.approval)


class DispatchForm(Form):
    """回付・進達を起票する (E-39)."""

    purpose = forms.ChoiceField(label=_("事務（利用目的）"))
    kind = forms.ChoiceField(label=_("区分"), choices=[("forwarding", _("回付")), ("submission", _("進達"))])
    recipient = TextField(label=_("回付先・進達先（機関名）"), max_length=200)
    item = TextField(label=_("書類・媒体"), max_length=200, required=False, help_text=NO_PERSONAL)
    record_count = CountField(label=_("件数"), min_value=0, initial=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "purpose", forms.ChoiceField).choices = _task_choices(blank=False)


class DispatchCompleteForm(Form):
    """回付・進達を完了する: 進達の郵送方法は一覧から選ぶ (E-39)."""

    method = forms.ChoiceField(label=_("郵送方法（進達）"), required=False)
    sealed = forms.BooleanField(label=_("封筒に封緘した（進達）"), required=False)

    def __init__(self, *args, **kwargs):
        from .services.dispatches import method_choices

        super().__init__(*args, **kwargs)
        form_field(self, "method", forms.ChoiceField).choices = [("", "—"), *method_choices()]


# --- typed register fields (issue 17) ----------------------------------------------------------------------


def typed_form_field(field) -> forms.Field:
    """A form field for one typed register field. Required-ness and types are checked by the service
    (``tokutei.registers.typed``), so that the page and the API refuse alike, naming the field."""
    required = _("（必須）") if field.required else ""
    label = f"{field.ja}{required}"
    if field.type == "date":
        return forms.CharField(label=label, required=False, widget=JDateInput())
    if field.type == "datetime":
        return forms.CharField(label=label, required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    if field.type == "number":
        return forms.CharField(label=label, required=False, widget=forms.NumberInput())
    if field.type in ("choice", "person", "room", "asset"):
        return forms.ChoiceField(label=label, required=False, choices=[("", "―"), *typed_choices(field)])
    return TextField(label=label, max_length=500, required=False)


def typed_choices(field) -> list[tuple[str, str]]:
    from .models import Asset, Room

    if field.type == "choice":
        return list(field.choices.items())
    if field.type == "person":
        return [(str(u.pk), f"{u.display_name}（{u.username}）")
                for u in get_user_model().objects.filter(is_active=True).order_by("username")[:500]]
    if field.type == "room":
        return [(str(r.pk), str(r)) for r in Room.objects.filter(retired_at__isnull=True)]
    return [(str(a.pk), str(a)) for a in Asset.objects.exclude(status=Asset.Status.DISPOSED)[:500]]


# --- rooms, assets, IDs (issue 17) -------------------------------------------------------------------------


def _choose(form: Form, names: list[str], choices) -> None:
    for name in names:
        field = form.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


def _staff_choices() -> list[tuple[str, str]]:
    return [("", "―")] + [(str(u.pk), f"{u.display_name}（{u.username}）")
                          for u in get_user_model().objects.filter(is_active=True).order_by("username")[:500]]


class RoomForm(Form):
    name = TextField(label=_("名称"), max_length=100)
    room_class = forms.ChoiceField(label=_("区分"), choices=[])
    note = TextField(label=_("備考"), max_length=300, required=False)

    def __init__(self, *args, profile, **kwargs):
        super().__init__(*args, **kwargs)
        _choose(self, ["room_class"], [(k, c.ja) for k, c in profile.rooms.items()])


class MeasureForm(Form):
    measure = TextField(label=_("措置"), max_length=200)
    in_place = forms.TypedChoiceField(label=_("結果"), choices=[("1", _("実施済み")), ("0", _("未実施"))],
                                      coerce=lambda v: v == "1")
    evidence = TextField(label=_("確認の根拠（写真・点検記録の番号等）"), max_length=300, required=False)


class RoomEntryForm(Form):
    kind = forms.ChoiceField(label=_("区分"), choices=[])
    person = forms.ChoiceField(label=_("職員（職員・操作者の入室）"), required=False, choices=[])
    visitor_name = TextField(label=_("氏名（来訪者・業者）"), max_length=100, required=False)
    affiliation = TextField(label=_("所属"), max_length=100, required=False)
    purpose = TextField(label=_("用件"), max_length=200, required=False)
    identification = TextField(label=_("本人確認の方法（身分証等）"), max_length=100, required=False)
    name_tag = TextField(label=_("名札の番号"), max_length=30, required=False)
    escort = forms.ChoiceField(label=_("立会者"), required=False, choices=[])

    def __init__(self, *args, **kwargs):
        from .models import RoomEntry

        super().__init__(*args, **kwargs)
        _choose(self, ["kind"], RoomEntry.Kind.choices)
        _choose(self, ["person", "escort"], _staff_choices())

    def user(self, name: str):
        pk = self.cleaned_data.get(name)
        return get_user_model().objects.filter(pk=pk).first() if pk else None


class AssetForm(Form):
    tag = TextField(label=_("資産番号"), max_length=60)
    name = TextField(label=_("名称"), max_length=200)
    kind = forms.ChoiceField(label=_("種別"), choices=[])
    classification = TextField(label=_("分類（機密性等）"), max_length=60, required=False)
    room_id = forms.ChoiceField(label=_("設置場所"), required=False, choices=[])
    owner = forms.ChoiceField(label=_("管理者"), required=False, choices=[])

    def __init__(self, *args, **kwargs):
        from .models import Asset, Room

        super().__init__(*args, **kwargs)
        _choose(self, ["kind"], Asset.Kind.choices)
        _choose(self, ["room_id"], [("", "―")] + [(str(r.pk), str(r)) for r in Room.objects.filter(
            retired_at__isnull=True)])
        _choose(self, ["owner"], _staff_choices())


class MovementForm(Form):
    direction = forms.ChoiceField(label=_("区分"), choices=[("out", _("持出し")), ("in", _("持込み"))])
    reason = TextField(label=_("目的・行先"), max_length=200)
    approval_id = RecordIdField(label=_("承認番号（必要な場合）"), required=False)


class AllowDeviceForm(Form):
    device = TextField(label=_("機器・媒体"), max_length=100)
    identifier = TextField(label=_("識別番号"), max_length=100)


class ConnectionsImportForm(Form):
    file = forms.FileField(label=_("端末管理ツールの接続記録（CSV）"))


# --- 情報連携システムのID (004 §14(2), §14(7), E-44) ------------------------------------------------------------


class _PersonForm(Form):
    def user(self, name: str):
        pk = self.cleaned_data.get(name)
        return get_user_model().objects.filter(pk=pk).first() if pk else None


class LinkageApplicationForm(_PersonForm):
    holder = forms.ChoiceField(label=_("事務取扱担当者"), choices=[])
    applied_on = JDateField(label=_("連合会への申請日"))
    reference = TextField(label=_("申請の受付番号"), max_length=60)
    applied_by = forms.ChoiceField(label=_("申請者"), choices=[], required=False,
                                   help_text=_("空欄のときは記録する人"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _choose(self, ["holder", "applied_by"], _staff_choices())


class LinkageActivationForm(_PersonForm):
    holder = forms.ChoiceField(label=_("事務取扱担当者"), choices=[])
    linkage_id = TextField(label=_("ID"), max_length=60)
    issued_on = JDateField(label=_("連合会の交付日"))
    activated_on = JDateField(label=_("利用開始日"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _choose(self, ["holder"], _staff_choices())
