"""Report screens."""

from django.urls import URLPattern, path

from . import views

app_name = "reports"

urlpatterns: list[URLPattern] = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.report_page, name="report"),
    path("<slug:slug>/csv/", views.report_csv, name="report_csv"),
]
