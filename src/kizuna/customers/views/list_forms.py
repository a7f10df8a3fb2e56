"""Forms of the contact and company list screens: filters (the list's state), saved views, create pages.

The filter form parses the query string into :class:`ListState`: what the selector gets (search,
whitelisted filters, sort), the visible columns, the page, and the canonical query string that
links, saved views and exports reuse. Create forms only parse; the services validate.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.db.models import QuerySet
from django.forms.utils import flatatt
from django.urls import reverse_lazy
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from kizuna.core.normalize.prefecture import prefecture_choices

from ..exports import Column
from ..models import (
    CompanySize,
    ConsentState,
    CustomFieldDefinition,
    CustomFieldType,
    LifecycleStatus,
)

Choices = list[tuple[Any, str]]


class FastSelect(forms.Select):
    """A select rendered in Python: Django's per-option templates cost a lot for 47 prefectures and
    every user on each keystroke of the search box."""

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        final = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        chosen = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, mark_safe(" selected") if str(key) in chosen else "", label)
                for key, label in self.choices
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(final), options)


ANY: Choices = [("", "—")]
TEXT_CUSTOM_TYPES = {CustomFieldType.TEXT, CustomFieldType.EMAIL, CustomFieldType.PHONE, CustomFieldType.URL}


@dataclass(frozen=True)
class ListChoices:
    """Options of the select boxes, read once per request (owners double as "assign owner" targets)."""

    owners: Choices
    teams: Choices
    tags: Choices


@dataclass
class ListState:
    """One list screen's state: what to ask the selector for and how to link back to it."""

    search: str = ""
    filters: dict[str, Any] = field(default_factory=dict)
    sort: str = ""
    columns: list[Column] = field(default_factory=list)
    page: int = 1
    view_id: int | None = None
    params: dict[str, Any] = field(default_factory=dict)  # canonical query, without page and view

    @property
    def filtered(self) -> bool:
        return bool(self.search or self.filters)

    @property
    def column_keys(self) -> list[str]:
        return [c.key for c in self.columns]

    def query(self, **changes: Any) -> str:
        """The query string of this state with ``changes`` (``sort="-name"``, ``page=2``); page 1 omitted."""
        params = {**self.params, "view": self.view_id, **changes}
        if params.get("page") == 1:
            del params["page"]
        return urlencode({k: v for k, v in params.items() if v not in (None, "", [])}, doseq=True)


def _custom_filter_field(definition: CustomFieldDefinition, language: str) -> forms.Field:
    label = definition.label(language)
    kind = definition.field_type
    if kind in (CustomFieldType.CHOICE, CustomFieldType.MULTI_CHOICE):
        values = [str(c["value"]) if isinstance(c, dict) else str(c) for c in definition.choices]
        return forms.ChoiceField(
            label=label, required=False, choices=ANY + [(v, v) for v in values], widget=FastSelect
        )
    if kind == CustomFieldType.BOOLEAN:
        return forms.TypedChoiceField(
            label=label,
            required=False,
            coerce=lambda v: v == "true",
            empty_value=None,
            choices=ANY + [("true", _("Yes")), ("false", _("No"))],
            widget=FastSelect,
        )
    if kind == CustomFieldType.NUMBER:
        return forms.FloatField(label=label, required=False)
    if kind == CustomFieldType.DATE:
        return forms.DateField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}))
    return forms.CharField(label=label, required=False, max_length=200)


def _custom_filter(definition: CustomFieldDefinition, value: Any) -> tuple[str, Any]:
    """The selector filter for one custom field: text contains, list has, otherwise equal."""
    name = f"custom.{definition.key}"
    if definition.field_type in TEXT_CUSTOM_TYPES:
        return f"{name}__icontains", value
    if definition.field_type == CustomFieldType.MULTI_CHOICE:
        return f"{name}__has", value
    if definition.field_type == CustomFieldType.DATE:
        return name, value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return name, int(value)
    return name, value


