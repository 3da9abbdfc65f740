"""Every refusal is logged (standards): a form of the project that refuses its input notes why, so the
request's refusal is logged once with the field and the rule — never the value. Each form therefore derives
from tokutei.core.forms.Form / ModelForm, not from Django's directly."""

from __future__ import annotations

import importlib
import pkgutil

from django import forms

import tokutei
from tokutei.core.forms import RefusalNoting


def _project_forms() -> list[type]:
    for info in pkgutil.walk_packages(tokutei.__path__, "tokutei."):
        if info.name.endswith(".forms") or ".forms." in info.name or info.name.endswith(".views"):
            importlib.import_module(info.name)
    found, todo = [], [forms.BaseForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("tokutei.") and sub.__module__ != "tokutei.core.forms":
                found.append(sub)
    return found


def test_every_form_of_the_project_notes_its_refusals():
    found = _project_forms()
    assert len(found) > 30  # the walk found the apps' forms
    plain = sorted(f"{f.__module__}.{f.__qualname__}" for f in found if not issubclass(f, RefusalNoting))
    assert not plain, "derive these from tokutei.core.forms.Form / ModelForm: " + ", ".join(plain)


def test_a_form_refused_on_the_page_is_logged_with_the_field_and_never_the_value(activate, make_user, client):
    from tokutei.auditlog.models import Entry
    from tokutei.incidents.models import Incident

    activate("inabe")
    client.force_login(make_user("tanto", "handler"))
    secret = "とても長い説明" * 400  # past the field's 2,000 characters
    response = client.post("/incidents/report/", {"category": "leak", "summary": secret,
                                                   "found_at": "2026-01-05T09:30", "found_by": "窓口"})
    assert response.status_code == 200 and not Incident.objects.exists()
    refusal = Entry.objects.get(result="refused", details__code="invalid_input")
    assert "form:ReportForm.summary:max_length" in refusal.details["rules"]
    assert "とても長い説明" not in str(refusal.details) and refusal.actor_username == "tanto"
