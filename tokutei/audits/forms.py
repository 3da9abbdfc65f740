"""Audit forms: typed input only."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tokutei.core.fields import JDateField
from tokutei.core.forms import Form

from .models import Answer, Engagement, Finding


class EngagementForm(Form):
    kind = forms.ChoiceField(label=_("種類"), choices=Engagement.Kind.choices)
    schedule_key = forms.ChoiceField(label=_("計画"), required=False)
    title = forms.CharField(label=_("件名"), max_length=200)
    scope = forms.CharField(label=_("対象・範囲"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 2}))
    external = forms.BooleanField(label=_("外部監査"), required=False)
    period_from = JDateField(label=_("対象期間（自）"))
    period_to = JDateField(label=_("対象期間（至）"))

    def __init__(self, *args, schedules: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["schedule_key"].choices = [("", _("随時（計画外）")), *schedules]  # type: ignore[attr-defined]


class AnswerForm(Form):
    item_id = forms.CharField(max_length=80, widget=forms.HiddenInput)
    result = forms.ChoiceField(label=_("結果"), choices=Answer.Result.choices)
    evidence = forms.CharField(label=_("証跡"), required=False, max_length=2000)


class ReportForm(Form):
    summary = forms.CharField(label=_("結果の概要"), required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 4}))


class ReceiptForm(Form):
    comment = forms.CharField(label=_("所見"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class FindingForm(Form):
    source = forms.ChoiceField(label=_("発見の経緯"), choices=Finding.Source.choices)
    engagement_id = forms.IntegerField(label=_("監査・点検の番号"), required=False, widget=forms.HiddenInput)
    item_id = forms.CharField(max_length=80, required=False, widget=forms.HiddenInput)
    incident_id = forms.IntegerField(label=_("事故等の報告番号"), required=False, min_value=1)
    log_review_id = forms.IntegerField(label=_("操作履歴の点検の番号"), required=False, min_value=1)
    title = forms.CharField(label=_("指摘事項"), max_length=300)
    detail = forms.CharField(label=_("内容"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    severity = forms.ChoiceField(label=_("重要度"), choices=Finding.Severity.choices, initial="medium")
    owner = forms.ChoiceField(label=_("是正の担当者"))
    due_on = JDateField(label=_("是正の期限（空欄は重要度ごとの既定）"), required=False)

    def __init__(self, *args, owners: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owners  # type: ignore[attr-defined]


class CorrectiveForm(Form):
    corrective_action = forms.CharField(label=_("是正措置"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    root_cause = forms.CharField(label=_("原因"), required=False, max_length=2000,
                                 widget=forms.Textarea(attrs={"rows": 2}))


class RecheckForm(Form):
    effective = forms.TypedChoiceField(label=_("再確認の結果"), coerce=lambda v: v == "1",
                                       choices=[("1", _("是正を確認した（完了）")), ("0", _("是正が不十分（差し戻し）"))])
    note = forms.CharField(label=_("再確認の内容"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))
    new_due_on = JDateField(label=_("差し戻す場合の新しい期限"), required=False)


class PeriodForm(Form):
    period_from = JDateField(label=_("期間（自）"), required=False)
    period_to = JDateField(label=_("期間（至）"), required=False)


class SessionForm(Form):
    requirement_key = forms.ChoiceField(label=_("研修"))
    title = forms.CharField(label=_("件名"), max_length=200)
    held_on = JDateField(label=_("実施日（予定日）"))
    content = forms.CharField(label=_("内容"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, trainings: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requirement_key"].choices = trainings  # type: ignore[attr-defined]


class AttendanceForm(Form):
    users = forms.MultipleChoiceField(label=_("受講者"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, people: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["users"].choices = people  # type: ignore[attr-defined]


class HandoverForm(Form):
    successor = forms.ChoiceField(label=_("後任の者"))
    submit = forms.BooleanField(label=_("確認に提出する"), required=False)

    def __init__(self, *args, people: list[tuple[str, str]], sections: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["successor"].choices = people  # type: ignore[attr-defined]
        for key, label in sections.items():
            self.fields[f"book_{key}"] = forms.CharField(label=label, required=False, max_length=4000,
                                                         widget=forms.Textarea(attrs={"rows": 3}))
        self.sections = sections

    def book(self) -> dict[str, str]:
        return {k: self.cleaned_data.get(f"book_{k}", "") for k in self.sections}


class ConfirmForm(Form):
    interview_note = forms.CharField(label=_("業務引継簿の内容確認と引継ぎの実態の聞き取りの結果"), max_length=4000,
                                     widget=forms.Textarea(attrs={"rows": 3}))
