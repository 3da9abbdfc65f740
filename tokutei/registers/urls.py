from django.urls import path

from . import views

app_name = "registers"
urlpatterns = [
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
