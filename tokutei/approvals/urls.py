from django.urls import path

from . import views

app_name = "approvals"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new_request, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
]
