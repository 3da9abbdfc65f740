"""Forms: every choice list comes from the profile (operations, tasks)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from tokutei.core.fields import CountField, RecordIdField, TextField
from tokutei.core.forms import Form, form_field
from tokutei.profiles.selectors import get_profile

from .pickers import PICKERS

if TYPE_CHECKING:
    from tokutei.staff.models import User

NO_PERSONAL = _("個人番号・氏名等の個人情報は書かないでください。")


def _task_choices(blank: bool = True):
    profile = get_profile()
    choices = [(k, t.ja) for k, t in profile.selectable_tasks().items()]
    return ([("", "—")] if blank else []) + choices


class RequestForm(Form):
    """承認申請: the operation and its scope (no personal data)."""

    operation = forms.ChoiceField(label=_("申請する操作"))
    purpose = forms.ChoiceField(label=_("事務（利用目的）"), required=False)
    count_limit = CountField(label=_("件数の上限"), required=False, min_value=1)
    medium_id = RecordIdField(label=_("記録媒体"), required=False, min_value=1)
    document_id = RecordIdField(label=_("ドキュメント"), required=False, min_value=1)
    carry_out_id = RecordIdField(label=_("持出し記録の番号"), required=False, min_value=1)
    vendor_id = RecordIdField(label=_("委託先の番号"), required=False, min_value=1)
    file_id = RecordIdField(label=_("特定個人情報ファイルの番号"), required=False, min_value=1)
    subject: forms.ModelChoiceField[User] = forms.ModelChoiceField(label=_("対象者（入室許可・照合情報等）"),
                                                                   required=False, queryset=None)
    note = TextField(label=_("申請理由"), required=False, max_length=200, help_text=NO_PERSONAL)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        profile = get_profile()
        form_field(self, "operation", forms.ChoiceField).choices = [
            (k, r.ja) for k, r in profile.approvals.items() if r.enabled]
        form_field(self, "purpose", forms.ChoiceField).choices = _task_choices()
        form_field(self, "subject", forms.ModelChoiceField).queryset = get_user_model().objects.filter(
            is_active=True).order_by("username")
        # The objects other apps' registers hold (pickers.py): chosen from a list, not typed as a number.
        for picker in PICKERS.values():
            self.fields[picker.key] = forms.TypedChoiceField(
                label=picker.label, required=False, coerce=int, empty_value=None,
                choices=[("", "—"), *picker.choices()])

    def particulars(self) -> dict:
        data = self.cleaned_data
        keys = ["purpose", "count_limit", "medium_id", "document_id", "carry_out_id", "vendor_id", "file_id",
                *PICKERS, "note"]
        return {k: data[k] for k in keys if data.get(k) not in (None, "")}


class DecisionForm(Form):
    comment = TextField(label=_("コメント"), required=False, max_length=300, help_text=NO_PERSONAL)
