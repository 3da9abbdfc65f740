"""Forms: every choice list comes from the profile (tasks, protections, purposes)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from tokutei.approvals.forms import NO_PERSONAL, _task_choices
from tokutei.core.fields import CountField, RecordIdField, TextField
from tokutei.core.forms import form_field

from .models import Document, Medium
from .services.media import carry_out_policy

if TYPE_CHECKING:
    from tokutei.staff.models import User


class MediumForm(forms.Form):
    label = TextField(label=_("媒体番号"), max_length=60)
    kind = forms.ChoiceField(label=_("種類"), choices=Medium.Kind.choices)
    storage_place = TextField(label=_("保管場所"), max_length=200)
    record_count = CountField(label=_("記録件数"), min_value=0, initial=0)
    content_summary = TextField(label=_("内容"), max_length=200, required=False, help_text=NO_PERSONAL)


class FaultForm(forms.Form):
    has_fault = forms.TypedChoiceField(label=_("障害の有無"), choices=[("0", _("障害なし")), ("1", _("障害あり"))],
                                       coerce=lambda v: v == "1")
    description = TextField(label=_("内容"), max_length=300, required=False)


class DisposeForm(forms.Form):
    method = TextField(label=_("廃棄の方法"), max_length=100, initial="破砕")
    witness: forms.ModelChoiceField[User] = forms.ModelChoiceField(label=_("立会者"), queryset=None)
    approval_id = RecordIdField(label=_("承認番号（必要な場合）"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "witness", forms.ModelChoiceField).queryset = get_user_model().objects.filter(
            is_active=True).order_by("username")


class CarryOutForm(forms.Form):
    medium: forms.ModelChoiceField[Medium] = forms.ModelChoiceField(label=_("記録媒体（登録済みの場合）"),
                                                                    required=False, queryset=None)
    counterparty = TextField(label=_("相手方"), max_length=200)
    media_type = TextField(label=_("記録媒体の種類"), max_length=60)
    quantity = CountField(label=_("数量"), min_value=1, initial=1)
    record_count = CountField(label=_("記録件数"), min_value=0)
    protections = forms.MultipleChoiceField(label=_("保護措置"), widget=forms.CheckboxSelectMultiple, required=False)
    purpose_key = forms.ChoiceField(label=_("持出しの目的"), required=False)
    purpose_note = TextField(label=_("目的の説明"), max_length=200, required=False, help_text=NO_PERSONAL)

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


class CarryOutDoForm(forms.Form):
    approval_id = RecordIdField(label=_("承認番号"), required=False)


class CloseCarryOutForm(forms.Form):
    outcome = forms.ChoiceField(label=_("結果"), choices=[("returned", _("返却")), ("delivered", _("提出・引渡し")),
                                                         ("disposed", _("廃棄"))])
    disposal_method = TextField(label=_("廃棄の方法"), max_length=100, required=False)
    witness: forms.ModelChoiceField[User] = forms.ModelChoiceField(label=_("廃棄の立会者"), required=False,
                                                                   queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "witness", forms.ModelChoiceField).queryset = get_user_model().objects.filter(
            is_active=True).order_by("username")


class DocumentForm(forms.Form):
    title = TextField(label=_("文書名"), max_length=200)
    kind = forms.ChoiceField(label=_("種類"), choices=Document.Kind.choices)
    storage_place = TextField(label=_("保管場所"), max_length=200)
    copies = CountField(label=_("部数"), min_value=1, initial=1)


class DocumentOpForm(forms.Form):
    kind = forms.ChoiceField(label=_("操作"), choices=[("copy", _("複製")), ("carry_out", _("持出し")),
                                                      ("return", _("返却")), ("check", _("保管状況の確認")),
                                                      ("dispose", _("廃棄"))])
    approval_id = RecordIdField(label=_("承認番号（複製・持出し）"), required=False)
    note = TextField(label=_("備考"), max_length=300, required=False, help_text=NO_PERSONAL)


class ExportForm(forms.Form):
    purpose = forms.ChoiceField(label=_("事務（利用目的）"))
    recipient = TextField(label=_("受領者（提供先）"), max_length=200)
    person_ids = TextField(label=_("対象の本人番号（内部ID、カンマ区切り。空欄は全件）"), required=False,
                                 max_length=2000)
    approval_id = RecordIdField(label=_("出力の承認番号"), required=False)
    bulk_approval_id = RecordIdField(label=_("大量取扱いの承認番号"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "purpose", forms.ChoiceField).choices = _task_choices(blank=False)

    def clean_person_ids(self):
        raw = self.cleaned_data["person_ids"].replace("、", ",").strip()
        if not raw:
            return None
        try:
            return [int(x) for x in raw.split(",") if x.strip()]
        except ValueError:
            raise forms.ValidationError(_("内部IDは数字をカンマで区切って入力してください")) from None


# --- typed register fields (issue 17) ----------------------------------------------------------------------


def typed_form_field(field) -> forms.Field:
    """A form field for one typed register field. Required-ness and types are checked by the service
    (``tokutei.registers.typed``), so that the page and the API refuse alike, naming the field."""
    label = f"{field.ja}{_('（必須）') if field.required else ''}"
    if field.type == "date":
        return forms.CharField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}))
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
