from django.urls import path

from . import views

app_name = "auditlog"
urlpatterns = [
    path("", views.search, name="search"),
    path("entries/<id:seq>/", views.entry, name="entry"),
    path("analysis/", views.analysis, name="analysis"),
    path("reviews/", views.reviews, name="reviews"),
    path("integrity/", views.integrity, name="integrity"),
    path("checkpoints/<id:pk>/print/", views.checkpoint_print, name="checkpoint_print"),
    path("public-key.pem", views.public_key, name="public_key"),
]
