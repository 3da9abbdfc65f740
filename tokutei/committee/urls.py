from django.urls import path

from . import views

app_name = "committee"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new_meeting, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/print/", views.print_minutes, name="print"),
    path("<int:pk>/attendees/", views.attendee, name="attendee"),
    path("<int:pk>/minutes/", views.minutes, name="minutes"),
    path("<int:pk>/items/", views.action_item, name="action_item"),
    path("items/<int:pk>/close/", views.close_item, name="close_item"),
]
