from django.urls import path

from . import views

app_name = "vendors"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new_vendor, name="new"),
    path("export.xlsx", views.register_export, name="export"),
    path("dispatch/", views.dispatch, name="dispatch"),
    path("dispatch/<id:pk>/confirm/", views.confirm_dispatch, name="confirm_dispatch"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/qualify/", views.qualify, name="qualify"),
    path("<id:pk>/supervise/", views.supervise, name="supervise"),
    path("<id:pk>/evaluations/new/", views.new_evaluation, name="new_evaluation"),
    path("<id:pk>/contracts/new/", views.new_contract, name="new_contract"),
    path("evaluations/<id:pk>/", views.evaluation, name="evaluation"),
    path("evaluations/<id:pk>/grade/", views.grade, name="grade"),
    path("evaluations/<id:pk>/print/", views.evaluation_print, name="evaluation_print"),
    path("evaluations/<id:pk>/export.xlsx", views.evaluation_export, name="evaluation_export"),
    path("evaluations/items/<id:pk>/close/", views.close_improvement, name="close_improvement"),
    path("contracts/<id:pk>/", views.contract, name="contract"),
    path("contracts/<id:pk>/clauses/", views.confirm_clause, name="clause"),
    path("contracts/<id:pk>/activate/", views.activate, name="activate"),
    path("contracts/<id:pk>/memorandum/", views.memorandum, name="memorandum"),
    path("contracts/<id:pk>/subcontractors/", views.subcontractor, name="subcontractor"),
    path("contracts/<id:pk>/end/", views.end, name="end"),
    path("contracts/<id:pk>/return/", views.return_done, name="return"),
    path("contracts/<id:pk>/hand-over/", views.hand_over, name="hand_over"),
]
