"""/healthz for a monitoring system: 200 when healthy (ok or warn), 503 when not; JSON, no personal data."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import FAIL, overall, run_checks


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Reads only (the log-writability probe is rolled back). Addresses in TOKUTEI_HEALTH_DETAIL_IPS see
    every check; others the overall status only."""
    checks = run_checks()
    status = overall(checks)
    body: dict = {"status": status}
    if request.META.get("REMOTE_ADDR", "") in settings.HEALTH_DETAIL_IPS:
        body["checks"] = [c.as_dict() for c in checks]
    return JsonResponse(body, status=503 if status == FAIL else 200, json_dumps_params={"ensure_ascii": False})
