from django.urls import path

from . import views

app_name = "registers"
urlpatterns = [
    path("media/", views.media_list, name="media"),
    path("media/<id:pk>/", views.medium_detail, name="medium"),
    path("carry-outs/", views.carry_out_list, name="carry_outs"),
    path("carry-outs/<id:pk>/", views.carry_out_detail, name="carry_out"),
    path("documents/", views.document_list, name="documents"),
    path("documents/<id:pk>/", views.document_detail, name="document"),
    path("exports/", views.export_list, name="exports"),
    path("exports/<id:pk>/download/", views.export_download, name="export_download"),
    path("exports/<id:pk>/delete/", views.export_delete, name="export_delete"),
]
