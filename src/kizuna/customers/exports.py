"""The columns of the contact and company lists, and their export to CSV and XLSX.

One column definition serves the table on screen and both export formats, so an export holds exactly
what the view shows. Every exported cell goes through :func:`safe_cell`: a spreadsheet must never run
a formula a customer typed into their name.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import IO, Any, TypeVar

from django.db.models import Model, QuerySet
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kizuna.core.normalize import format_phone_national
from kizuna.core.spreadsheet import safe_cell

from .models import Company, Contact, CustomFieldDefinition

M = TypeVar("M", bound=Model)
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header row
EXPORT_CHUNK = 1000  # rows read (and their tags fetched) at a time while an export streams

# What ``str(record)`` and ``str(owner)`` read: a page always shows the record's name.
CONTACT_LABEL_FIELDS = ("family_name", "given_name")
COMPANY_LABEL_FIELDS = ("name",)
OWNER_FIELDS = ("owner__username", "owner__display_name", "owner__first_name", "owner__last_name")


@dataclass(frozen=True)
class Column:
    """A list column: ``value`` gives the plain value (for the table and exports), ``sort`` its sort key."""

    key: str
    label: str | Promise
    value: Callable[[Any], Any]
    sort: str | None = None
    default: bool = False
    fields: tuple[str, ...] = ()  # the model fields ``value`` reads ("company__name"): what a page loads


def _phone(e164: str) -> str:
    try:
        return format_phone_national(e164)
    except Exception:  # a number stored before validation existed: show it as stored
        return e164


def _tags(obj: Any) -> str:
    return ", ".join(obj.tag_names)  # set by attach_tag_names


def _owner(obj: Any) -> str:
    return str(obj.owner) if obj.owner_id else ""


def _team(obj: Any) -> str:
    return str(obj.team) if obj.team_id else ""


def _custom(definition: CustomFieldDefinition) -> Callable[[Any], Any]:
    def value(obj: Any) -> Any:
        raw = obj.custom.get(definition.key)
        if isinstance(raw, list):
            return ", ".join(str(v) for v in raw)
        if isinstance(raw, bool):
            return _("Yes") if raw else _("No")
        return raw

    return value


def _custom_columns(definitions: Iterable[CustomFieldDefinition]) -> list[Column]:
    language = translation.get_language() or "ja"
    return [Column(f"custom.{d.key}", d.label(language), _custom(d), fields=("custom",)) for d in definitions]


def _field(
    key: str, label: Promise, *, sort: bool = False, default: bool = False, read: Any = None
) -> Column:
    """A column showing the model field ``key`` as it is, or through ``read`` (a display, a format)."""
    return Column(key, label, read or attrgetter(key), key if sort else None, default, fields=(key,))


def _record_columns() -> list[Column]:
    """The columns every record list has after its own: tags, owner, team, created, updated."""
    return [
        Column("tags", _("Tags"), _tags, default=True),
        Column("owner", _("Owner"), _owner, "owner", default=True, fields=OWNER_FIELDS),
        Column("team", _("Team"), _team, fields=("team__name",)),
        _field("created_at", _("Created"), sort=True),
        _field("updated_at", _("Updated"), sort=True, default=True),
    ]


def contact_columns(definitions: Iterable[CustomFieldDefinition] = ()) -> list[Column]:
    """Every column a contact list can show, built-in first, then the active custom fields."""
    columns = [
        Column("name", _("Name"), lambda c: c.full_name, "name", default=True, fields=CONTACT_LABEL_FIELDS),
        Column(
            "kana",
            _("Kana"),
            lambda c: f"{c.family_name_kana} {c.given_name_kana}".strip(),
            fields=("family_name_kana", "given_name_kana"),
        ),
        Column(
            "company",
            _("Company"),
            lambda c: c.company.name if c.company_id else "",
            "company",
            True,
            fields=("company__name",),
        ),
        _field("department", _("Department")),
        _field("title", _("Job title")),
        _field("email", _("Email"), sort=True, default=True),
        _field("phone", _("Phone"), sort=True, default=True, read=lambda c: _phone(c.phone)),
        _field("mobile", _("Mobile"), read=lambda c: _phone(c.mobile)),
        _field(
            "lifecycle_status",
            _("Status"),
            sort=True,
            default=True,
            read=lambda c: c.get_lifecycle_status_display(),
        ),
        _field("prefecture", _("Prefecture"), sort=True),
        _field("source", _("Source"), sort=True),
        _field("consent_state", _("Consent"), sort=True, read=lambda c: c.get_consent_state_display()),
    ]
    return columns + _record_columns() + _custom_columns(definitions)


def company_columns(definitions: Iterable[CustomFieldDefinition] = ()) -> list[Column]:
    """Every column a company list can show, built-in first, then the active custom fields."""
    columns = [
        Column(
            "name", _("Company name"), lambda c: c.name, "name", default=True, fields=COMPANY_LABEL_FIELDS
        ),
        _field("name_kana", _("Kana")),
        _field("corporate_number", _("Corporate number"), read=lambda c: c.corporate_number or ""),
        _field("industry", _("Industry"), sort=True, default=True),
        _field("size", _("Size"), sort=True, read=lambda c: c.get_size_display()),
        _field("phone", _("Phone"), sort=True, default=True, read=lambda c: _phone(c.phone)),
        _field("website", _("Website")),
        _field("prefecture", _("Prefecture"), sort=True, default=True),
        _field("city", _("City")),
    ]
    return columns + _record_columns() + _custom_columns(definitions)


def plain(value: Any, tz: dt.tzinfo) -> Any:
    """A column value for a file: datetimes in the user's time zone without tzinfo, lazy texts as text."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value, tz).replace(tzinfo=None, microsecond=0)
    if isinstance(value, Promise):
        return str(value)
    return value


