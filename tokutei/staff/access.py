"""The guard for personal-data screens and API calls: a registered terminal and a designated handler.

To be removed when the vault views use ``action_required`` (issue 11): both names are now the one
policy's ``STAFF_ACCESS`` rule (tokutei/staff/rules.py), kept so that their callers keep working.

    from tokutei.staff.access import personal_data_view, require_personal_data_access

    @personal_data_view
    def person_detail(request, pk): ...          # HTML: refused → the one refusal page (RefusalMiddleware)

    def api_person(request, pk):                  # JSON: tokutei/api.py answers the same status
        require_personal_data_access(request)

A refusal is logged once as ``staff.access`` (result refused) with the article from the profile: the
terminal rule's ``authentication.article`` (002 §31, 004 §14(7), E-16), else the handler roles' articles
(E-01).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from tokutei.auditlog.actions import Action
from tokutei.policy import Actor, require
from tokutei.policy.web import action_required


def require_personal_data_access(request: HttpRequest) -> Actor:
    """Raise a logged Refused unless the request comes from a registered terminal (when the profile
    requires it) and the signed-in user holds a handler role today (designation in force, not revoked).
    Returns the Actor the decision was for."""
    actor = Actor.from_request(request)
    require(actor, Action.STAFF_ACCESS, details={"path": request.path[:200]})
    return actor


def personal_data_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """View decorator: sign-in required, then the ``STAFF_ACCESS`` rule; a refusal raises ``Refused``,
    which RefusalMiddleware renders as the one refusal page."""
    return action_required(Action.STAFF_ACCESS)(view)
