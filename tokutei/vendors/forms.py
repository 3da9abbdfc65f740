"""Vendor forms: typed input only (the rules are the services')."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tokutei.core.fields import CountField, JDateField, RecordIdField, TextField
from tokutei.core.forms import Form, form_field

from .models import Evaluation, ReturnTask, Supervision

PATTERNS = [("I", "I"), ("II", "II"), ("III", "III"), ("IV", "IV")]


class VendorForm(Form):
    name = TextField(label=_("委託先名称"), max_length=200)
    department = TextField(label=_("委託先の部門名"), max_length=200, required=False)
    responsible_person = TextField(label=_("委託先の業務責任者"), max_length=100, required=False)
    address = TextField(label=_("所在地"), max_length=300, required=False)
    pmark = forms.BooleanField(label=_("プライバシーマーク付与事業者"), required=False)
    owner: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("担当職員"), required=False, queryset=None)
    note = TextField(label=_("備考"), max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        from tokutei.staff.models import User

        super().__init__(*args, **kwargs)
        form_field(self, "owner", forms.ModelChoiceField).queryset = User.objects.filter(is_active=True).order_by(
            "username")


class QualificationForm(Form):
    method = forms.ChoiceField(label=_("確認の方法"))
    evidence = TextField(label=_("確認の根拠（資料・調査の内容）"), max_length=500)
    qualified = forms.BooleanField(label=_("基準を満たすことを確認した"), required=False)
    checked_on = JDateField(label=_("確認日"))

    def __init__(self, *args, methods: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "method", forms.ChoiceField).choices = list(methods.items())


class SupervisionForm(Form):
    kind = forms.ChoiceField(label=_("方法"), choices=Supervision.Kind.choices)
    held_on = JDateField(label=_("実施日"))
    summary = TextField(label=_("結果"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class EvaluationForm(Form):
    pattern = forms.ChoiceField(label=_("委託パターン"), choices=PATTERNS)
    kind = forms.ChoiceField(label=_("委託選定"), choices=Evaluation.Kind.choices)
    created_on = JDateField(label=_("作成年月日"))
    method = forms.ChoiceField(label=_("委託先の状況の確認方法"), required=False)
    work = TextField(label=_("業務委託内容"), max_length=1000, required=False)
    entrusted = TextField(label=_("預託個人情報"), max_length=500, required=False)

    def __init__(self, *args, methods: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "method", forms.ChoiceField).choices = [("", "—"), *methods.items()]


class ContractForm(Form):
    title = TextField(label=_("契約件名"), max_length=200)
    work = TextField(label=_("業務委託内容"), max_length=1000)
    entrusted = TextField(label=_("預託個人情報（ファイル・項目の名称）"), max_length=500)
    starts_on = JDateField(label=_("契約期間（開始）"))
    ends_on = JDateField(label=_("契約期間（終了）"))
    field_keys = forms.MultipleChoiceField(label=_("委託する項目"), required=False,
                                           widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, fields: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "field_keys", forms.MultipleChoiceField).choices = fields


class ClauseForm(Form):
    index = CountField(label=_("項目"), min_value=0)
    location = TextField(label=_("契約書上の箇所"), max_length=200)


class MemorandumForm(Form):
    concluded_on = JDateField(label=_("覚書の締結日"))
    items = forms.MultipleChoiceField(label=_("覚書で定めた事項"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, items: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "items", forms.MultipleChoiceField).choices = [(i, i) for i in items]


class EndForm(Form):
    note = TextField(label=_("備考"), max_length=500, required=False)


class ReturnForm(Form):
    outcome = forms.ChoiceField(label=_("返還・消去・廃棄"), choices=ReturnTask.Outcome.choices)
    certificate_ref = TextField(label=_("証明書の番号等"), max_length=200, required=False)
    certificate_date = JDateField(label=_("証明書の日付"), required=False)
    disposal_list_id = RecordIdField(label=_("廃棄リスト番号（保存期間・廃棄の記録）"), required=False)
    note = TextField(label=_("備考"), max_length=500, required=False)


class SubContractorForm(Form):
    vendor: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("再委託先（登録済みの委託先）"), queryset=None)
    above: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("上位の再委託先（再々委託の場合）"), queryset=None, required=False)
    work = TextField(label=_("再委託する業務"), max_length=500)
    reason = TextField(label=_("再委託の理由（やむを得ない理由）"), max_length=1000, required=False,
                       widget=forms.Textarea(attrs={"rows": 2}))
    safety_check = TextField(label=_("安全管理の確認の内容"), max_length=1000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    equivalent_conditions = forms.BooleanField(label=_("委託と同等の条件を満たす"), required=False)
    approval_id = RecordIdField(label=_("承認番号"), required=False)

    def __init__(self, *args, vendors, subcontractors, **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "vendor", forms.ModelChoiceField).queryset = vendors
        form_field(self, "above", forms.ModelChoiceField).queryset = subcontractors


class HandOverForm(Form):
    item = TextField(label=_("引き渡すもの（書類・媒体等）"), max_length=200)
    record_count = CountField(label=_("件数"), min_value=0, initial=0)


class DispatchForm(Form):
    user: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("派遣労働者（職員）"), queryset=None)
    agency = TextField(label=_("派遣元事業者"), max_length=200)
    dispatch_contract = TextField(label=_("労働者派遣契約（番号・件名）"), max_length=200)
    contract_from = JDateField(label=_("派遣期間（開始）"))
    contract_to = JDateField(label=_("派遣期間（終了）"))

    def __init__(self, *args, **kwargs):
        from tokutei.staff.models import User

        super().__init__(*args, **kwargs)
        form_field(self, "user", forms.ModelChoiceField).queryset = User.objects.filter(is_active=True).order_by(
            "username")
