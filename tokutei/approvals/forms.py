"""Forms: every choice list comes from the profile (operations, tasks)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from tokutei.core.fields import CountField, TextField
from tokutei.core.forms import Form
from tokutei.profiles.selectors import get_profile

from . import kinds

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


NO_PERSONAL = _("個人番号・氏名等の個人情報は書かないでください。")


def _task_choices(blank: bool = True):
    profile = get_profile()
    choices = [(k, t.ja) for k, t in profile.selectable_tasks().items()]
    return ([("", "—")] if blank else []) + choices


def _pickers(user) -> dict[str, tuple[StrOrPromise, Any, Callable[[Any], str]]]:
    """field → (label, queryset, label of a record): the records a request may name, chosen, never typed."""
    from django.apps import apps

    file_model = apps.get_model("vault", "SpecificFile")
    medium = apps.get_model("registers", "Medium")
    carry_out = apps.get_model("registers", "CarryOut")
    document = apps.get_model("registers", "Document")
    asset = apps.get_model("registers", "Asset")
    vendor = apps.get_model("vendors", "Vendor")
    users = get_user_model()
    return {
        kinds.FILE: (_("特定個人情報ファイル"), file_model.objects.exclude(status="deleted").order_by("name", "pk"),
                     lambda f: f.name),
        kinds.MEDIUM: (_("記録媒体"), medium.objects.exclude(status__in=["disposed", "lost"]).order_by("label"),
                       lambda m: f"{m.label}（{m.get_kind_display()}）"),
        kinds.CARRY_OUT: (_("持出し（持出し前の記録）"),
                          carry_out.objects.filter(status="planned", requested_by=user).order_by("-created_at"),
                          lambda c: _("%(to)s へ %(type)s %(q)s 点（%(n)s 件）") % {
                              "to": c.counterparty, "type": c.media_type, "q": c.quantity, "n": c.record_count}),
        kinds.DOCUMENT: (_("ドキュメント"), document.objects.exclude(status="disposed").order_by("title"),
                         lambda d: f"{d.title}（{d.get_kind_display()}）"),
        kinds.TERMINAL: (_("端末"), asset.objects.filter(kind="terminal").exclude(status="disposed").order_by("tag"),
                         lambda a: f"{a.tag} {a.name}（{a.get_status_display()}）"),
        kinds.VENDOR: (_("委託先"), vendor.objects.order_by("name", "pk"), lambda v: v.name),
        kinds.SUBJECT: (_("許可の対象者"), users.objects.filter(is_active=True).order_by("username"),
                        lambda u: f"{u.display_name}（{u.username}）"),
    }


class KindForm(Form):
    """承認申請 of one kind (tokutei.approvals.kinds): the particulars that kind needs, records by pickers,
    required fields per kind; no personal data (the reason is checked like every particular)."""

    operation = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, operation: str, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = operation
        self.fields["operation"].initial = operation
        pickers = _pickers(user)
        for name, required in kinds.fields_of(operation):
            field: forms.Field
            if name in pickers:
                label, queryset, text = pickers[name]
                field = forms.ModelChoiceField(label=label, queryset=queryset, required=required,
                                               empty_label=_("— 選択してください —"))
                field.label_from_instance = text  # type: ignore[method-assign,assignment]
            elif name == kinds.PURPOSE:
                field = forms.ChoiceField(label=_("事務（利用目的）"), required=required, choices=_task_choices())
            elif name == kinds.COUNT:
                field = CountField(label=_("件数の上限"), required=required, min_value=1)
            elif name == kinds.DESTINATION:
                field = TextField(label=_("持出し先・提供先（相手方）"), required=required, max_length=200,
                                  help_text=NO_PERSONAL)
            else:
                field = TextField(label=_("申請理由"), required=required, max_length=200, multiline=True,
                                  help_text=NO_PERSONAL)
            self.fields[name] = field

    def clean_operation(self) -> str:
        if self.cleaned_data.get("operation") != self.kind:
            raise forms.ValidationError(_("申請する操作が変わりました。もう一度選んでください"))
        return self.kind

    def particulars(self) -> dict[str, Any]:
        """The scope as the services that use the approval compare it (``particulars_check``): ids of the
        chosen records, the task key, the limit, the destination and the reason."""
        d = self.cleaned_data
        out: dict[str, Any] = {}
        for key in (kinds.PURPOSE, kinds.COUNT, kinds.DESTINATION, kinds.NOTE):
            if d.get(key) not in (None, ""):
                out[key] = d[key]
        for key in (kinds.FILE, kinds.MEDIUM, kinds.DOCUMENT, kinds.VENDOR):
            if d.get(key) is not None:
                out[f"{key}_id"] = d[key].pk
        if d.get(kinds.CARRY_OUT) is not None:  # as the carry-out page applies (registers.services.media)
            co = d[kinds.CARRY_OUT]
            out |= {"carry_out_id": co.pk, "quantity": co.quantity, "record_count": co.record_count,
                    "media_type": co.media_type[:60]}
            if co.medium_id:
                out["medium_id"] = co.medium_id
        if d.get(kinds.TERMINAL) is not None:
            asset = d[kinds.TERMINAL]
            out["asset_id"] = asset.pk
            if asset.terminal_id:
                out["terminal_id"] = asset.terminal_id
        return out

    def subject(self):
        return self.cleaned_data.get(kinds.SUBJECT)


class DecisionForm(Form):
    comment = TextField(label=_("コメント"), required=False, max_length=300, help_text=NO_PERSONAL)
