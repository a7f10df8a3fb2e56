"""The columns of the contact and company lists, and their export to CSV and XLSX.

One column definition serves the table on screen and both export formats, so an export holds exactly
what the view shows. Every exported cell goes through :func:`safe_cell`: a spreadsheet must never run
a formula a customer typed into their name.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kizuna.core.normalize import format_phone_national
from kizuna.core.spreadsheet import safe_cell

from .models import Company, Contact, CustomFieldDefinition

XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header row


@dataclass(frozen=True)
class Column:
    """A list column: ``value`` gives the plain value (for the table and exports), ``sort`` its sort key."""

    key: str
    label: str | Promise
    value: Callable[[Any], Any]
    sort: str | None = None
    default: bool = False


def _phone(e164: str) -> str:
    try:
        return format_phone_national(e164)
    except Exception:  # a number stored before validation existed: show it as stored
        return e164


def _tags(obj: Any) -> str:
    return ", ".join(t.name for t in obj.tags.all())


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
    return [Column(f"custom.{d.key}", d.label(language), _custom(d)) for d in definitions]


def contact_columns(definitions: Iterable[CustomFieldDefinition] = ()) -> list[Column]:
    """Every column a contact list can show, built-in first, then the active custom fields."""
    columns = [
        Column("name", _("Name"), lambda c: c.full_name, "name", default=True),
        Column("kana", _("Kana"), lambda c: f"{c.family_name_kana} {c.given_name_kana}".strip()),
        Column("company", _("Company"), lambda c: c.company.name if c.company_id else "", "company", True),
        Column("department", _("Department"), lambda c: c.department),
        Column("title", _("Job title"), lambda c: c.title),
        Column("email", _("Email"), lambda c: c.email, "email", default=True),
        Column("phone", _("Phone"), lambda c: _phone(c.phone), "phone", default=True),
        Column("mobile", _("Mobile"), lambda c: _phone(c.mobile)),
        Column(
            "lifecycle_status",
            _("Status"),
            lambda c: c.get_lifecycle_status_display(),
            "lifecycle_status",
            True,
        ),
        Column("prefecture", _("Prefecture"), lambda c: c.prefecture, "prefecture"),
        Column("source", _("Source"), lambda c: c.source, "source"),
        Column("consent_state", _("Consent"), lambda c: c.get_consent_state_display(), "consent_state"),
        Column("tags", _("Tags"), _tags, default=True),
        Column("owner", _("Owner"), _owner, "owner", default=True),
        Column("team", _("Team"), _team),
        Column("created_at", _("Created"), lambda c: c.created_at, "created_at"),
        Column("updated_at", _("Updated"), lambda c: c.updated_at, "updated_at", default=True),
    ]
    return columns + _custom_columns(definitions)


def company_columns(definitions: Iterable[CustomFieldDefinition] = ()) -> list[Column]:
    """Every column a company list can show, built-in first, then the active custom fields."""
    columns = [
        Column("name", _("Company name"), lambda c: c.name, "name", default=True),
        Column("name_kana", _("Kana"), lambda c: c.name_kana),
        Column("corporate_number", _("Corporate number"), lambda c: c.corporate_number or ""),
        Column("industry", _("Industry"), lambda c: c.industry, "industry", default=True),
        Column("size", _("Size"), lambda c: c.get_size_display(), "size"),
        Column("phone", _("Phone"), lambda c: _phone(c.phone), "phone", default=True),
        Column("website", _("Website"), lambda c: c.website),
        Column("prefecture", _("Prefecture"), lambda c: c.prefecture, "prefecture", default=True),
        Column("city", _("City"), lambda c: c.city),
        Column("tags", _("Tags"), _tags, default=True),
        Column("owner", _("Owner"), _owner, "owner", default=True),
        Column("team", _("Team"), _team),
        Column("created_at", _("Created"), lambda c: c.created_at, "created_at"),
        Column("updated_at", _("Updated"), lambda c: c.updated_at, "updated_at", default=True),
    ]
    return columns + _custom_columns(definitions)


def plain(value: Any, tz: dt.tzinfo) -> Any:
    """A column value for a file: datetimes in the user's time zone without tzinfo, lazy texts as text."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value, tz).replace(tzinfo=None, microsecond=0)
    if isinstance(value, Promise):
        return str(value)
    return value


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
