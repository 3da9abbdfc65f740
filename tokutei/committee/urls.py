from django.urls import path

from . import views

app_name = "committee"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new_meeting, name="new"),
    path("export.xlsx", views.export, name="export"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/print/", views.print_minutes, name="print"),
    path("<id:pk>/attendees/", views.attendee, name="attendee"),
    path("<id:pk>/minutes/", views.minutes, name="minutes"),
    path("<id:pk>/items/", views.action_item, name="action_item"),
    path("items/<id:pk>/close/", views.close_item, name="close_item"),
]
