from django.urls import path

from . import views, views_typed

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
    path("exports/<id:pk>/transmit/", views.export_transmit, name="export_transmit"),
    path("dispatches/", views.dispatch_list, name="dispatches"),
    path("dispatches/<id:pk>/complete/", views.dispatch_complete, name="dispatch_complete"),
    # issue 17: rooms, assets, IDs, and print/Excel of every register
    path("rooms/", views_typed.room_list, name="rooms"),
    path("rooms/<id:pk>/", views_typed.room_detail, name="room"),
    path("assets/", views_typed.asset_list, name="assets"),
    path("assets/<id:pk>/", views_typed.asset_detail, name="asset"),
    path("ids/", views_typed.id_registers, name="ids"),
    path("linkage-ids/", views_typed.linkage_ids, name="linkage_ids"),
    path("print/", views_typed.register_index, name="print_index"),
    path("print/<slug:name>/", views_typed.print_view, name="print"),
    path("export/<slug:name>.xlsx", views_typed.export_view, name="export"),
]