def only_columns(qs: QuerySet[M], columns: Sequence[Column]) -> QuerySet[M]:
    """``qs`` loading only what ``columns`` read: fewer columns, only the joins they use, no prefetch.

    A list page or an export then builds small objects: 50 contacts with every column and their
    company, owner and team cost three times the time to build. Tags come from
    :func:`attach_tag_names`; a column reading a field it does not declare would cost a query per row
    (the list pages' query-count tests catch that).
    """
    label = CONTACT_LABEL_FIELDS if qs.model is Contact else COMPANY_LABEL_FIELDS
    fields = {"id", *label, *(f for c in columns for f in c.fields)}
    relations = sorted({f.split("__", 1)[0] for f in fields if "__" in f})
    return qs.select_related(None).select_related(*relations).prefetch_related(None).only(*sorted(fields))


def attach_tag_names(objs: Sequence[M]) -> Sequence[M]:
    """Set ``tag_names`` (sorted) on each contact or company of ``objs`` with one query.

    Django's ``prefetch_related`` builds a queryset per object, which costs more than the page's own
    query; reading the link table once does not.
    """
    if not objs:
        return objs
    model = type(objs[0])
    link = model._meta.get_field("tags").remote_field.through  # type: ignore[union-attr]
    key = f"{model._meta.model_name}_id"
    names: dict[int, list[str]] = defaultdict(list)
    pairs = link.objects.filter(**{f"{key}__in": [o.pk for o in objs]}).order_by("tag__name")
    for pk, name in pairs.values_list(key, "tag__name"):
        names[pk].append(name)
    for obj in objs:
        obj.tag_names = names.get(obj.pk, [])  # type: ignore[attr-defined]
    return objs


def export_rows(qs: QuerySet[M], columns: Sequence[Column]) -> Iterator[M]:
    """Every row of ``qs`` for an export, read in chunks, with only the columns shown and their tags."""
    chunk: list[M] = []
    for obj in only_columns(qs, columns).iterator(chunk_size=EXPORT_CHUNK):
        chunk.append(obj)
        if len(chunk) == EXPORT_CHUNK:
            yield from attach_tag_names(chunk)
            chunk = []
    yield from attach_tag_names(chunk)


def _csv_text(value: Any) -> Any:
    return value.strftime("%Y-%m-%d %H:%M") if isinstance(value, dt.datetime) else value


class _Echo:
    """A file-like object whose ``write`` returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def csv_lines(
    columns: Sequence[Column], rows: Iterable[Contact | Company], *, tz: dt.tzinfo, language: str
) -> Iterator[str]:
    """The CSV file line by line: a UTF-8 BOM (so Excel in Japan reads it as UTF-8), a header, the rows.

    Runs while the response streams, after the view returned: the language and time zone are
    passed in rather than read from the request's (by then finished) context.
    """
    writer = csv.writer(_Echo())
    with translation.override(language):
        yield "\ufeff" + writer.writerow([safe_cell(str(c.label)) for c in columns])
        for obj in rows:
            yield writer.writerow([safe_cell(_csv_text(plain(c.value(obj), tz))) for c in columns])


def xlsx_file(
    columns: Sequence[Column], rows: Iterable[Contact | Company], *, tz: dt.tzinfo, title: str
) -> IO[bytes]:
    """The rows as an XLSX workbook (openpyxl write-only mode), in a temporary file positioned at 0."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def cell(value: Any) -> Any:
        value = safe_cell(plain(value, tz))
        return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([cell(str(c.label)) for c in columns])
    for count, obj in enumerate(rows):
        if count >= XLSX_MAX_ROWS:
            break
        sheet.append([cell(c.value(obj)) for c in columns])
    out = tempfile.SpooledTemporaryFile(max_size=20 * 1024 * 1024)  # noqa: SIM115 (returned open)
    workbook.save(out)
    out.seek(0)
    return out
