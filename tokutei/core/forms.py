"""Form helpers shared by the apps."""

from __future__ import annotations

from typing import TypeVar

from django import forms

_F = TypeVar("_F", bound=forms.Field)


def form_field(form: forms.BaseForm, name: str, kind: type[_F]) -> _F:
    """``form.fields[name]`` as the field class it is declared with, to set its ``choices`` or
    ``queryset`` in ``__init__`` (``fields`` holds plain ``Field``s as far as the type checker knows)."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{type(form).__name__}.{name} is a {type(field).__name__}, not a {kind.__name__}")
    return field


def flash_errors(request, form) -> None:
    """Each error of a refused form as a message on the page the view redirects to."""
    from django.contrib import messages

    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


class RefusalNoting:
    """A bound form that refuses its input notes why, field by field (the field's name and the error's code,
    never the value), so that the request's refusal is logged once like the field types' own
    (tokutei.core.fields.note_refusal, InputRefusalMiddleware). Every form of the project has it: use
    :class:`Form` and :class:`ModelForm` below, never Django's directly (tests/rules checks)."""

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        errors = getattr(self, "_errors", None)
        if getattr(self, "is_bound", False) and errors:
            from .fields import note_refusal

            for name, items in errors.as_data().items():
                for error in items:
                    note_refusal(f"form:{type(self).__name__}.{name or '__all__'}:{error.code or 'invalid'}")


class Form(RefusalNoting, forms.Form):
    required_css_class = "required"  # a required field's label is marked (app.css: label.required)


class ModelForm(RefusalNoting, forms.ModelForm):
    required_css_class = "required"
