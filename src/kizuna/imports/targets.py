"""What an import writes to, per object type: its fields, the keys that find duplicates, how related
records resolve, and the chunk writer that calls the object's services.

Contacts: duplicates are found on the external id, the email address, the mobile number, and the
phone number together with the family name (colleagues share a switchboard number, so a phone alone
does not make two rows the same person).
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from kizuna.accounts.visibility import can_view, ensure_can_edit
from kizuna.core import fields as f
from kizuna.core import search, writes
from kizuna.core.normalize import normalize_company_name
from kizuna.customers import records
from kizuna.customers import services as customer_services
from kizuna.customers.models import Company, Contact, CustomFieldDefinition

from .mapping import COMPANY_FIELDS as COMPANY_SYNONYMS
from .mapping import CONTACT_FIELDS as CONTACT_SYNONYMS
from .models import OnDuplicate
from .pipeline import Prepared, Problem

Key = tuple[str, str]  # ("email", "taro@example.jp")


@dataclass(frozen=True)
class Target:
    name: str
    model: type[Any]
    specs: Mapping[str, f.FieldSpec]
    custom_type: str
    synonyms: Mapping[str, tuple[str, ...]]
    relations: tuple[str, ...]
    required: tuple[tuple[str, ...], ...]  # each: fields of which the mapping must give one
    keys: Callable[[Mapping[str, Any]], list[Key]]
    event_created: str
    event_updated: str
    mapping_only: tuple[str, ...] = ()
    # Keys made of two columns: kind -> (column, other column); the value is both, joined by JOIN.
    composite: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    prepare_new: Callable[[Any], None] | None = None

    def custom_definitions(self) -> dict[str, CustomFieldDefinition]:
        return {
            d.key: d for d in CustomFieldDefinition.objects.filter(object_type=self.custom_type, active=True)
        }

    def fields(self) -> list[str]:
        return sorted({*self.specs, *self.mapping_only, *self.relations})


def contact_keys(values: Mapping[str, Any]) -> list[Key]:
    out: list[Key] = []
    if values.get("external_id"):
        out.append(("external_id", values["external_id"]))
    if values.get("email"):
        out.append(("email", values["email"].casefold()))
    if values.get("mobile"):
        out.append(("mobile", values["mobile"]))
    if values.get("phone") and values.get("family_name"):
        out.append(("phone", f"{values['phone']}{JOIN}{values['family_name']}"))
    return out


JOIN = "\x1f"  # between the parts of a two-column key


def company_keys(values: Mapping[str, Any]) -> list[Key]:
    """A company is the same on its external id or 法人番号; by name only with the same phone or
    postal code (two shops can share a name, not a name and a number)."""
    out: list[Key] = []
    if values.get("external_id"):
        out.append(("external_id", values["external_id"]))
    if values.get("corporate_number"):
        out.append(("corporate_number", values["corporate_number"]))
    name = normalize_company_name(values.get("name") or "")
    if name and values.get("phone"):
        out.append(("name_phone", f"{name}{JOIN}{values['phone']}"))
    if name and values.get("postal_code"):
        out.append(("name_postal", f"{name}{JOIN}{values['postal_code']}"))
    return out


def _company_prepare_new(company: Any) -> None:
    company.name_normalized = normalize_company_name(company.name)


COMPANY_SPECS = {k: v for k, v in customer_services.COMPANY_FIELDS.items() if k != "owner"}


CONTACT_SPECS = {k: v for k, v in customer_services.CONTACT_FIELDS.items() if k not in ("company", "owner")}

CONTACTS = Target(
    name="contacts",
    model=Contact,
    specs=CONTACT_SPECS,
    custom_type="customers.contact",
    synonyms=CONTACT_SYNONYMS,
    relations=("company",),
    required=(("family_name", "full_name"),),
    keys=contact_keys,
    event_created="contact.created",
    event_updated="contact.updated",
    mapping_only=("full_name", "full_name_kana", "tags", "created_at"),
    composite={"phone": ("phone", "family_name")},
    prepare_new=customer_services._contact_prepare_new,
)

COMPANIES = Target(
    name="companies",
    model=Company,
    specs=COMPANY_SPECS,
    custom_type="customers.company",
    synonyms=COMPANY_SYNONYMS,
    relations=(),
    required=(("name",),),
    keys=company_keys,
    event_created="company.created",
    event_updated="company.updated",
    mapping_only=("tags", "created_at"),
    composite={"name_phone": ("name_normalized", "phone"), "name_postal": ("name_normalized", "postal_code")},
    prepare_new=_company_prepare_new,
)

TARGETS = {CONTACTS.name: CONTACTS, COMPANIES.name: COMPANIES}


def rows_matching(
    model: type[Any], column: str, values: Iterable[str], *, also: tuple[str, ...] = ()
) -> list[tuple[Any, ...]]:
    """``(id, column, *also)`` of the rows whose ``column`` is one of ``values``: one statement with one
    parameter (an array on PostgreSQL, a JSON list on SQLite) — an ORM ``__in`` builds a parameter
    per value, which costs more than the lookup itself on a 2,000-row chunk."""
    from django.db import connection

    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in ("id", column, *also))
    col = connection.ops.quote_name(column)
    values = list(values)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT {names} FROM {table} WHERE {col} = ANY(%s)", [values])  # noqa: S608
        else:
            cursor.execute(
                f"SELECT {names} FROM {table} WHERE {col} IN (SELECT value FROM json_each(%s))",  # noqa: S608
                [json.dumps(values, ensure_ascii=False)],
            )
        return [tuple(r) for r in cursor.fetchall()]


def find_existing(target: Target, keys: Iterable[Key]) -> dict[Key, int]:
    """The existing record id of each key found in the database (one query per key kind)."""
    by_kind: dict[str, set[str]] = {}
    for kind, value in keys:
        by_kind.setdefault(kind, set()).add(value)
    found: dict[Key, int] = {}
    model = target.model
    for kind, values in by_kind.items():
        if kind in target.composite:
            column, other = target.composite[kind]
            firsts = {v.split(JOIN, 1)[0] for v in values}
            for pk, first, second in rows_matching(model, column, firsts, also=(other,)):
                key = (kind, f"{first}{JOIN}{second}")
                if key[1] in values:
                    found.setdefault(key, pk)
        elif kind == "email":
            # Keys are case-folded; stored addresses keep the local part as written, so one written
            # in capitals is matched here only through its other keys (the duplicate scan finds it).
            for pk, email in rows_matching(model, "email", values):
                found.setdefault(("email", email.casefold()), pk)
        else:
            for pk, value in rows_matching(model, kind, values):
                found.setdefault((kind, value), pk)
    return found


@dataclass
class CompanyResolver:
    """Company names (or external ids) in a contact file -> company ids, created when missing and
    ``create`` is on; unresolved names are row errors (KZ-IMP-012)."""

    actor: Any
    create: bool
    batch: str
    via: str
    cache: dict[str, int | None] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)  # id -> stored name, for search documents
    _instances: dict[int, Company] = field(default_factory=dict)
    created: int = 0

    def instance(self, pk: int | None) -> Company | None:
        """A stand-in holding the id and name (all a contact's search document reads), not a query."""
        if pk is None:
            return None
        stand_in = self._instances.get(pk)
        if stand_in is None:
            stand_in = self._instances[pk] = Company(pk=pk, name=self.names.get(pk, ""))
        return stand_in

    def resolve(self, names: Iterable[str], *, write: bool) -> dict[str, int | None]:
        """Names written differently but meaning one company (㈱山田商事, 株式会社山田商事) resolve
        to one record; a missing one is created once."""
        names = list(names)
        wanted = {n for n in names if n and n not in self.cache}
        if wanted:
            by_key: dict[str, list[str]] = {}
            for n in wanted:
                by_key.setdefault(normalize_company_name(n), []).append(n)
            for pk, ext, stored, owner_id, team_id in Company.objects.filter(
                external_id__in=wanted
            ).values_list("pk", "external_id", "name", "owner_id", "team_id"):
                if ext is not None and self._visible(owner_id, team_id):
                    self.cache[ext] = pk
                    self.names[pk] = stored
            for pk, normalized, stored, owner_id, team_id in (
                Company.objects.filter(name_normalized__in=list(by_key))
                .order_by("pk")
                .values_list("pk", "name_normalized", "name", "owner_id", "team_id")
            ):
                if self._visible(owner_id, team_id):
                    self.names.setdefault(pk, stored)
                    for name in by_key.get(normalized, []):
                        self.cache.setdefault(name, pk)
            missing = sorted(n for n in wanted if n not in self.cache)
            if missing and self.create and write:
                self._create(missing)
            for n in missing:
                self.cache.setdefault(n, None)
        return {n: self.cache.get(n) for n in names}

    def _visible(self, owner_id: int | None, team_id: int | None) -> bool:
        probe = Company(owner_id=owner_id, team_id=team_id)
        return can_view(self.actor, probe)

    def _create(self, names: list[str]) -> None:
        groups: dict[str, list[str]] = {}
        for name in names:
            groups.setdefault(normalize_company_name(name), []).append(name)
        objs = []
        for key, spelled in groups.items():
            clean = f.clean_input(customer_services.COMPANY_FIELDS, {"name": spelled[0]})
            objs.append(Company(**clean, name_normalized=key, owner=self.actor, team_id=self.actor.team_id))
        records.bulk_create_owned(
            Company,
            objs,
            actor=self.actor,
            via=self.via,
            batch=self.batch,
            event_type="company.created",
            per_record_events=False,
        )
        for spelled, obj in zip(groups.values(), objs, strict=True):
            self.names[obj.pk] = obj.name
            for name in spelled:
                self.cache[name] = obj.pk
        self.created += len(objs)


def _key_field(kind: str) -> str:
    """The field a key kind is reported as: "name_phone" -> "name"."""
    return {"name_phone": "name", "name_postal": "name"}.get(kind, kind)


class SeenKeys:
    """The file's duplicate keys seen so far and the first row of each, kept on disk (a temporary
    SQLite file): a million rows hold some three million keys, which as a Python dict would take
    more memory than the whole import may use."""

    SEPARATOR = "\x1f"

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="kizuna-import-")
        self._db = sqlite3.connect(Path(self._folder.name) / "keys.sqlite3", isolation_level=None)
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-32000", "temp_store=MEMORY"):
            self._db.execute(f"PRAGMA {pragma}")
        self._db.execute("CREATE TABLE seen (key TEXT PRIMARY KEY, row INTEGER NOT NULL) WITHOUT ROWID")

    def _text(self, key: Key) -> str:
        return f"{key[0]}{self.SEPARATOR}{key[1]}"

    def first_rows(self, keys: set[Key]) -> dict[Key, int]:
        """The first row of each of ``keys`` seen before (keys not seen are absent)."""
        if not keys:
            return {}
        by_text = {self._text(k): k for k in keys}
        found = self._db.execute(
            "SELECT key, row FROM seen WHERE key IN (SELECT value FROM json_each(?))",
            [json.dumps(list(by_text), ensure_ascii=False)],
        ).fetchall()
        return {by_text[text]: row for text, row in found}

    def add(self, first_rows: dict[Key, int]) -> None:
        self._db.execute("BEGIN")
        self._db.executemany(
            "INSERT OR IGNORE INTO seen (key, row) VALUES (?, ?)",
            [(self._text(k), row) for k, row in first_rows.items()],
        )
        self._db.execute("COMMIT")

    def close(self) -> None:
        self._db.close()
        self._folder.cleanup()


