"""Administrator settings screens: users, teams, roles, pipelines and stages, custom fields, tags."""

from django.urls import URLPattern, path

from . import settings_views as views

app_name = "settings"

urlpatterns: list[URLPattern] = [
    path("", views.index, name="index"),
    path("users/", views.users, name="users"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/active/", views.user_active, name="user_active"),
    path("teams/", views.teams, name="teams"),
    path("teams/<int:pk>/", views.team_rename, name="team_rename"),
    path("roles/", views.roles, name="roles"),
    path("pipelines/", views.pipelines, name="pipelines"),
    path("pipelines/<int:pk>/", views.pipeline_detail, name="pipeline_detail"),
    path("pipelines/<int:pk>/stages/", views.stage_add, name="stage_add"),
    path("pipelines/<int:pk>/stages/order/", views.stage_order, name="stage_order"),
    path("stages/<int:pk>/", views.stage_update, name="stage_update"),
    path("stages/<int:pk>/move/", views.stage_move, name="stage_move"),
    path("stages/<int:pk>/delete/", views.stage_delete, name="stage_delete"),
    path("custom-fields/", views.custom_fields, name="custom_fields"),
    path("tags/", views.tags, name="tags"),
    path("tags/<int:pk>/", views.tag_update, name="tag_update"),
    path("tags/<int:pk>/delete/", views.tag_delete, name="tag_delete"),
]
