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
