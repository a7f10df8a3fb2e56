from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Reports: sales, conversion, customers and repeat purchases, each with a chart, a table and CSV."""

    name = "kizuna.reports"
    label = "reports"
    verbose_name = _("Reports")
