"""Typed input for the ledger pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tokutei.core import jdates
from tokutei.core.fields import HANDLING_DATES, CountField, JapaneseDateField, TextField
from tokutei.core.forms import Form, form_field
from tokutei.core.i18n import label
from tokutei.profiles.schema import Profile

from . import files
from .stages import categories, stage_label


def _task_choices(profile: Profile) -> list[tuple[str, str]]:
    return [("", "—")] + [(k, t.ja) for k, t in profile.selectable_tasks().items()]


def _file_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(str(pk), name) for pk, name in sorted(files.file_names().items())]


def stage_choices(profile: Profile) -> list[tuple[str, str]]:
    choices: list[tuple[str, str]] = []
    for cat in categories(profile).values():
        for stage in cat.stages:
            choices.append((stage, f"{label(cat)} — {stage_label(stage)}"))
    return choices


class HandlingFilterForm(Form):
    nendo = forms.TypedChoiceField(label=_("年度"), coerce=int, required=False, empty_value=None)
    category = forms.ChoiceField(label=_("区分"), required=False)
    file = forms.TypedChoiceField(label=_("特定個人情報ファイル"), coerce=int, required=False, empty_value=None)
    unit = forms.TypedChoiceField(label=_("取扱部署"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, profile: Profile, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        start = profile.retention.business_year_start_month
        form_field(self, "nendo", forms.TypedChoiceField).choices = [("", _("すべて"))] + [
            (str(y), jdates.fiscal_year_label(y, start)) for y in years
        ]
        form_field(self, "category", forms.ChoiceField).choices = [("", _("すべて"))] + [
            (k, c.ja) for k, c in categories(profile).items()]
        form_field(self, "file", forms.TypedChoiceField).choices = [("", _("すべて")), *_file_choices()[1:]]
        from tokutei.staff.models import Unit

        form_field(self, "unit", forms.TypedChoiceField).choices = [("", _("すべて"))] + [
            (str(u.pk), u.name_ja) for u in Unit.objects.order_by("pk")]


class ManualRecordForm(Form):
    """A paper step: 進達 (sealed mailing), 細断, 保管, 提供 … (003 §7, 004 §9, §14)."""

    stage = forms.ChoiceField(label=_("区分・管理段階"))
    occurred_on = JapaneseDateField(within=HANDLING_DATES, label=_("年月日"), help_text=_("例: 令和8年4月1日、2026/4/1"))
    purpose = forms.ChoiceField(label=_("事務（利用目的）"), required=False)
    file = forms.TypedChoiceField(label=_("特定個人情報ファイル"), coerce=int, required=False, empty_value=None)
    count = CountField(label=_("件数"), min_value=0, initial=1)
    recipient = TextField(label=_("提供先・進達先（機関名）"), max_length=200, required=False)
    place = TextField(label=_("保管場所"), max_length=200, required=False)
    method = TextField(label=_("方法（例: 封緘の上簡易書留で郵送、シュレッダー細断）"), max_length=200,
                             required=False)
    checker = TextField(label=_("確認者（職員ID）"), max_length=150, required=False)
    item = TextField(label=_("対象（書類・媒体等の種類と数。例: 届出書、USBメモリ M-01）"), max_length=200,
                           required=False)
    certificate = TextField(label=_("証明書等（委託して廃棄・削除した場合の証明書の番号・発行者）"),
                                  max_length=200, required=False)
    note = TextField(label=_("備考"), max_length=500, required=False,
                           help_text=_("個人番号・氏名などの個人情報は記入しないでください。"))

    def __init__(self, *args, profile: Profile, **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "stage", forms.ChoiceField).choices = stage_choices(profile)
        form_field(self, "purpose", forms.ChoiceField).choices = _task_choices(profile)
        form_field(self, "file", forms.TypedChoiceField).choices = _file_choices()


class CorrectionForm(ManualRecordForm):
    note = TextField(label=_("訂正の理由"), max_length=500)


class SignOffForm(Form):
    note = TextField(label=_("備考"), max_length=500, required=False)


class RegisterEntryForm(Form):
    """Fields come from the typed ``profile.registers[key].fields`` of the form in force (labels as the form
    prints them); the values are checked by the service (``tokutei.registers.typed``), which names the field."""

    def __init__(self, *args, fields: list, correction: bool = False, **kwargs):
        from tokutei.registers.forms import typed_form_field

        super().__init__(*args, **kwargs)
        self.typed = fields
        for i, field in enumerate(fields):
            self.fields[f"f{i}"] = typed_form_field(field)
        if correction:
            self.fields["reason"] = TextField(label=_("訂正の理由"), max_length=500)

    def values(self) -> dict[str, str]:
        return {f.key: self.cleaned_data.get(f"f{i}", "") for i, f in enumerate(self.typed)}
