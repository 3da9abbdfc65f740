from django.urls import path

from . import views, views_people

app_name = "audits"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new_engagement, name="new"),
    path("<id:pk>/", views.engagement, name="engagement"),
    path("<id:pk>/print/", views.engagement_print, name="engagement_print"),
    path("<id:pk>/answer/", views.answer, name="answer"),
    path("<id:pk>/report/", views.report, name="report"),
    path("<id:pk>/receive/", views.receive, name="receive"),
    path("findings/", views.findings, name="findings"),
    path("findings/new/", views.new_finding, name="new_finding"),
    path("findings/export/", views.findings_excel, name="findings_excel"),
    path("findings/<id:pk>/", views.finding, name="finding"),
    path("findings/<id:pk>/corrective/", views.corrective, name="corrective"),
    path("findings/<id:pk>/recheck/", views.recheck, name="recheck"),
    path("evidence/", views.evidence_page, name="evidence"),
    path("evidence/print/", views.evidence_print, name="evidence_print"),
    path("evidence/export/", views.evidence_excel, name="evidence_excel"),
    path("review/", views.review_pack, name="review"),
    path("training/", views_people.trainings, name="trainings"),
    path("training/new/", views_people.new_session, name="new_session"),
    path("training/<id:pk>/", views_people.session, name="session"),
    path("training/<id:pk>/attendance/", views_people.attendance, name="attendance"),
    path("training/<id:pk>/certificate/<id:user_id>/", views_people.certificate, name="certificate"),
    path("handover/new/", views_people.handover_form, name="new_handover"),
    path("handover/<id:pk>/", views_people.handover, name="handover"),
    path("handover/<id:pk>/edit/", views_people.handover_form, name="edit_handover"),
    path("handover/<id:pk>/confirm/", views_people.confirm, name="confirm"),
]
