"""The form renderer: built-in widgets through Jinja2, the admin's own widget templates through Django."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.backends.django import Template as DjangoTemplate
from django.template.backends.jinja2 import Template as Jinja2Template

from kizuna.web.renderers import WidgetRenderer


def test_the_project_renders_forms_with_it() -> None:
    assert settings.FORM_RENDERER == "kizuna.web.renderers.WidgetRenderer"


def test_builtin_widgets_come_from_jinja2_and_admin_wrappers_from_django() -> None:
    renderer = WidgetRenderer()
    assert isinstance(renderer.get_template("django/forms/widgets/select.html"), Jinja2Template)
    assert isinstance(renderer.get_template("admin/widgets/related_widget_wrapper.html"), DjangoTemplate)


def test_a_select_renders_the_same_html_as_with_the_django_engine() -> None:
    from django.forms.renderers import DjangoTemplates

    class Form(forms.Form):
        owner = forms.ChoiceField(choices=[("1", "山田 <太郎>"), ("2", "佐藤")], initial="2")
        note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    fast = Form(renderer=WidgetRenderer())
    slow = Form(renderer=DjangoTemplates())
    for name in ("owner", "note"):
        assert " ".join(str(fast[name]).split()) == " ".join(str(slow[name]).split())
    assert "山田 &lt;太郎&gt;" in str(fast["owner"]) and '<option value="2" selected>' in str(fast["owner"])
