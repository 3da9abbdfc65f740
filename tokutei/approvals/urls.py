from django.urls import path

from . import views

app_name = "approvals"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new_request, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("media/", views.media_list, name="media"),
    path("media/<int:pk>/", views.medium_detail, name="medium"),
    path("carry-outs/", views.carry_out_list, name="carry_outs"),
    path("carry-outs/<int:pk>/", views.carry_out_detail, name="carry_out"),
    path("documents/", views.document_list, name="documents"),
    path("documents/<int:pk>/", views.document_detail, name="document"),
    path("exports/", views.export_list, name="exports"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("exports/<int:pk>/delete/", views.export_delete, name="export_delete"),
]
