"""The designation page with its 取扱いの範囲 (002 §4.4, 003 §3.10, E-04): shown to whoever reads the
operator register; set or changed by whom the profile names (``staff.scope_set``, tokutei.staff.scope)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from tokutei.auditlog.actions import Action
from tokutei.core.errors import Refused
from tokutei.policy import decide, get_or_refuse
from tokutei.policy.web import action_required, actor_of
from tokutei.profiles.selectors import get_profile

from .forms import HandlingScopeForm
from .http import SignedInRequest
from .models import RoleAssignment
from .scope import describe, scope_files_for, set_handling_scope


@action_required(Action.STAFF_REGISTER_VIEW)
def designation_scope(request: SignedInRequest, pk: int) -> HttpResponse:
    """GET: the designation and its scope (and the form, for the setter); POST: set the scope."""
    actor = actor_of(request)
    assignment = get_or_refuse(actor, Action.STAFF_REGISTER_VIEW,
                               RoleAssignment.objects.select_related("user", "unit", "designated_by", "scope_set_by"),
                               pk=pk)
    profile = get_profile()
    choices = [(f.pk, f.name) for f in scope_files_for(assignment)]
    may_set = bool(decide(actor, Action.STAFF_SCOPE_SET, assignment))
    initial = {"file_ids": [str(f) for f in assignment.scope_files or []],
               "records": ", ".join(f"{lo}-{hi}" if lo != hi else str(lo) for lo, hi in assignment.scope_records or []),
               "note": assignment.scope_note}
    form = HandlingScopeForm(request.POST if request.method == "POST" else None, files=choices, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            set_handling_scope(actor=actor, assignment=assignment, files=[int(f) for f in data["file_ids"]],
                               records=data["records"], note=data["note"])
        except Refused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "取扱いの範囲を記録しました。")
            return redirect("staff:designation_scope", pk=assignment.pk)
    role = profile.roles.get(assignment.role_key)
    setting = profile.handling_scope
    return render(request, "staff/admin/designation_scope.html", {
        "a": assignment, "role": role.ja if role else assignment.role_key,
        "tasks": "、".join(profile.tasks[t].ja for t in assignment.tasks if t in profile.tasks),
        "scope": describe(assignment, dict(choices)), "form": form,
        "scopable": setting is not None and assignment.role_key in setting.roles,
        "may_set": may_set, "article": setting.article if setting else "",
    })
