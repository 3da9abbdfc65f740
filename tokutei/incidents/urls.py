from django.urls import path

from . import views

app_name = "incidents"
urlpatterns = [
    path("", views.index, name="index"),
    path("report/", views.report, name="report"),
    path("export.xlsx", views.export, name="export"),
    path("absences/", views.absences, name="absences"),
    path("absences/<int:pk>/cancel/", views.cancel_absence, name="cancel_absence"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/timeline/", views.timeline, name="timeline"),
    path("<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("<int:pk>/serious/", views.serious, name="serious"),
    path("<int:pk>/ppc/", views.ppc, name="ppc"),
    path("<int:pk>/ppc/submission/", views.submission, name="submission"),
    path("<int:pk>/ppc/print/", views.ppc_print, name="ppc_print"),
    path("<int:pk>/notices/", views.notice, name="notice"),
]
