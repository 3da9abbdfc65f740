from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("", views.chart, name="chart"),
    path("versions/", views.versions, name="versions"),
    path("duties/", views.my_duties, name="duties"),
    path("duties/<slug:key>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("acknowledgements/", views.register, name="register"),
    path("acknowledgements/print/", views.register_print, name="register_print"),
    path("acknowledgements/export.xlsx", views.register_export, name="register_export"),
    path("acknowledgements/paper/", views.paper, name="paper"),
    path("discipline/", views.discipline, name="discipline"),
    path("discipline/<id:pk>/", views.measure, name="measure"),
]
