"""Web UI routes of the sales app: deals (board, list, record page, new) and the forecast."""

from django.urls import URLPattern, path

from . import views

app_name = "sales"

urlpatterns: list[URLPattern] = [
    path("deals/", views.deal_board, name="deal_board"),
    path("deals/list/", views.deal_list, name="deal_list"),
    path("deals/new/", views.deal_create, name="deal_create"),
    path("deals/lookup/", views.customer_lookup, name="customer_lookup"),
    path("deals/<int:pk>/", views.deal_detail, name="deal_detail"),
    path("deals/<int:pk>/edit/", views.deal_edit, name="deal_edit"),
    path("deals/<int:pk>/move/", views.deal_move, name="deal_move"),
    path("forecast/", views.forecast_page, name="forecast"),
]
