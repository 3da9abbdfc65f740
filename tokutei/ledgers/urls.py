from django.urls import path

from . import views

app_name = "ledgers"
urlpatterns = [
    path("", views.index, name="index"),
    path("handling/", views.handling_list, name="handling"),
    path("handling/print/", views.handling_print, name="handling_print"),
    path("handling/export.xlsx", views.handling_export, name="handling_export"),
    path("handling/new/", views.handling_new, name="handling_new"),
    path("handling/<id:pk>/correct/", views.handling_correct, name="handling_correct"),
    path("files/", views.file_register, name="file_register"),
    path("files/print/", views.file_register_print, name="file_register_print"),
    path("files/export.xlsx", views.file_register_export, name="file_register_export"),
    path("files/<id:file_id>/sign-off/", views.file_sign_off, name="file_sign_off"),
    path("registers/<slug:key>/", views.register_list, name="register"),
    path("registers/<slug:key>/print/", views.register_print, name="register_print"),
    path("registers/<slug:key>/export.xlsx", views.register_export, name="register_export"),
    path("registers/<slug:key>/new/", views.register_edit, name="register_new"),
    path("registers/<slug:key>/<id:pk>/correct/", views.register_edit, name="register_correct"),
]
