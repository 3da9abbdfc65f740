"""Committee forms: typed input only."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tokutei.core.fields import JDateField
from tokutei.core.forms import Form, form_field

from .models import Attendee, Meeting


class MeetingForm(Form):
    kind = forms.ChoiceField(label=_("種類"), choices=Meeting.Kind.choices)
    title = forms.CharField(label=_("件名"), max_length=200)
    held_on = JDateField(label=_("開催日（持ち回りは決定日）"))
    agenda = forms.MultipleChoiceField(label=_("審議事項"), required=False, widget=forms.CheckboxSelectMultiple)
    other_agenda = forms.CharField(label=_("その他の議題（1行に1件）"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}))
    incidents = forms.MultipleChoiceField(label=_("議題とする事故等"), required=False,
                                          widget=forms.CheckboxSelectMultiple)
    findings = forms.MultipleChoiceField(label=_("議題とする指摘事項（監査・点検）"), required=False,
                                         widget=forms.CheckboxSelectMultiple)
    presiding = forms.ChoiceField(label=_("議長"), choices=Meeting.Presiding.choices, initial=Meeting.Presiding.CHAIR)

    def __init__(self, *args, agenda: list[str], incidents: list[tuple[str, str]], circulated: bool,
                 vice_chair: bool = False, findings: list[tuple[str, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "findings", forms.MultipleChoiceField).choices = findings or []
        if not vice_chair:  # no vice-chair in the profile (000): the chair presides
            del self.fields["presiding"]
        form_field(self, "agenda", forms.MultipleChoiceField).choices = [(a, a) for a in agenda]
        form_field(self, "incidents", forms.MultipleChoiceField).choices = incidents
        if not circulated:
            form_field(self, "kind", forms.ChoiceField).choices = [(Meeting.Kind.MEETING, Meeting.Kind.MEETING.label)]

    def agenda_items(self) -> list[str]:
        extra = [line.strip() for line in (self.cleaned_data.get("other_agenda") or "").splitlines() if line.strip()]
        return [*self.cleaned_data.get("agenda", []), *extra]


class AttendeeForm(Form):
    kind = forms.ChoiceField(label=_("区分"), choices=Attendee.Kind.choices)
    capacity = forms.CharField(label=_("職・役割"), max_length=100, required=False,
                               widget=forms.TextInput(attrs={"list": "committee-members"}),
                               help_text=_("委員は、委員の職を一覧から選んでください"))
    name = forms.CharField(label=_("氏名"), max_length=100)
    materials = forms.CharField(label=_("提出を求めた資料"), max_length=500, required=False,
                                help_text=_("委員以外の者に資料の提出を求めた場合に記入してください"))


class MinutesForm(Form):
    minutes = forms.CharField(label=_("議事録"), max_length=20000, widget=forms.Textarea(attrs={"rows": 8}),
                              required=False)


class ActionItemForm(Form):
    text = forms.CharField(label=_("決定事項・対応"), max_length=500)
    owner = forms.CharField(label=_("担当"), max_length=100)
    due_on = JDateField(label=_("期限"), required=False)
