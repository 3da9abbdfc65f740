"""The dashboard, the shell pages and the one shape of a form's POST (:func:`post_form`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Model, QuerySet
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tokutei.profiles.selectors import active_profile_row, get_profile, pending_rows
from tokutei.staff.http import SignedInRequest
from tokutei.staff.selectors import active_assignments

from .forms import flash_errors
from .i18n import label
from .navigation import dashboard_cards

T = TypeVar("T")
M = TypeVar("M", bound=Model)


@login_required
def dashboard(request: SignedInRequest) -> HttpResponse:
    """A dashboard per role: each app adds the cards that the user's roles call for."""
    profile = get_profile()
    assignments = list(active_assignments(request.user))
    roles = [
        {"key": a.role_key, "ja": label(profile.roles[a.role_key]) if a.role_key in profile.roles else a.role_key,
         "tasks": [label(profile.tasks[t]) for t in a.tasks if t in profile.tasks], "end_date": a.end_date}
        for a in assignments
    ]
    from tokutei.ops.nav import health_banner

    return render(
        request, "core/dashboard.html",
        {"roles": roles, "cards": dashboard_cards(request), "health_banner": health_banner(request)},
    )


@login_required
def active_profile(request: SignedInRequest) -> HttpResponse:
    """適用中の規程: the organisation's profile in force — the regulation, roles, tasks with their fields,
    the approvals and the rules the system applies, each with its article as the regulation reads."""
    profile = get_profile()
    fields = {k: f.ja for k, f in profile.fields.items()}
    roles = [{"ja": r.ja, "designated_by": [profile.roles[k].ja for k in r.designated_by if k in profile.roles],
              "handler": k in profile.handler_roles()} for k, r in profile.roles.items()]
    tasks = [{"ja": t.ja, "law": t.law, "fields": [fields.get(f, f) for f in t.fields], "article": t.article}
             for t in profile.selectable_tasks().values()]
    approvals = [{"ja": r.ja, "steps": ["又は".join(profile.roles[k].ja if k in profile.roles else k for k in s.roles)
                                         for s in r.steps], "article": r.article}
                 for r in profile.approvals.values() if r.enabled]
    auth = profile.authentication
    log = profile.retention.operation_log
    rules = [
        (_("無操作時の自動サインアウト"), _("%(n)s 分") % {"n": auth.idle_logoff_minutes}, auth.article),
        (_("大量の取扱いの基準"), _("%(n)s 件を超えると事前の承認が必要") % {"n": profile.bulk.threshold}
         if profile.bulk.threshold is not None else _("定めなし"), profile.bulk.article),
        (_("入力内容の確認"), _("入力者と別の職員が確認する") if profile.intake.second_person_confirmation
         else _("定めなし"), profile.intake.article),
        (_("操作履歴の保存期間"), log.label() if log is not None else _("定めなし"), ""),
    ]
    return render(request, "core/profile.html", {
        "profile": profile, "roles": roles, "tasks": tasks, "approvals": approvals, "rules": rules,
        "row": active_profile_row(), "pending": pending_rows()})


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def api_not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """An address under /api/ that no operation answers: JSON, like every answer of the API."""
    from tokutei.api import json_error

    return json_error(404)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: JSON under /api/ (an API client never gets an HTML page), Django's page elsewhere."""
    if _is_api(request):
        from tokutei.api import json_error

        return json_error(500)
    from django.views.defaults import server_error as default

    return default(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the layout's Japanese 403 page (Django's is English), saying what to do."""
    if _is_api(request):
        from tokutei.api import json_error

        return json_error(403)
    return render(request, "403.html", {"csrf": True}, status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400 (e.g. a request that cannot be decoded): JSON under /api/."""
    if _is_api(request):
        from tokutei.api import json_error

        return json_error(400)
    from django.views.defaults import bad_request as default

    return default(request, exception or Exception())


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: an address no page answers — an id beyond any record's range included. For a signed-in
    user it is the same logged refusal as a record out of scope (one can not tell the two apart); JSON under
    /api/; Django's page for a visitor who is not signed in."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        if _is_api(request):
            from tokutei.api import json_error

            return json_error(404)
        from django.views.defaults import page_not_found

        return page_not_found(request, exception or Exception())
    from tokutei.auditlog.actions import Action
    from tokutei.auditlog.services import refuse
    from tokutei.core.errors import NOT_FOUND_MESSAGE, NotFoundOrForbidden
    from tokutei.core.text import log_text
    from tokutei.policy.engine import general_article
    from tokutei.policy.web import render_refusal

    logged = refuse(NOT_FOUND_MESSAGE, action=Action.STAFF_ACCESS, article=general_article(), code="not_found",
                    actor=user, terminal=getattr(request, "terminal", None),
                    details={"path": log_text(request.path, 200)})
    exc = NotFoundOrForbidden(logged.article, logged=True)  # 404, exactly like a record out of reach
    if _is_api(request):
        from tokutei.api import json_error

        return json_error(404)
    return render_refusal(request, exc)


def post_form(
    request: HttpRequest, *, call: Callable[[dict[str, Any]], T], back: str,
    record: tuple[Any, QuerySet[M], int] | None = None, form: BaseForm | Callable[[M], BaseForm] | None = None,
    message: str | Callable[[dict[str, Any]], str] = "", done: Callable[[T], str] | None = None,
) -> HttpResponse:
    """The one shape of a POST that changes a record: load it (``record`` = (action, queryset, pk); a missing
    or foreign id answers 404 through the policy, before the form is read), validate ``form`` (its errors
    become messages on ``back``), ``call`` the service with the cleaned data, say ``message`` (a text, or a
    function of the cleaned data), redirect to
    ``done(result)`` or ``back``. A refusal raised by the service leaves as ``Refused`` (the refusal page).

    ``form`` may be a function of the loaded record (a form whose choices depend on it).
    """
    from tokutei.policy import get_or_refuse
    from tokutei.policy.web import actor_of

    obj = get_or_refuse(actor_of(request), record[0], record[1], pk=record[2]) if record is not None else None
    data: dict[str, Any] = {}
    if form is not None:
        bound = form if isinstance(form, BaseForm) else form(obj)  # type: ignore[arg-type]
        if not bound.is_valid():
            flash_errors(request, bound)
            return redirect(back)
        data = bound.cleaned_data
    result = call(data)
    text = message(data) if callable(message) else message
    if text:
        messages.success(request, text)
    return redirect(done(result) if done is not None else back)