class ListFilterForm(forms.Form):
    """The list's query string. Invalid values are shown next to their filter and left out of the query."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    owner = forms.TypedChoiceField(
        label=_("Owner"), required=False, coerce=int, empty_value=None, widget=FastSelect
    )
    team = forms.TypedChoiceField(
        label=_("Team"), required=False, coerce=int, empty_value=None, widget=FastSelect
    )
    lifecycle_status = forms.ChoiceField(
        label=_("Status"), required=False, choices=ANY + list(LifecycleStatus.choices), widget=FastSelect
    )
    prefecture = forms.ChoiceField(
        label=_("Prefecture"), required=False, choices=ANY + prefecture_choices(), widget=FastSelect
    )
    tag = forms.TypedChoiceField(
        label=_("Tag"), required=False, coerce=int, empty_value=None, widget=FastSelect
    )
    source = forms.CharField(label=_("Source"), required=False, max_length=100)
    consent_state = forms.ChoiceField(
        label=_("Marketing consent"),
        required=False,
        choices=ANY + list(ConsentState.choices),
        widget=FastSelect,
    )
    company = forms.CharField(label=_("Company"), required=False, max_length=200)
    company_id = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    industry = forms.CharField(label=_("Industry"), required=False, max_length=100)
    size = forms.ChoiceField(
        label=_("Size"), required=False, choices=ANY + list(CompanySize.choices), widget=FastSelect
    )
    created_from = forms.DateField(
        label=_("Created from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_to = forms.DateField(
        label=_("Created until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    cols = forms.MultipleChoiceField(label=_("Columns"), required=False, widget=forms.CheckboxSelectMultiple)
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000, widget=forms.HiddenInput)
    view = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    CONTACT_ONLY = ("lifecycle_status", "source", "consent_state", "company", "company_id")
    COMPANY_ONLY = ("industry", "size")
    STATE_FIELDS = ("q", "sort", "cols", "page", "view")

    def __init__(
        self,
        data: Any,
        *,
        object_type: str,
        definitions: Sequence[CustomFieldDefinition],
        choices: ListChoices,
        columns: Sequence[Column],
        sorts: dict[str, tuple[str, ...]],
        default_sort: str,
        language: str,
    ) -> None:
        super().__init__(data, auto_id="filter_%s")
        for name in self.COMPANY_ONLY if object_type == "contact" else self.CONTACT_ONLY:
            del self.fields[name]
        self.fields["owner"].choices = ANY + choices.owners  # type: ignore[attr-defined]
        self.fields["team"].choices = ANY + choices.teams  # type: ignore[attr-defined]
        self.fields["tag"].choices = ANY + choices.tags  # type: ignore[attr-defined]
        self.definitions = {f"custom.{d.key}": d for d in definitions}
        for name, definition in self.definitions.items():
            self.fields[name] = _custom_filter_field(definition, language)
        self.all_columns = list(columns)
        self.fields["cols"].choices = [(c.key, c.label) for c in columns]  # type: ignore[attr-defined]
        self.sorts = sorts
        self.default_sort = default_sort

    def filter_fields(self) -> list[forms.BoundField]:
        """The filter inputs shown in the filter panel (not search, sort, columns or paging)."""
        return [self[name] for name in self.fields if name not in (*self.STATE_FIELDS, "company_id")]

    def state(self) -> ListState:
        """Call after ``is_valid()``: the valid part of the query, canonical."""
        data = self.cleaned_data
        state = ListState(search=(data.get("q") or "").strip(), page=data.get("page") or 1)
        state.view_id = data.get("view")
        sort = data.get("sort") or ""
        state.sort = sort if sort.lstrip("-") in self.sorts else self.default_sort
        for name, value in data.items():
            if name in self.STATE_FIELDS or value in (None, "", []):
                continue
            definition = self.definitions.get(name)
            key, selector_value = _custom_filter(definition, value) if definition else (name, value)
            state.filters[key] = selector_value
            state.params[name] = str(self.data.get(name, "")).strip()
        state.params = {"q": state.search, **state.params}
        if state.sort != self.default_sort:
            state.params["sort"] = state.sort
        chosen = set(data.get("cols") or [])
        defaults = [c.key for c in self.all_columns if c.default]
        if not chosen:
            chosen = set(defaults)
        chosen.add("name")  # the link to the record
        state.columns = [c for c in self.all_columns if c.key in chosen]
        if state.column_keys != defaults:
            state.params["cols"] = state.column_keys
        return state


def saved_query(params: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A state's canonical params split into what a saved view stores: (query, columns)."""
    query = {k: v for k, v in params.items() if k != "cols" and v not in ("", None)}
    return query, list(params.get("cols") or [])


class SavedViewForm(forms.Form):
    name = forms.CharField(label=_("View name"), required=False, max_length=200)
    shared = forms.BooleanField(
        label=_("Share with everyone"),
        required=False,
        help_text=_("Everyone can use a shared view; only you (or an administrator) can change it."),
    )

    def __init__(self, data: Any = None, *, prefix_id: str = "view", initial: Any = None) -> None:
        # Two of these forms can be on one page (save as new, update this view): distinct ids.
        super().__init__(data, initial=initial, auto_id=f"{prefix_id}_%s")


# --- Create pages ---------------------------------------------------------------------------------------

_COMPANY_REF = re.compile(r"#(\d+)\s*$")


def _text(label: Any, *, help_text: Any = "", **attrs: Any) -> forms.CharField:
    """A free text input: the service, not the form, decides what is valid (and says so with a code)."""
    return forms.CharField(
        label=label, required=False, max_length=500, help_text=help_text, widget=forms.TextInput(attrs=attrs)
    )


