"""Forms of the staff app: sign-in, second factors, password change, staff administration, terminals."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tokutei.core.fields import JDateField, TextField
from tokutei.core.forms import Form, form_field

from .models import Post, Unit, User


class SignInForm(Form):
    username = TextField(label=_("ユーザID"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(label=_("パスワード"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class TotpForm(Form):
    code = TextField(label=_("認証アプリに表示された6桁の数字"), max_length=10,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                         "autofocus": True}))


class PasswordChangeForm(Form):
    old_password = forms.CharField(label=_("現在のパスワード"), strip=False,
                                   widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    new_password1 = forms.CharField(label=_("新しいパスワード"), strip=False,
                                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    new_password2 = forms.CharField(label=_("新しいパスワード（確認）"), strip=False,
                                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        assert data is not None  # Form.clean() returns cleaned_data
        if data.get("new_password1") and data.get("new_password1") != data.get("new_password2"):
            raise forms.ValidationError(_("新しいパスワードが一致しません。"))
        return data


class UserCreateForm(Form):
    username = forms.RegexField(label=_("ユーザID"), max_length=150, regex=r"^[A-Za-z0-9_.-]+$",
                                error_messages={"invalid": _("ユーザIDは半角英数字と _ . - で入力してください。")})
    full_name = TextField(label=_("氏名"), max_length=100)
    full_name_kana = TextField(label=_("氏名カナ"), max_length=100, required=False)
    employee_no = TextField(label=_("職員番号"), max_length=30, required=False)
    employment = forms.ChoiceField(label=_("雇用区分"), choices=User.Employment.choices)
    unit = forms.ModelChoiceField(label=_("所属"), queryset=Unit.objects.order_by("key"), required=False)


class DesignationForm(Form):
    user = forms.ModelChoiceField(label=_("職員"), queryset=User.objects.filter(is_active=True).order_by("username"))
    role_key = forms.ChoiceField(label=_("役割"))
    tasks = forms.MultipleChoiceField(label=_("事務の範囲"), required=False, widget=forms.CheckboxSelectMultiple)
    start_date = JDateField(label=_("開始日"))
    end_date = JDateField(label=_("終了日（空欄は定めなし）"), required=False)
    note = TextField(label=_("備考"), max_length=200, required=False)

    def __init__(self, *args, roles: list[tuple[str, str]], tasks: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "role_key", forms.ChoiceField).choices = roles
        form_field(self, "tasks", forms.MultipleChoiceField).choices = tasks


class EndDesignationForm(Form):
    end_date = JDateField(label=_("終了日（空欄は即時）"), required=False)
    reason = TextField(label=_("理由"), max_length=200, required=False)


class HandlingScopeForm(Form):
    """取扱いの範囲 (002 §4.4, E-04): some of the designation's files and/or ranges of record numbers."""

    file_ids = forms.MultipleChoiceField(label=_("特定個人情報ファイル（選ばなければ事務のすべてのファイル）"),
                                         required=False, widget=forms.CheckboxSelectMultiple)
    records = TextField(label=_("記録番号の範囲（例: 100-199, 250。空欄は限らない）"), max_length=300, required=False)
    note = TextField(label=_("理由・備考"), max_length=200, required=False)

    def __init__(self, *args, files: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "file_ids", forms.MultipleChoiceField).choices = [(str(k), v) for k, v in files]

    def clean_records(self) -> list[list[int]]:
        from .scope import parse_ranges

        try:
            return parse_ranges(self.cleaned_data.get("records") or "")
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class TransferForm(Form):
    unit = forms.ModelChoiceField(label=_("異動先"), queryset=Unit.objects.order_by("key"))
    reason = TextField(label=_("理由"), max_length=200, required=False)


class DeactivateForm(Form):
    reason = TextField(label=_("理由（退職等）"), max_length=200)


class PostAssignForm(Form):
    post = forms.ModelChoiceField(label=_("役職"), queryset=Post.objects.order_by("key"))
    user = forms.ModelChoiceField(label=_("職員"), queryset=User.objects.filter(is_active=True).order_by("username"))
    start_date = JDateField(label=_("発令日"))


class TerminalForm(Form):
    name = TextField(label=_("端末名"), max_length=100)
    location = TextField(label=_("設置場所"), max_length=200, required=False)
    asset_tag = TextField(label=_("資産番号"), max_length=60, required=False)


class EnrolCodeForm(Form):
    code = TextField(label=_("登録コード"), max_length=40,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}))


class PasswordOnlyDecisionForm(Form):
    user = forms.ModelChoiceField(label=_("操作者"), queryset=User.objects.filter(is_active=True).order_by("username"))
    reason = TextField(label=_("照合情報による確認が著しく困難なやむを得ない事情"), widget=forms.Textarea,
                       max_length=2000)
    instruction_management = TextField(label=_("指示(1) 識別符号及びパスワードの管理に関する事項"),
                                       widget=forms.Textarea, max_length=2000)
    instruction_proper_use = TextField(
        label=_("指示(2) 端末機の操作における識別符号及びパスワードの適正利用に関する事項"), widget=forms.Textarea,
        max_length=2000)
    instructed_on = JDateField(label=_("指示日"))
    start_date = JDateField(label=_("適用開始日"))
    end_date = JDateField(label=_("適用終了日"), required=False)
