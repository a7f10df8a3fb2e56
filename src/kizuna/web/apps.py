from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """The web UI's shell: layout, sign-in, dashboard, global search, error pages, navigation."""

    name = "kizuna.web"
    verbose_name = _("Web UI")
