"""URLconf of the benchmark server only: the project's URLs plus the lookup endpoint (never mounted in
the application itself)."""

from django.urls import include, path

from .lookup import bench_view

urlpatterns = [
    path("bench/lookup/", bench_view),
    path("", include("tokutei.urls")),
]
