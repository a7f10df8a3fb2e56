from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kizuna.core"
    label = "core"
    verbose_name = _("Kizuna core")

    def ready(self) -> None:
        # Each app declares its error codes in error_codes.py; importing them fills the catalog.
        from django.utils.module_loading import autodiscover_modules

        from . import checks  # noqa: F401  (registers system checks)

        autodiscover_modules("error_codes")