def _custom_input(definition: CustomFieldDefinition, language: str) -> forms.Field:
    label: Any = definition.label(language)
    if definition.required:
        label = format_lazy("{} *", label)
    kind = definition.field_type
    if kind in (CustomFieldType.CHOICE, CustomFieldType.MULTI_CHOICE):
        values = [str(c["value"]) if isinstance(c, dict) else str(c) for c in definition.choices]
        options = [(v, v) for v in values]
        if kind == CustomFieldType.MULTI_CHOICE:
            return forms.MultipleChoiceField(
                label=label, required=False, choices=options, widget=forms.CheckboxSelectMultiple
            )
        return forms.ChoiceField(label=label, required=False, choices=ANY + options)
    if kind == CustomFieldType.BOOLEAN:
        return forms.ChoiceField(
            label=label, required=False, choices=ANY + [("true", _("Yes")), ("false", _("No"))]
        )
    attrs = {"type": "date"} if kind == CustomFieldType.DATE else {}
    return _text(label, **attrs)


class RecordCreateForm(forms.Form):
    """Shared part of the create forms: owner, tags and the active custom fields."""

    def __init__(
        self,
        *args: Any,
        owners: Choices,
        definitions: Sequence[CustomFieldDefinition],
        language: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"] = forms.TypedChoiceField(
            label=_("Owner"),
            required=False,
            coerce=int,
            empty_value=None,
            choices=[("", _("Me")), *owners],
        )
        self.fields["tags"] = _text(_("Tags"), help_text=_("Separate tags with commas (VIP, 展示会2024)."))
        for definition in definitions:
            self.fields[f"custom.{definition.key}"] = _custom_input(definition, language)

    def service_data(self) -> dict[str, Any]:
        """``cleaned_data`` in the service's shape: custom fields under ``custom``, blanks left out."""
        data: dict[str, Any] = {}
        custom: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if value in (None, "", []):
                continue
            if name.startswith("custom."):
                custom[name[7:]] = value
            else:
                data[name] = value
        data["custom"] = custom
        return data


class ContactCreateForm(RecordCreateForm):
    family_name = _text(format_lazy("{} *", _("Family name")), autocomplete="family-name")
    given_name = _text(_("Given name"), autocomplete="given-name")
    family_name_kana = _text(
        _("Family name (kana)"), help_text=_("Hiragana or katakana; stored as katakana.")
    )
    given_name_kana = _text(_("Given name (kana)"))
    company = _text(
        _("Company"),
        help_text=_("Type part of the name and pick the company from the list."),
        list="company-options",
        autocomplete="off",
        **{
            "hx-get": reverse_lazy("customers:company_suggest"),
            "hx-trigger": "input changed delay:250ms",
            "hx-target": "#company-options",
        },
    )
    department = _text(_("Department"))
    title = _text(_("Job title"))
    email = _text(_("Email"), type="email", autocomplete="email")
    phone = _text(_("Phone"), type="tel", help_text=_("e.g. 03-1234-5678"))
    mobile = _text(_("Mobile"), type="tel", help_text=_("e.g. 090-1234-5678"))
    postal_code = _text(_("Postal code"), help_text=_("e.g. 100-0001"), autocomplete="postal-code")
    prefecture = _text(_("Prefecture"), list="prefecture-options", autocomplete="off")
    city = _text(_("City"))
    address_line1 = _text(_("Address line 1"))
    address_line2 = _text(_("Address line 2"))
    birth_date = _text(_("Birth date"), type="date")
    source = _text(_("Source"))
    lifecycle_status = forms.ChoiceField(
        label=_("Status"), required=False, choices=list(LifecycleStatus.choices)
    )
    consent_state = forms.ChoiceField(
        label=_("Marketing consent"), required=False, choices=list(ConsentState.choices)
    )

    company_lookup: Callable[[str], list[int]] | None = None
    company_ambiguous = False

    def clean_company(self) -> Any:
        """A picked suggestion ("山田商事 #12") or an id gives the id; a unique exact name too."""
        text = (self.cleaned_data.get("company") or "").strip()
        ref = _COMPANY_REF.search(text)
        if ref or text.isdigit():
            return int(ref.group(1) if ref else text)
        if text and self.company_lookup is not None:
            ids = self.company_lookup(text)
            if len(ids) == 1:
                return ids[0]
            self.company_ambiguous = len(ids) > 1
        return text


class CompanyCreateForm(RecordCreateForm):
    name = _text(format_lazy("{} *", _("Company name")), autocomplete="organization")
    name_kana = _text(_("Company name (kana)"))
    corporate_number = _text(_("Corporate number"), help_text=_("法人番号: 13 digits."), inputmode="numeric")
    industry = _text(_("Industry"))
    size = forms.ChoiceField(label=_("Size"), required=False, choices=ANY + list(CompanySize.choices))
    website = _text(_("Website"), type="url")
    phone = _text(_("Phone"), type="tel", help_text=_("e.g. 03-1234-5678"))
    postal_code = _text(_("Postal code"), help_text=_("e.g. 100-0001"), autocomplete="postal-code")
    prefecture = _text(_("Prefecture"), list="prefecture-options", autocomplete="off")
    city = _text(_("City"))
    address_line1 = _text(_("Address line 1"))
    address_line2 = _text(_("Address line 2"))


def choices_of(qs: QuerySet[Any]) -> Choices:
    return [(obj.pk, str(obj)) for obj in qs]
