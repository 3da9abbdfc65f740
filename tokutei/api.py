"""The JSON API under /api/v1/ (django-ninja). OpenAPI: /api/v1/openapi.json.

Each app contributes a ``Router`` in its ``api.py`` (with its ``PREFIX``) and names it on its AppConfig
(``api_router``, tokutei.core.hooks); they are mounted here.
"""

from __future__ import annotations

import importlib

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from tokutei.core.errors import Refused
from tokutei.core.hooks import app_hooks

api = NinjaAPI(
    title="Tokutei API",
    version="1",
    description="特定個人情報等 安全管理システム JSON API",
    urls_namespace="api",
    docs_url=None,  # the interactive docs page loads assets from a CDN; only the JSON schema is served
)


@api.exception_handler(Refused)
def _refused(request: HttpRequest, exc: Refused) -> HttpResponse:
    """The same refusal as the pages: 403, or 404 for a record missing or out of scope; the article in
    its machine form (``article``) and as people read it (``citation``)."""
    if not exc.logged:
        from tokutei.auditlog.actions import Action
        from tokutei.auditlog.services import record

        user = getattr(request, "user", None)
        record(action=Action.STAFF_ACCESS, actor=user if user is not None and user.is_authenticated else None,
               terminal=getattr(request, "terminal", None), result="refused", article=exc.article,
               reason=exc.message, details={"code": exc.code, "path": request.path[:200]})
        exc.logged = True
    return api.create_response(
        request, {"detail": exc.display(), "code": exc.code, "article": exc.article, "citation": exc.citation},
        status=exc.status,
    )


for _hook in app_hooks("api_router"):
    api.add_router(f"/{importlib.import_module(_hook.path.rpartition('.')[0]).PREFIX}", _hook.target)
