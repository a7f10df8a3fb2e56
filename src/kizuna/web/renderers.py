"""The form renderer: Django's widget templates in their Jinja2 version, the Django engine as fallback.

Rendering a widget through the Django template engine costs 0.1–0.2 ms (a select with 15 options:
3 ms), several milliseconds of every record page. Django ships each built-in widget template for
Jinja2 too, rendered three to eight times faster. Templates only the Django engine has (the admin's
widget wrappers) are rendered by it.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class WidgetRenderer(BaseRenderer):
    @cached_property
    def _jinja2(self) -> Jinja2:
        return Jinja2()

    @cached_property
    def _django(self) -> DjangoTemplates:
        return DjangoTemplates()

    def get_template(self, template_name: str) -> Any:
        try:
            return self._jinja2.get_template(template_name)
        except TemplateDoesNotExist:
            return self._django.get_template(template_name)
