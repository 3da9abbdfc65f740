from django.urls import path

from . import views

app_name = "vault"
urlpatterns = [
    path("", views.files, name="files"),
    path("purpose/", views.choose_purpose, name="purpose"),
    path("files/new/", views.file_create, name="file_create"),
    path("files/<id:file_pk>/intake/", views.intake, name="intake"),
    path("search/", views.search, name="search"),
    path("queue/", views.queue, name="queue"),
    path("deletions/", views.deletions, name="deletions"),
    path("people/<id:pk>/", views.person, name="person"),
    path("people/<id:pk>/confirm/", views.confirm, name="confirm"),
    path("people/<id:pk>/correct/", views.correct, name="correct"),
    path("people/<id:pk>/delete/", views.delete, name="delete"),
]
