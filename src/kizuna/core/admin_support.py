"""Shared Django admin machinery: writes through services, read-only records, coded errors as form errors.

The back office writes through the same services as the UI, the API, imports and workflows (STYLE.md:
no business rules in admin ``save_model``). A :class:`ServiceModelAdmin` form validates by calling the
app's create or update service inside a savepoint; a coded error becomes a form error beside its field
and nothing is saved. Core imports no other Kizuna app: the record-visibility rules are added by
``kizuna.accounts.admin.OwnedRecordAdmin``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_permission_codename
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models, router, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from .error_events import error_record
from .errors import KizunaError, KizunaValidationError
from .fields import label_errors

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldOpts
    from django.utils.functional import _StrOrPromise

    Fieldset = tuple[_StrOrPromise | None, _FieldOpts]
    ModelAdminBase = admin.ModelAdmin[Any]
    ModelFormBase = forms.ModelForm[Any]
    TabularInlineBase = admin.TabularInline[Any, Any]
else:  # Django's admin classes are not subscriptable at run time.
    ModelAdminBase = admin.ModelAdmin
    ModelFormBase = forms.ModelForm
    TabularInlineBase = admin.TabularInline

# (actor, data) -> the saved record
CreateCall = Callable[[Any, dict[str, Any]], Any]
# (actor, record, changed data, version the user saw or None) -> the saved record
UpdateCall = Callable[[Any, Any, dict[str, Any], "int | None"], Any]
# (actor, record)
DeleteCall = Callable[[Any, Any], None]

VERSION_FIELD = "expected_version"
VIA = "ui"


@dataclass(frozen=True)
class ServiceCalls:
    """How the admin writes one model, as calls into its services. An operation left None is not offered."""

    create: CreateCall | None = None
    update: UpdateCall | None = None
    delete: DeleteCall | None = None
    # The update takes the version the user saw, so an edit made meanwhile is refused (KZ-VAL-013).
    versioned: bool = False


def record_service(
    *,
    id_arg: str,
    create: Callable[..., Any] | None = None,
    update: Callable[..., Any] | None = None,
    delete: Callable[..., Any] | None = None,
    versioned: bool = False,
) -> ServiceCalls:
    """Adapt the usual service signatures: ``contact_create(actor=, data=, via=)``,
    ``contact_update(actor=, contact_id=, data=, via=, expected_version=)``, ``contact_delete(actor=, contact_id=, via=)``.
    """

    def do_create(actor: Any, data: dict[str, Any]) -> Any:
        assert create is not None
        return create(actor=actor, data=data, via=VIA)

    def do_update(actor: Any, obj: Any, data: dict[str, Any], version: int | None) -> Any:
        assert update is not None
        extra = {"expected_version": version} if versioned else {}
        return update(actor=actor, **{id_arg: obj.pk}, data=data, via=VIA, **extra)

    def do_delete(actor: Any, obj: Any) -> None:
        assert delete is not None
        delete(actor=actor, **{id_arg: obj.pk}, via=VIA)

    return ServiceCalls(
        create=do_create if create else None,
        update=do_update if update else None,
        delete=do_delete if delete else None,
        versioned=versioned,
    )


# --- Coded errors ---------------------------------------------------------------------------------


def coded_message(error: KizunaError) -> str:
    """What a person reads: the cause and the remedy in the active language, and the code to quote."""
    return f"{error.cause()} {error.remedy()} ({error.code})"


def coded_errors(error: KizunaError) -> list[KizunaError]:
    return list(error.errors) if isinstance(error, KizunaValidationError) else [error]


def _form_field(error: KizunaError, form: forms.BaseForm) -> str | None:
    # "custom.rank" belongs to the custom-fields input; "lines[1].product" and unknown names to the form.
    name = (error.field or "").split(".")[0].split("[")[0]
    return name if name in form.fields else None


def add_coded_errors(form: forms.BaseForm, error: KizunaError, *, model: type[models.Model]) -> None:
    """Each coded error beside its field (the first word of ``error.field``), others above the form."""
    errors = coded_errors(error)
    # Name fields by their translated label ("外部ID"), also in errors raised without one (KZ-VAL-002).
    label_errors(errors, model)
    for item in errors:
        form.add_error(_form_field(item, form), ValidationError(coded_message(item), code=item.code))


def record_operational(error: KizunaError, *, actor: Any, obj: models.Model | None = None) -> None:
    """List a failure in the error center, unless it is a field mistake the person fixes on the spot."""
    if error.spec.area != "VAL":
        error_record(error, actor=actor, via=VIA, obj=obj)


# --- The service-backed form -----------------------------------------------------------------------


@dataclass
class _WriteState:
    """Per request: did a form write through a service, and did the admin then finish the save?"""

    written: bool = False
    finished: bool = False


def _write_state(request: HttpRequest) -> _WriteState:
    state = getattr(request, "_kizuna_admin_write", None)
    if state is None:
        state = _WriteState()
        setattr(request, "_kizuna_admin_write", state)  # noqa: B010 - HttpRequest declares no such attribute
    return state


@dataclass(frozen=True)
class ServiceBinding:
    actor: Any
    calls: ServiceCalls
    fields: frozenset[str]
    state: _WriteState


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _as_text(value: Any) -> str:
    return "" if value is None else str(value)


class ServiceInputField(forms.CharField):
    """A value handed to the service as typed. The service normalizes it ("東京" -> "東京都", "１,２００円"
    -> 1200) and is the one validator, so the form checks nothing and the error shown is the coded one.
    """

    def validate(self, value: Any) -> None:
        return None

    def has_changed(self, initial: Any, data: Any) -> bool:
        # Initial values are model values (a date, an int): compare them as the text the widget shows.
        return _as_text(initial) != _as_text(self.to_python(data))


def service_input(formfield: forms.Field) -> ServiceInputField:
    """``formfield`` (the admin's default for the model field) made lenient, keeping its widget and label."""
    # The stored length is not the typed length ("03-1234-5678 内線12" is stored as +81312345678):
    # the service reports a value that is too long, the browser must not cut it.
    formfield.widget.attrs.pop("maxlength", None)
    return ServiceInputField(
        required=formfield.required,
        label=formfield.label,
        help_text=formfield.help_text,
        initial=formfield.initial,
        widget=formfield.widget,
    )


def takes_typed_input(db_field: models.Field[Any, Any]) -> bool:
    """Text, numbers, dates and choices are parsed by the services; relations, datetimes (split date and
    time widgets), booleans and JSON keep Django's form field, which only turns the input into a value.
    """
    if db_field.is_relation or isinstance(
        db_field, models.DateTimeField | models.BooleanField | models.JSONField
    ):
        return False
    return isinstance(db_field, models.CharField | models.TextField | models.IntegerField | models.DateField)


class ServiceModelForm(ModelFormBase):
    """Validates by saving through the service (in a savepoint); see :class:`ServiceModelAdmin`."""

    binding: ClassVar[ServiceBinding | None] = None
    saved: Any = None

    def _post_clean(self) -> None:
        # ModelForm builds the instance and runs the model's full_clean() here. The service is the one
        # validator instead, the same as for the API and imports: running both would show two messages
        # for one mistake, or refuse input the service normalizes.
        binding = self.binding
        if binding is None:
            raise ImproperlyConfigured(
                "A ServiceModelForm saves through a service: use it in a ServiceModelAdmin."
            )
        if self.errors:
            return  # an input Django could not even read (a date, JSON): the service gets nothing half-read
        try:
            # A savepoint: a refused write leaves nothing behind in the admin's transaction.
            with transaction.atomic(using=router.db_for_write(self._meta.model)):
                saved = self._write(binding)
        except KizunaError as error:
            add_coded_errors(self, error, model=self._meta.model)
            record_operational(error, actor=binding.actor, obj=self.instance if self.instance.pk else None)
            return
        binding.state.written = True
        self.saved = self.instance = saved

    def _write(self, binding: ServiceBinding) -> Any:
        data = {
            name: self._service_value(name, value)
            for name, value in self.cleaned_data.items()
            if name in binding.fields
        }
        if self.instance.pk is None:
            assert binding.calls.create is not None  # has_add_permission offers no add page otherwise
            # Blank inputs are left out, so the model's defaults apply and required ones say KZ-VAL-001.
            return binding.calls.create(binding.actor, {k: v for k, v in data.items() if not _blank(v)})
        assert binding.calls.update is not None
        changed = {k: v for k, v in data.items() if k in self.changed_data}
        return binding.calls.update(
            binding.actor, self.instance, changed, self.cleaned_data.get(VERSION_FIELD)
        )

    def _service_value(self, name: str, value: Any) -> Any:
        if isinstance(value, models.QuerySet):
            return [str(obj) for obj in value]  # many-to-many inputs (tags) go to services by name
        if name == "custom" and isinstance(value, dict) and self.instance.pk is not None:
            # Services merge custom values into the current ones; a key set to None is removed.
            return {**dict.fromkeys(getattr(self.instance, "custom", None) or {}), **value}
        return value

    def save(self, commit: bool = True) -> Any:
        if self.saved is None:
            raise ValueError("The service has not saved this form; call is_valid() first.")
        return self.saved

    def save_m2m(self) -> None:
        return None  # many-to-many values (tags) were written by the service too


class VersionedServiceModelForm(ServiceModelForm):
    expected_version = forms.IntegerField(label=_("version"), required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial.setdefault(VERSION_FIELD, getattr(self.instance, "version", None))


class ServiceModelAdmin(ModelAdminBase):
    """A ModelAdmin whose writes call the app's services, so validation, permissions, audit and events apply.

    Subclasses set ``service`` (see :func:`record_service`), ``service_fields`` (the inputs the services
    take) and ``fieldsets`` or ``fields``; every other field shown is read-only. Inlines must be read-only:
    only the form's own record goes through a service.
    """

    service: ClassVar[ServiceCalls] = ServiceCalls()
    service_fields: ClassVar[Sequence[str]] = ()
    form = ServiceModelForm

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.service.create is not None and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.service.update is not None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.service.delete is not None and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        declared = self.readonly_fields
        shown = _flat(self.fieldsets or [(None, {"fields": self.fields or ()})])
        extra = [
            n for n in shown if n not in self.service_fields and n not in declared and n != VERSION_FIELD
        ]
        return [*declared, *extra]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is None or not self.service.versioned or not self.has_change_permission(request, obj):
            return fieldsets
        # The version the user saw travels with the form, hidden.
        name, options = fieldsets[-1]
        return [*fieldsets[:-1], (name, {**options, "fields": [*options["fields"], VERSION_FIELD]})]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if self.service.versioned and self.form is ServiceModelForm:
            kwargs.setdefault("form", VersionedServiceModelForm)
        form_class: Any = super().get_form(request, obj, change=change, **kwargs)
        # The admin instantiates the form itself, with no room for the actor; modelform_factory made a
        # new class for this request, so the class carries it.
        form_class.binding = ServiceBinding(
            actor=request.user,
            calls=self.service,
            fields=frozenset(self.service_fields),
            state=_write_state(request),
        )
        return form_class

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if isinstance(db_field, models.URLField):
            kwargs.setdefault("assume_scheme", "https")  # Django 6's default; silences the 5.x warning
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is None or db_field.name not in self.service_fields:
            return formfield
        if takes_typed_input(db_field):
            return service_input(formfield)
        if db_field.is_relation:
            # The service decides what an empty relation means (a deal's default pipeline and stage).
            formfield.required = False
        return formfield

    def get_inline_instances(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        inlines = super().get_inline_instances(request, obj)
        # A new record has no history or lines yet: an empty read-only table is only noise.
        return (
            inlines if obj is not None else [i for i in inlines if not isinstance(i, ReadOnlyTabularInline)]
        )

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        with transaction.atomic(using=router.db_for_write(self.model)):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            state = _write_state(request)
            if state.written and not state.finished:
                # The service saved but an inline was invalid and the page is shown again with errors:
                # nothing may stay saved behind an error page.
                transaction.set_rollback(True)
        return response

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # The service saved the record while the form was validated.
        _write_state(request).finished = True

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        assert self.service.delete is not None  # has_delete_permission is False otherwise
        self.service.delete(request.user, obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        # One service call per record: each is checked, audited and announced like a single delete.
        for obj in queryset:
            self.delete_model(request, obj)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except KizunaError as error:  # the admin's transaction around the view was rolled back
            self.report_error(request, error)
            opts = self.model._meta
            name = f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change"
            return HttpResponseRedirect(reverse(name, args=[object_id]))

    def response_action(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> HttpResponse | None:
        # All or nothing: an action refused for one record (KZ-VAL-015 "still in use") changes none.
        try:
            with transaction.atomic(using=router.db_for_write(self.model)):
                return super().response_action(request, queryset)
        except KizunaError as error:
            self.report_error(request, error)
            return HttpResponseRedirect(request.get_full_path())

    def report_error(self, request: HttpRequest, error: KizunaError) -> None:
        for item in coded_errors(error):
            self.message_user(request, coded_message(item), messages.ERROR)
        record_operational(error, actor=request.user)


def _flat(fieldsets: Any) -> list[str]:
    names: list[str] = []
    for _name, options in fieldsets:
        for entry in options.get("fields", ()):
            names.extend(entry if isinstance(entry, list | tuple) else [entry])
    return names


# --- Read-only records -----------------------------------------------------------------------------


class ReadOnlyModelAdmin(ModelAdminBase):
    """Records only Kizuna writes (events, audit, errors, worker state): shown, never edited, since
    rewriting history here would make it worthless as evidence. Subclasses list ``fields``, which may
    name display methods.
    """

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return _flat([(None, {"fields": self.fields or ()})])

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyTabularInline(TabularInlineBase):
    """Rows that belong to the parent record's page (stage history, order lines), shown read-only.

    Subclasses set ``fields``; whoever may view the parent sees them.
    """

    extra = 0
    max_num = 0
    can_delete = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return _flat([(None, {"fields": self.fields or ()})])

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        opts = self.parent_model._meta
        return any(
            request.user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")
            for action in ("view", "change")
        )


def pretty_json(value: Any) -> SafeString:
    """JSON (audit changes, event payloads) indented and with Japanese left readable."""
    return format_html("<pre>{}</pre>", json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True))
