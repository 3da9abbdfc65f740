"""Forms of the vault pages. Choices come from the profile (tasks, fields, documents, channels)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from tokutei.core.fields import JDateField, RecordIdField, TextField
from tokutei.core.forms import Form, form_field
from tokutei.core.i18n import label
from tokutei.profiles.selectors import get_profile

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

SEARCH_BY = [("my_number", _("個人番号")), ("resident_code", _("住民票コード")), ("kana_birth", _("カナ氏名＋生年月日")),
             ("org_key", _("組織の番号（年金証書番号等）"))]
METHODS = [("re_entry", _("再入力（個人番号をもう一度入力して照合）")), ("read_back", _("読合せチェック")),
           ("visual", _("目視チェック"))]
ROUTES = [("documents", _("本人確認書類の提示（郵送等は写し）")), ("preprinted", _("個人識別事項を印字した書類の返送")),
          ("agent", _("代理人からの提供")), ("jlis", _("J-LIS から取得（本人確認不要）"))]


SEX_CHOICES = [("", "—"), ("男", _("男")), ("女", _("女")), ("不明", _("不明"))]
DATE_PLACEHOLDER = _("例: 昭和35年5月1日 または 1960/5/1")


class NoEchoInput(forms.TextInput):
    """A text box that never writes the submitted value back into the page (no 個人番号 in responses)."""

    kept = False  # a number kept sealed from the refused submission (tokutei.vault.kept): retyping is optional

    def format_value(self, value):
        return None

    def use_required_attribute(self, initial):
        return not self.kept and super().use_required_attribute(initial)


def purpose_choices(user_tasks: list[str] | None = None) -> list[tuple[str, StrOrPromise]]:
    profile = get_profile()
    tasks = profile.selectable_tasks()
    keys = [k for k in tasks if user_tasks is None or k in user_tasks]
    return [("", _("— 利用目的（事務）を選択 —")), *((k, tasks[k].ja) for k in keys)]


class PurposeForm(Form):
    purpose = forms.ChoiceField(label=_("利用目的（事務）"), choices=[])

    def __init__(self, *args, user_tasks=None, **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "purpose", forms.ChoiceField).choices = purpose_choices(user_tasks)


class SearchForm(Form):
    by = forms.ChoiceField(label=_("検索方法"), choices=SEARCH_BY, widget=forms.RadioSelect, initial="my_number")
    value = TextField(label=_("個人番号 / 住民票コード / 組織の番号"), required=False, max_length=40,
                            widget=NoEchoInput(attrs={"autocomplete": "off", "inputmode": "numeric"}))
    kana = TextField(label=_("カナ氏名"), required=False, max_length=60,
                           widget=forms.TextInput(attrs={"autocomplete": "off"}))
    birth_date = TextField(label=_("生年月日（西暦・和暦）"), required=False, max_length=30,
                                 widget=forms.TextInput(attrs={"autocomplete": "off",
                                                               "placeholder": "昭和35年5月1日"}))
    bulk_approval = RecordIdField(label=_("大量取扱いの承認番号（基準件数を超える場合）"), required=False,
                                       min_value=1)


class FileForm(Form):
    name = TextField(label=_("ファイルの名称"), max_length=200)
    kind = TextField(label=_("ファイルの種類"), max_length=100, initial="電子ファイル（データベース）")
    tasks = forms.MultipleChoiceField(label=_("利用目的（事務）"), choices=[], widget=forms.CheckboxSelectMultiple)
    purpose_text = TextField(label=_("利用目的（説明）"), required=False, max_length=500)
    ground = TextField(label=_("番号法上の根拠"), required=False, max_length=300)
    retention_rule = forms.ChoiceField(label=_("保存年限の区分"), required=False, choices=[])

    def __init__(self, *args, user_tasks=None, **kwargs):
        super().__init__(*args, **kwargs)
        profile = get_profile()
        form_field(self, "tasks", forms.MultipleChoiceField).choices = purpose_choices(user_tasks)[1:]
        form_field(self, "retention_rule", forms.ChoiceField).choices = [
            ("", "—"), *((k, r.ja) for k, r in profile.retention_rules.items())]


def intake_form_class(task_fields: list[str]) -> type[forms.Form]:
    """The intake form for one task: its usable fields, the channel and the 本人確認 checklist (004 §8)."""
    profile = get_profile()
    iv = profile.intake.identity_verification
    attrs: dict[str, forms.Field] = {}
    for key in task_fields:
        spec = profile.fields[key]
        if spec.kind == "sex":  # a fixed set of values: chosen, not typed
            attrs[f"f_{key}"] = forms.ChoiceField(label=spec.ja, required=spec.required, choices=SEX_CHOICES)
            continue
        widget_class = NoEchoInput if spec.kind == "my_number" else forms.TextInput
        extra = {"placeholder": DATE_PLACEHOLDER} if spec.kind == "date" else {}
        attrs[f"f_{key}"] = TextField(
            label=spec.ja, required=spec.required, max_length=200,
            widget=widget_class(attrs={"autocomplete": "off", **extra, **(
                {"inputmode": "numeric"} if spec.kind in ("my_number", "resident_code") else {})}))
    if profile.intake.channels:
        attrs["channel"] = forms.ChoiceField(label=_("取得経路"), choices=list(profile.intake.channels.items()))
    attrs["retention_trigger_date"] = JDateField(label=_("保存年限の起算日（失権日等・任意）"), required=False)
    if iv.required:
        routes = [r for r in ROUTES if (r[0] != "preprinted" or iv.preprinted_route) and (
            r[0] != "jlis" or iv.jlis_exempt) and (r[0] != "agent" or iv.agent_documents)]
        attrs["route"] = forms.ChoiceField(label=_("本人確認の方法"), choices=routes, widget=forms.RadioSelect,
                                           initial="documents")
        attrs["documents"] = forms.MultipleChoiceField(label=_("確認した書類"), required=False,
                                                       choices=list(iv.documents.items()),
                                                       widget=forms.CheckboxSelectMultiple)
        presentations = [("original", _("原本の提示"))]
        if iv.copies_by_post_allowed:
            presentations.append(("copy_by_post", _("郵送等による写し")))
        attrs["presentation"] = forms.ChoiceField(label=_("書類の提示方法"), choices=presentations,
                                                  widget=forms.RadioSelect, initial="original")
        if iv.preprinted_route:
            attrs["preprinted_match"] = forms.BooleanField(
                label=_("印字した個人識別事項と番号確認書類の記載が同一であることを確認した"), required=False)
        if iv.agent_documents:
            attrs["agent_documents"] = forms.MultipleChoiceField(
                label=_("代理人の書類（すべて必要）"), required=False, choices=list(iv.agent_documents.items()),
                widget=forms.CheckboxSelectMultiple)
    return type("IntakeForm", (forms.Form,), {**attrs, "required_css_class": "required"})


class ConfirmForm(Form):
    """The checks made (E-24): the profile's required ones are pre-ticked and named in the label."""

    checks = forms.MultipleChoiceField(label=_("行った確認"), choices=METHODS, widget=forms.CheckboxSelectMultiple)
    my_number = forms.CharField(label=_("個人番号（再入力の場合）"), required=False, max_length=30,
                                widget=forms.PasswordInput(attrs={"autocomplete": "off", "inputmode": "numeric"}))
    matched = forms.BooleanField(label=_("個人番号と個人情報が原票と一致していることを確認した"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        required = get_profile().intake.confirmation_checks
        field = form_field(self, "checks", forms.MultipleChoiceField)
        field.initial = list(required) or ["re_entry"]
        if required:
            labels = dict(METHODS)
            names = "、".join(str(labels[key]) for key in required)
            field.help_text = _("必要な確認: %(checks)s") % {"checks": names}


def correction_form_class(task_fields: list[str], instructors: list[tuple[int, str]]) -> type[forms.Form]:
    profile = get_profile()
    attrs: dict[str, forms.Field] = {
        f"f_{key}": TextField(label=_("%(label)s（訂正後）") % {"label": label(profile.fields[key])}, required=False, max_length=200,
                                    widget=NoEchoInput(attrs={"autocomplete": "off"})
                                    if profile.fields[key].kind == "my_number" else
                                    forms.TextInput(attrs={"autocomplete": "off"}))
        for key in task_fields
    }
    from tokutei.approvals.services import rule_for

    if rule_for("correction") is not None:  # 002 §12: the instruction is a recorded approval (its approver)
        attrs["approval_id"] = RecordIdField(label=_("訂正の指示（承認）の番号"))
    else:
        attrs["instructed_by"] = forms.TypedChoiceField(label=_("訂正を指示した者"), coerce=int,
                                                        choices=[("", "—"), *instructors])
    attrs["reason"] = TextField(label=_("訂正の理由（個人情報を書かないでください）"), required=False,
                                      max_length=300)
    return type("CorrectionForm", (forms.Form,), attrs)
