from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from kizuna.core import views as core_views

admin.site.site_header = "Kizuna 絆"
admin.site.site_title = "Kizuna"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
