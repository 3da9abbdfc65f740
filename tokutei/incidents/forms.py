"""Forms for the incident pages: typed input only; the rules are the services'."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from tokutei.core.fields import JDateField
from tokutei.core.forms import Form, form_field

from .deadlines import CATEGORIES, ITEMS
from .models import Incident, PersonNotice, TimelineEntry

_DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
_IDS = re.compile(r"^[\d\s,、，]*$")


class IdListField(forms.CharField):
    """「12, 15, 20」 → [12, 15, 20]: ids of files, records, media or terminals (never a number of a person)."""

    def clean(self, value):
        text = super().clean(value) or ""
        if not _IDS.match(text):
            raise forms.ValidationError(_("番号（ID）を半角数字で、カンマ区切りで入力してください"))
        ids = [int(p) for p in re.split(r"[\s,、，]+", text) if p]
        if any(i <= 0 or i >= 10**9 for i in ids):
            raise forms.ValidationError(_("記録等の ID を入力してください（個人番号は入力できません）"))
        return ids


class ReportForm(Form):
    category = forms.ChoiceField(label=_("区分"), choices=Incident.Category.choices, widget=forms.RadioSelect)
    summary = forms.CharField(label=_("何が起きたか"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("個人番号や氏名は書かないでください。記録は ID で示してください。"))
    found_at = forms.DateTimeField(label=_("発見日時"), widget=_DT, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    found_by = forms.CharField(label=_("発見者"), max_length=100)
    affected_files = IdListField(label=_("関係するファイルの ID"), required=False)
    affected_records = IdListField(label=_("関係する記録の ID"), required=False)
    affected_media = IdListField(label=_("関係する記録媒体の ID"), required=False)
    affected_terminals = IdListField(label=_("関係する端末の ID"), required=False)
    suspected_cause = forms.CharField(label=_("推定される原因"), max_length=2000, required=False,
                                      widget=forms.Textarea(attrs={"rows": 3}))

    def affected(self) -> dict[str, list[int]]:
        return {k: self.cleaned_data.get(f"affected_{k}") or [] for k in ("files", "records", "media", "terminals")}


class TimelineForm(Form):
    kind = forms.ChoiceField(label=_("種類"), choices=TimelineEntry.Kind.choices)
    text = forms.CharField(label=_("内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    occurred_at = forms.DateTimeField(label=_("日時"), widget=_DT, input_formats=["%Y-%m-%dT%H:%M"], required=False)


class AbsenceForm(Form):
    username = forms.CharField(label=_("職員のユーザID"), max_length=150,
                               help_text=_("自分の不在は自分のユーザIDを入力します"))
    start_date = JDateField(label=_("開始日"))
    end_date = JDateField(label=_("終了日"))
    reason = forms.CharField(label=_("理由"), max_length=100, required=False)


class PpcForm(Form):
    learned_at = forms.DateTimeField(label=_("組織が知った日時"), widget=_DT, input_formats=["%Y-%m-%dT%H:%M"])
    categories = forms.MultipleChoiceField(label=_("該当する事態"), required=False, widget=forms.CheckboxSelectMultiple,
                                           choices=[(k, v) for k, v in CATEGORIES.items()])
    affected_people = forms.IntegerField(label=_("本人の数"), min_value=0, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in ITEMS.items():
            if key != "people":
                self.fields[f"item_{key}"] = forms.CharField(label=label, required=False, max_length=2000,
                                                             widget=forms.Textarea(attrs={"rows": 2}))

    def items(self) -> dict[str, str]:
        return {k: self.cleaned_data.get(f"item_{k}") or "" for k in ITEMS if k != "people"}


class SubmissionForm(Form):
    kind = forms.ChoiceField(label=_("報告"), choices=[("preliminary", _("速報")), ("final", _("確報"))])
    on = JDateField(label=_("提出日"))


class NoticeForm(Form):
    record_id = forms.IntegerField(label=_("本人の記録番号"), min_value=1, max_value=10**9 - 1,
                                   help_text=_("個人番号ではなく、記録の ID を入力します"))
    method = forms.ChoiceField(label=_("方法"), choices=PersonNotice.Method.choices)
    notified_on = JDateField(label=_("通知日"))
    note = forms.CharField(label=_("備考"), max_length=200, required=False)


class MeasureForm(Form):
    """A measure on an incident: which one (only those the signed-in person may take), what and when."""

    kind = forms.ChoiceField(label=_("措置"))
    text = forms.CharField(label=_("内容（理由・命令した人・対応した事業者など）"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    occurred_at = forms.DateTimeField(label=_("日時"), required=False, widget=_DT,
                                      input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                      help_text=_("空欄のときは今"))
    username = forms.CharField(label=_("利用を停止する職員のユーザID"), max_length=150, required=False)
    terminal = forms.IntegerField(label=_("登録を取り消す端末の ID"), min_value=1, max_value=10**9 - 1,
                                  required=False)
    vendor = forms.IntegerField(label=_("提供を停止する委託先の番号"), min_value=1, max_value=10**9 - 1,
                                required=False)
    recipients = forms.MultipleChoiceField(label=_("報告した委員会"), required=False,
                                           widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, kinds: list[tuple[str, str]], recipients: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "kind", forms.ChoiceField).choices = kinds
        if recipients:
            form_field(self, "recipients", forms.MultipleChoiceField).choices = [(r, r) for r in recipients]
            self.initial.setdefault("recipients", recipients)
        else:
            del self.fields["recipients"]
        kinds_held = {k for k, _label in kinds}
        if "suspend_user" not in kinds_held:
            del self.fields["username"]
        if "suspend_terminal" not in kinds_held:
            del self.fields["terminal"]
        if "suspend_vendor" not in kinds_held:
            del self.fields["vendor"]

    def has_kinds(self) -> bool:
        return bool(form_field(self, "kind", forms.ChoiceField).choices)
