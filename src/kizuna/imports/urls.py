"""Web UI routes of the import wizard (views.py)."""

from .views import app_name, urlpatterns

__all__ = ["app_name", "urlpatterns"]
