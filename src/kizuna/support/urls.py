"""Web UI routes of the support app: the ticket queue and ticket pages."""

from django.urls import URLPattern, path

from . import views

app_name = "support"

urlpatterns: list[URLPattern] = [
    path("tickets/", views.ticket_list, name="ticket_list"),
    path("tickets/new/", views.ticket_create, name="ticket_create"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket_detail"),
    path("tickets/<int:pk>/triage/", views.ticket_triage, name="ticket_triage"),
    path("tickets/<int:pk>/reply/", views.ticket_reply, name="ticket_reply"),
    path("tickets/<int:pk>/note/", views.ticket_note, name="ticket_note"),
    path("tickets/<int:pk>/customer-message/", views.ticket_customer_message, name="ticket_customer_message"),
]
