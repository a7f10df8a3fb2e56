from django.contrib import admin
from django.urls import include, path

from kizuna.core import views as core_views
from kizuna.web import views as web_views

admin.site.site_header = "Kizuna 絆"
admin.site.site_title = "Kizuna"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/setlang/", web_views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("", include("kizuna.web.urls")),
    path("", include("kizuna.customers.urls")),
    path("", include("kizuna.sales.urls")),
    path("", include("kizuna.activities.urls")),
    path("", include("kizuna.support.urls")),
    path("reports/", include("kizuna.reports.urls")),
    path("imports/", include("kizuna.imports.urls")),
    path("settings/", include("kizuna.web.settings_urls")),
]
