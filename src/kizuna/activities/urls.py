"""Web UI routes of the activities app: tasks, the week calendar and reminders."""

from django.urls import URLPattern, path

from . import views

app_name = "activities"

urlpatterns: list[URLPattern] = [
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/new/", views.task_create, name="task_create"),
    path("tasks/calendar/", views.task_calendar, name="task_calendar"),
    path("tasks/reminders/", views.task_reminders, name="task_reminders"),
    path("tasks/<int:pk>/", views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/complete/", views.task_complete, name="task_complete"),
    path("tasks/<int:pk>/reopen/", views.task_reopen, name="task_reopen"),
    path("tasks/<int:pk>/dismiss-reminder/", views.task_dismiss_reminder, name="task_dismiss_reminder"),
]
