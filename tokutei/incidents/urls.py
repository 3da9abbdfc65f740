from django.urls import path

from . import views

app_name = "incidents"
urlpatterns = [
    path("", views.index, name="index"),
    path("report/", views.report, name="report"),
    path("export.xlsx", views.export, name="export"),
    path("absences/", views.absences, name="absences"),
    path("absences/<id:pk>/cancel/", views.cancel_absence, name="cancel_absence"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/timeline/", views.timeline, name="timeline"),
    path("<id:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("<id:pk>/serious/", views.serious, name="serious"),
    path("<id:pk>/ppc/", views.ppc, name="ppc"),
    path("<id:pk>/ppc/submission/", views.submission, name="submission"),
    path("<id:pk>/ppc/print/", views.ppc_print, name="ppc_print"),
    path("<id:pk>/notices/", views.notice, name="notice"),
    path("<id:pk>/measures/", views.measure, name="measure"),
    path("<id:pk>/log/", views.records_log, name="records_log"),
]
