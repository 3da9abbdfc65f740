from django.urls import include, path

from tokutei.api import api

urlpatterns = [
    path("", include("tokutei.ops.urls")),
    path("", include("tokutei.core.urls")),
    path("", include("tokutei.staff.urls")),
    path("vault/", include("tokutei.vault.urls")),
    path("log/", include("tokutei.auditlog.urls")),
    path("ledgers/", include("tokutei.ledgers.urls")),
    path("approvals/", include("tokutei.approvals.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
