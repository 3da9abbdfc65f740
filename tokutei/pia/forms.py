"""Typed input of the pia pages."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tokutei.core.fields import JDateField
from tokutei.core.forms import Form


class DisclosureForm(Form):
    my_number = forms.CharField(label=_("本人の個人番号"), max_length=20, strip=True,
                                widget=forms.PasswordInput(attrs={"autocomplete": "off", "inputmode": "numeric"}))
    period_from = JDateField(label=_("期間（から）"))
    period_to = JDateField(label=_("期間（まで）"))
    approval_id = forms.IntegerField(label=_("承認番号"), required=False, min_value=1)

    @staticmethod
    def initial_values() -> dict[str, dt.date]:
        today = timezone.localdate()
        return {"period_from": today.replace(year=today.year - 1), "period_to": today}
