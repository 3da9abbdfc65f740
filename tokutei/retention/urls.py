from django.urls import path

from . import views

app_name = "retention"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("print/", views.worklist_print, name="worklist_print"),
    path("export/", views.worklist_export, name="worklist_export"),
    path("explain/<slug:record_class>/<str:record_id>/", views.explain, name="explain"),
    path("payments/", views.payments, name="payments"),
    path("holds/", views.holds, name="holds"),
    path("holds/<int:pk>/release/", views.hold_release, name="hold_release"),
    path("disposals/", views.disposals, name="disposals"),
    path("disposals/new/", views.draft, name="draft"),
    path("disposals/<int:pk>/", views.disposal, name="disposal"),
    path("disposals/<int:pk>/certificate/", views.certificate, name="certificate"),
    path("disposals/<int:pk>/<slug:step>/", views.disposal_step, name="disposal_step"),
]
