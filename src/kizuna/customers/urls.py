"""Web UI routes of the customers app: lists (views/lists.py) and record pages (views/detail.py)."""

from django.urls import URLPattern

from .views import detail, lists

app_name = "customers"

urlpatterns: list[URLPattern] = [*lists.urlpatterns, *detail.urlpatterns]
