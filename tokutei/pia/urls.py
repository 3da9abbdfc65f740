from django.urls import path

from . import views

app_name = "pia"
urlpatterns = [
    path("", views.index, name="index"),
    path("assess/", views.assess, name="assess"),
    path("rules/", views.rules_page, name="rules"),
    path("files/<id:pk>/", views.detail, name="detail"),
    path("files/<id:pk>/draft/", views.draft, name="draft"),
    path("files/<id:pk>/draft.xlsx", views.draft_xlsx, name="draft_xlsx"),
    path("disclosure/", views.disclosure, name="disclosure"),
]