@dataclass
class Decision:
    action: str  # "create", "update", "skip", "review", "reject"
    existing: int | None = None


def decide(
    rows: list[Prepared],
    *,
    target: Target,
    seen: SeenKeys,
    policy: str,
    lookup: bool = True,
) -> list[Decision]:
    """What to do with each row: duplicates within the file (first row wins, later ones are errors),
    then matches in the database under ``policy``. ``seen`` carries the file's keys across chunks."""
    decisions: list[Decision] = []
    keys_of = [target.keys(row.values) if row.ok else [] for row in rows]
    known = seen.first_rows({k for keys in keys_of for k in keys})  # from earlier chunks
    for row, keys in zip(rows, keys_of, strict=True):
        if not row.ok:
            decisions.append(Decision("reject"))
            continue
        twin = next(((k, known[k]) for k in keys if k in known), None)
        if twin is not None and policy != OnDuplicate.CREATE:
            (kind, value), first = twin
            row.problems.append(
                Problem(
                    row=row.row,
                    code="KZ-IMP-011",
                    context={"key": _key_field(kind), "value": value.split(JOIN, 1)[0], "first_row": first},
                    field=_key_field(kind),
                    value=value.split(JOIN, 1)[0],
                )
            )
            decisions.append(Decision("reject"))
            continue
        for k in keys:
            known.setdefault(k, row.row)
        decisions.append(Decision("create"))
    seen.add(known)
    if policy == OnDuplicate.CREATE or not lookup:
        return decisions
    wanted = [k for d, keys in zip(decisions, keys_of, strict=True) if d.action == "create" for k in keys]
    existing = find_existing(target, wanted) if wanted else {}
    for row, d, keys in zip(rows, decisions, keys_of, strict=True):
        if d.action != "create":
            continue
        match = next((existing[k] for k in keys if k in existing), None)
        if match is None:
            continue
        d.existing = match
        if policy in (OnDuplicate.UPDATE, OnDuplicate.UPDATE_EMPTY):
            d.action = "update"
        else:
            d.action = "review" if policy == OnDuplicate.REVIEW else "skip"
            kind = _key_field(next(k for k in keys if k in existing)[0])
            row.problems.append(
                Problem(
                    row=row.row,
                    code="KZ-IMP-021" if d.action == "skip" else "KZ-IMP-029",
                    context={"key": kind, "existing_id": match},
                    field=kind,
                    warning=True,
                )
            )
    return decisions


