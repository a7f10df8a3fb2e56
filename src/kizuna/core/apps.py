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

        from django.db.models.signals import post_migrate

        # After the whole migrate (core's signal is sent once all apps are migrated): a search index
        # part SQLite dropped while rebuilding a table for a schema change is re-created.
        post_migrate.connect(_ensure_search_indexes, sender=self, dispatch_uid="kizuna.search_indexes")


def _ensure_search_indexes(sender: AppConfig, using: str = "default", **kwargs: object) -> None:
    from .search import ensure_search_indexes

    ensure_search_indexes(using)
