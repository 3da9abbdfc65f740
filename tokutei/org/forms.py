"""Forms of the organisation records (tokutei.core.forms: each refused field is noted in the refusal entry)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tokutei.core.fields import JDateField
from tokutei.core.forms import Form


class PaperAckForm(Form):
    user = forms.ChoiceField(label=_("職員"))
    duty = forms.ChoiceField(label=_("義務"))
    signed_on = JDateField(label=_("署名日"))

    def __init__(self, *args, users=(), duties=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = list(users)  # type: ignore[attr-defined]
        self.fields["duty"].choices = list(duties)  # type: ignore[attr-defined]


class MeasureForm(Form):
    user = forms.ChoiceField(label=_("職員"))
    kind = forms.ChoiceField(label=_("措置"))
    ground = forms.ChoiceField(label=_("違反した義務"))
    decided_on = JDateField(label=_("決定日"))
    description = forms.CharField(label=_("内容"), max_length=5000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, users=(), kinds=(), grounds=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = list(users)  # type: ignore[attr-defined]
        self.fields["kind"].choices = list(kinds)  # type: ignore[attr-defined]
        self.fields["ground"].choices = list(grounds)  # type: ignore[attr-defined]


class VersionOnForm(Form):
    """The day whose version in force is asked for (和暦 or 西暦)."""

    on = JDateField(label=_("日付"), required=False)