def build_new(target: Target, row: Prepared, *, actor: Any, owner: Any, company: Any) -> Any:
    """An unsaved record for a row the import creates (owner and team set, custom values cleaned)."""
    obj = records.new_instance(target.model, {**row.values, "owner_id": owner.pk, "team_id": owner.team_id})
    if "company" in target.relations and company is not None:
        obj.company = company
    obj.custom = row.custom
    if row.created_at is not None:
        obj.created_at = row.created_at
    if target.prepare_new is not None:
        target.prepare_new(obj)
    return obj


def update_existing(
    target: Target,
    row: Prepared,
    *,
    existing_id: int,
    actor: Any,
    policy: str,
    company_id: int | None,
    batch: str,
    via: str,
    events: bool,
) -> bool:
    """Apply a row to the record it matched, in a savepoint; returns whether anything changed.
    ``update-empty`` fills only the record's empty fields; ``update`` lets the file's non-empty values win."""
    obj = records.lock_visible(target.model, pk=existing_id, actor=actor)
    ensure_can_edit(actor, obj)
    values = {k: v for k, v in row.values.items() if v not in (None, "")}
    if "company" in target.relations and company_id is not None:
        values["company_id"] = company_id
    if policy == OnDuplicate.UPDATE_EMPTY:
        values = {k: v for k, v in values.items() if getattr(obj, k) in (None, "")}
    custom = dict(obj.custom)
    for key, value in row.custom.items():
        if policy != OnDuplicate.UPDATE_EMPTY or custom.get(key) in (None, "", []):
            custom[key] = value
    if custom != obj.custom:
        values["custom"] = custom
    if not values and row.tags is None:
        return False
    if "name" in values and hasattr(obj, "name_normalized"):
        values["name_normalized"] = normalize_company_name(values["name"])
    with transaction.atomic():
        records._document_update(obj, values)
        changes = writes.record_update(
            obj,
            values=values,
            actor=actor,
            via=via,
            event_type=target.event_updated,
            batch=batch,
            emit_event=events,
        )
        if "name" in changes and isinstance(obj, Company):
            search.refresh_related_documents(obj)  # its contacts' documents hold its name
    return bool(changes)
