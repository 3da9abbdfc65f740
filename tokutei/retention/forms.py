"""Forms of the retention pages: dates in 西暦 or 和暦; methods offered are the profile's for the items."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from tokutei.core.fields import JDateField
from tokutei.core.forms import Form, form_field
from tokutei.profiles.schema import RECORD_CLASSES, RETENTION_EVENTS

from .models import LegalHold
from .schedule import class_label

if TYPE_CHECKING:
    from tokutei.staff.models import User


class PaymentForm(Form):
    date = JDateField(label=_("給付日（和暦可）"))
    label = forms.CharField(label=_("内容"), max_length=100, required=False, initial="年金給付")


class HoldForm(Form):
    record_class = forms.ChoiceField(label=_("記録の区分"), choices=lambda: [(k, class_label(k)) for k in RECORD_CLASSES])
    record_id = forms.CharField(label=_("記録の番号（ファイル全体の場合は空欄）"), max_length=40, required=False)
    file_id = forms.IntegerField(label=_("特定個人情報ファイルの番号（ファイル全体の場合）"), required=False)
    kind = forms.ChoiceField(label=_("理由の種類"), choices=LegalHold.Kind.choices)
    reason = forms.CharField(label=_("理由（個人情報を書かない）"), max_length=300)


class ExecuteForm(Form):
    method = forms.ChoiceField(label=_("廃棄・削除の方法"), choices=[])
    witness: forms.ModelChoiceField[User] = forms.ModelChoiceField(label=_("立会者（紙・媒体）"), queryset=None,
                                                                   required=False)
    vendor = forms.CharField(label=_("委託先（委託する場合）"), max_length=200, required=False)
    partial = forms.BooleanField(label=_("個人番号のみ消去し、その他の記録は残す（規則が認める場合）"), required=False)

    def __init__(self, *args, methods: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "method", forms.ChoiceField).choices = list(methods.items())
        form_field(self, "witness", forms.ModelChoiceField).queryset = get_user_model().objects.filter(
            is_active=True).order_by("username")


class CertificateForm(Form):
    reference = forms.CharField(label=_("廃棄証明書の番号・名称"), max_length=200)
    date = JDateField(label=_("証明書の日付"))


class EventForm(Form):
    """The start date a rule counts from, or the day the record was found no longer needed."""

    event = forms.ChoiceField(label=_("事由"), choices=[])
    date = JDateField(label=_("日付（和暦可）"))
    note = forms.CharField(label=_("備考（個人情報を書かない）"), max_length=300, required=False)

    def __init__(self, *args, rule, **kwargs):
        super().__init__(*args, **kwargs)
        keys = [rule.event] + (["no_longer_needed"] if rule.trigger == "when_no_longer_needed" else [])
        form_field(self, "event", forms.ChoiceField).choices = [
            (k, RETENTION_EVENTS[k][0]) for k in dict.fromkeys(keys) if k in RETENTION_EVENTS]
