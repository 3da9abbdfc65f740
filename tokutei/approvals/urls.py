from django.urls import path

from . import views

app_name = "approvals"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new_request, name="new"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/print/", views.print_sheet, name="print"),
    path("<id:pk>/decide/", views.decide, name="decide"),
    path("<id:pk>/withdraw/", views.withdraw, name="withdraw"),
]
