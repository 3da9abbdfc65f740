"""Forms of the log pages: dates accept 西暦 and 和暦 (jdates.parse_date)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tokutei.core.fields import TextField
from tokutei.core.forms import Form
from tokutei.core.jdates import parse_date

from .actions import Action
from .models import Entry
from .selectors import Filters


class JDateField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_date(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


DOMAIN_JA = {
    "vault": _("特定個人情報等の取扱い"), "bulk": _("一括取込"), "staff": _("職員・端末・サインイン"),
    "approvals": _("承認"), "media": _("記録媒体"), "document": _("書類"), "ledgers": _("記録・台帳"),
    "log": _("操作履歴"), "system": _("システム"), "asset": _("情報資産"), "audits": _("監査"),
    "committee": _("委員会"), "dispatch": _("回付・進達"), "disposal": _("廃棄"), "ids": _("ID"),
    "incidents": _("事故等の報告"), "org": _("組織"), "pia": _("特定個人情報保護評価"), "registers": _("台帳"),
    "retention": _("保存期間"), "room": _("室・区域"), "vendors": _("委託先"),
}


def action_choices() -> list:
    """The registered operations by name, grouped by domain; a domain as a whole (``vault.``) first."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for action in Action:
        groups.setdefault(action.domain, []).append((action.value, action.label))
    choices: list = [("", _("すべて"))]
    for domain, members in groups.items():
        name = DOMAIN_JA.get(domain, domain)
        choices.append((str(name), [(f"{domain}.", _("%(name)s（すべて）") % {"name": name}), *members]))
    return choices


class KeptChoiceField(forms.ChoiceField):
    """A list of the known values that still takes a value given in the address and not in the list — a
    link from a report, an old bookmark, a user since removed or a terminal since revoked: it is searched
    as given and shown as itself, so no link to the log stops working."""

    def valid_value(self, value: str) -> bool:
        return True

    def keep(self, value: str) -> None:
        if value and not super().valid_value(value):
            known: Any = self.choices
            self.choices = [*known, (value, value)]


def _all(rest: list) -> list:
    return [("", _("すべて")), *rest]


def user_choices(staff: list[int] | None) -> list[tuple[str, str]]:
    """Staff by name and user ID, in kana order: 「山田 花子（yamada）」; the inactive ones last, marked."""
    from tokutei.staff.models import User

    users = User.objects.all() if staff is None else User.objects.filter(pk__in=staff)
    rows = users.order_by("deactivated_at", "full_name_kana", "username").values_list(
        "username", "full_name", "deactivated_at")
    return [(username, (f"{full}（{username}）" if full else username)
             + (str(_("（無効）")) if off else "")) for username, full, off in rows]


def purpose_choices() -> list[tuple[str, str]]:
    """The profile's tasks by their names (the log keeps the key)."""
    from tokutei.core.i18n import label
    from tokutei.profiles.selectors import get_profile

    return [(key, label(task)) for key, task in get_profile().tasks.items()]


def terminal_choices() -> list[tuple[str, str]]:
    """Registered terminals by name (the log keeps the name the terminal had), revoked ones marked."""
    from tokutei.staff.models import Terminal

    rows = Terminal.objects.order_by("revoked_at", "name").values_list("name", "location", "revoked_at")
    return [(name, name + (f"（{where}）" if where else "") + (str(_("（取消済）")) if off else ""))
            for name, where, off in rows]


def target_choices() -> list[tuple[str, str]]:
    from .targets import KINDS

    return sorted(((key, str(text)) for key, text in KINDS.items()), key=lambda kv: kv[1])


class SearchForm(Form):
    """The log search: every condition but the dates and the target's number is chosen from a list.

    The address keeps the codes the log stores (``user=yamada&purpose=payroll&terminal=窓口端末1``), so
    links from reports, audits and bookmarks go on working; the page shows their names.
    """

    date_from = JDateField(label=_("開始日"), required=False)
    date_to = JDateField(label=_("終了日"), required=False)
    user = KeptChoiceField(label=_("職員（ユーザID）"), required=False)
    action = forms.ChoiceField(label=_("操作"), required=False, choices=action_choices)
    result = forms.ChoiceField(label=_("結果"), required=False,
                               choices=[("", _("すべて")), *Entry.Result.choices])
    purpose = KeptChoiceField(label=_("利用目的（事務）"), required=False)
    target_type = KeptChoiceField(label=_("対象種別"), required=False)
    target_id = TextField(label=_("対象の番号"), required=False, max_length=80)
    terminal = KeptChoiceField(label=_("端末"), required=False)

    def __init__(self, *args: Any, staff: list[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["user"].choices = _all(user_choices(staff))
        fields["purpose"].choices = _all(purpose_choices())
        fields["terminal"].choices = _all(terminal_choices())
        fields["target_type"].choices = _all(target_choices())
        if self.is_bound:
            for name in ("user", "purpose", "terminal", "target_type"):
                value = self.data.get(name)
                if isinstance(value, str) and len(value) <= 150:
                    fields[name].keep(value)

    def clean(self):
        data = super().clean()
        assert data is not None  # Form.clean() returns cleaned_data
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            raise forms.ValidationError(_("終了日は開始日以降にしてください"))
        return data

    def criteria(self) -> list[tuple[str, str]]:
        """The conditions searched, as a reader of the printout reads them: (label, value) — labels of
        choices (「個人番号の表示」), never their codes; 和暦 dates."""
        from tokutei.core import jdates

        shown: list[tuple[str, str]] = []
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            if value in (None, ""):
                continue
            if isinstance(field, forms.ChoiceField):
                flat: dict[Any, Any] = {}
                choices: Any = field.choices
                for key, text in choices:  # grouped choices: (group label, [(key, text), …])
                    flat.update(text if isinstance(text, (list, tuple)) else {key: text})
                value = flat.get(value, value)
            elif isinstance(value, dt.date):
                value = jdates.to_wareki(value)
            shown.append((str(field.label), str(value)))
        return shown

    def filters(self) -> Filters:
        data = self.cleaned_data
        values: dict[str, Any] = {
            name: data.get(name) or ("" if name not in ("date_from", "date_to") else None)
            for name in Filters.__dataclass_fields__}
        return Filters(**values)


class PeriodForm(Form):
    date_from = JDateField(label=_("開始日"), required=False)
    date_to = JDateField(label=_("終了日"), required=False)

    def period(self) -> tuple[dt.date, dt.date]:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        day_to = data.get("date_to") or today
        day_from = data.get("date_from") or day_to - dt.timedelta(days=29)
        if day_from > day_to:
            day_from, day_to = day_to, day_from
        return day_from, day_to


class ReviewForm(Form):
    period_from = JDateField(label=_("点検対象期間（開始）"))
    period_to = JDateField(label=_("点検対象期間（終了）"))
    findings = TextField(label=_("点検結果・所見"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000)
    issues_found = forms.BooleanField(label=_("要対応の事項あり"), required=False)

    def clean(self):
        data = super().clean()
        assert data is not None  # Form.clean() returns cleaned_data
        start, end = data.get("period_from"), data.get("period_to")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("終了日は開始日以降にしてください"))
            if end > timezone.localdate():
                raise forms.ValidationError(_("未来の期間は点検できません"))
        return data
