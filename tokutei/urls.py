from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.urls import include, path, re_path, reverse

from tokutei.api import api
from tokutei.core.views import api_not_found

handler400 = "tokutei.core.views.bad_request"
handler500 = "tokutei.core.views.server_error"
handler404 = "tokutei.core.views.not_found"


def _moved_to_registers(request: HttpRequest, rest: str) -> HttpResponsePermanentRedirect:
    """The registers' pages were under /approvals/ before they had their own app: bookmarks and printed
    links keep working. 308 keeps the method and body, so a form posted to an old address still arrives."""
    prefix = reverse("registers:media").removesuffix("media/")  # "/registers/", under any SCRIPT_NAME
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(prefix + rest + (f"?{query}" if query else ""), preserve_request=True)


urlpatterns = [
    path("", include("tokutei.ops.urls")),
    path("", include("tokutei.core.urls")),
    path("", include("tokutei.staff.urls")),
    path("vault/", include("tokutei.vault.urls")),
    path("log/", include("tokutei.auditlog.urls")),
    path("ledgers/", include("tokutei.ledgers.urls")),
    path("approvals/", include("tokutei.approvals.urls")),
    re_path(r"^approvals/(?P<rest>(?:media|carry-outs|documents|exports)/.*)$", _moved_to_registers),
    path("registers/", include("tokutei.registers.urls")),
    path("retention/", include("tokutei.retention.urls")),
    path("incidents/", include("tokutei.incidents.urls")),
    path("committee/", include("tokutei.committee.urls")),
    path("vendors/", include("tokutei.vendors.urls")),
    path("audits/", include("tokutei.audits.urls")),
    path("pia/", include("tokutei.pia.urls")),
    path("org/", include("tokutei.org.urls")),
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", api_not_found),  # no operation there: a JSON 404, not the HTML page
    path("i18n/", include("django.conf.urls.i18n")),
]
