"""Every read of companies and contacts, with visibility applied once."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from kizuna.accounts.models import Team, User
from kizuna.accounts.visibility import get_visible, visible
from kizuna.core.normalize import normalize_company_name, normalize_text
from kizuna.core.search import search_filter

from .models import Company, Contact, CustomFieldDefinition, SavedView, Tag

M = TypeVar("M", bound=Model)


def company_list(*, user: Any, search: str = "", filters: dict[str, Any] | None = None) -> QuerySet[Company]:
    qs = visible(Company.objects.all(), user).select_related("owner").prefetch_related("tags")
    return search_filter(qs.filter(**_custom_filters(filters)), search)


def company_get(*, user: Any, pk: Any) -> Company:
    company: Company = get_visible(company_list(user=user), pk, object_type="company", user=user)
    return company


def contact_list(*, user: Any, search: str = "", filters: dict[str, Any] | None = None) -> QuerySet[Contact]:
    qs = visible(Contact.objects.all(), user).select_related("company", "owner").prefetch_related("tags")
    return search_filter(qs.filter(**_custom_filters(filters)), search)


def contact_get(*, user: Any, pk: Any) -> Contact:
    contact: Contact = get_visible(contact_list(user=user), pk, object_type="contact", user=user)
    return contact


def _custom_filters(filters: dict[str, Any] | None) -> dict[str, Any]:
    """``{"custom.rank": "A", "prefecture": "東京都"}`` -> ORM lookups (custom fields are JSON keys)."""
    out: dict[str, Any] = {}
    for key, value in (filters or {}).items():
        out[("custom__" + key[7:]) if key.startswith("custom.") else key] = value
    return out


# --- List screens (views/lists.py) and exports: whitelisted filters and sorts, cheap pages -------------

PAGE_SIZE = 50
COUNT_LIMIT = 1000
DEFAULT_SORT = "-updated_at"  # updated_at is indexed: the first page of a million rows stays fast

CONTACT_SORTS: dict[str, tuple[str, ...]] = {
    "name": ("family_name_kana", "given_name_kana", "family_name"),
    "company": ("company__name_kana", "company__name"),
    "email": ("email",),
    "phone": ("phone",),
    "lifecycle_status": ("lifecycle_status",),
    "prefecture": ("prefecture",),
    "source": ("source",),
    "consent_state": ("consent_state",),
    "owner": ("owner__username",),
    "created_at": ("created_at",),
    "updated_at": ("updated_at",),
}

COMPANY_SORTS: dict[str, tuple[str, ...]] = {
    "name": ("name_kana", "name"),
    "industry": ("industry",),
    "size": ("size",),
    "phone": ("phone",),
    "prefecture": ("prefecture",),
    "owner": ("owner__username",),
    "created_at": ("created_at",),
    "updated_at": ("updated_at",),
}

# Filter name -> ORM lookup. Only these (and ``custom.<key>``) reach the database.
_COMMON_FILTERS: dict[str, str] = {
    "owner": "owner_id",
    "team": "team_id",
    "prefecture": "prefecture",
    "tag": "tags",
}
CONTACT_FILTERS: dict[str, str] = {
    **_COMMON_FILTERS,
    "lifecycle_status": "lifecycle_status",
    "source": "source__icontains",
    "consent_state": "consent_state",
    "company_id": "company_id",
}
COMPANY_FILTERS: dict[str, str] = {**_COMMON_FILTERS, "industry": "industry__icontains", "size": "size"}
_SPECIAL_FILTERS = {"company", "created_from", "created_to"}
_CUSTOM_FILTER_RE = re.compile(r"^custom\.[A-Za-z_][A-Za-z0-9_]*(__icontains)?$")
_CUSTOM_HAS_RE = re.compile(r"^custom\.([A-Za-z_][A-Za-z0-9_]*)__has$")
# A multiple-choice value is a JSON list; "has X" tests its first positions (JSON containment does not
# exist on SQLite, and SQLite stores non-ASCII text escaped, so a text match would miss it).
MULTI_CHOICE_POSITIONS = 30


def contact_table(
    *, user: Any, search: str = "", filters: dict[str, Any] | None = None, sort: str = DEFAULT_SORT
) -> QuerySet[Contact]:
    """Contacts ``user`` may see for a list or an export: search (kanji, kana, email, company), filters, sort.

    ``filters`` uses the names of :data:`CONTACT_FILTERS`, ``company`` (name contains), ``created_from`` /
    ``created_to`` (dates, inclusive, in the active time zone) and ``custom.<key>[__icontains|__has]``.
    """
    filters = dict(filters or {})
    company = str(filters.pop("company", "") or "").strip()
    lookups, extra = _table_lookups(filters, CONTACT_FILTERS)
    qs = contact_list(user=user, filters=lookups).select_related("team")
    if company:
        match = Q(company__name__icontains=company)
        key = normalize_company_name(company)
        if key:
            match |= Q(company__name_normalized__contains=key)
        qs = qs.filter(match)
    return search_filter(qs.filter(extra), search).order_by(*_ordering(sort, CONTACT_SORTS))


def company_table(
    *, user: Any, search: str = "", filters: dict[str, Any] | None = None, sort: str = DEFAULT_SORT
) -> QuerySet[Company]:
    """Companies ``user`` may see for a list or an export: search name (kanji, kana), 法人番号, phone."""
    lookups, extra = _table_lookups(dict(filters or {}), COMPANY_FILTERS)
    qs = company_list(user=user, filters=lookups).select_related("team")
    return search_filter(qs.filter(extra), search).order_by(*_ordering(sort, COMPANY_SORTS))


def _table_lookups(filters: dict[str, Any], allowed: dict[str, str]) -> tuple[dict[str, Any], Q]:
    """Plain lookups for :func:`contact_list` / :func:`company_list`, and the conditions they cannot say."""
    lookups: dict[str, Any] = {}
    extra = Q()
    for name, value in filters.items():
        has = _CUSTOM_HAS_RE.match(name)
        if value in (None, "", []):
            continue
        if name in allowed:
            lookups[allowed[name]] = value
        elif has:
            key = has.group(1)
            any_position = Q()
            for i in range(MULTI_CHOICE_POSITIONS):
                any_position |= Q(**{f"custom__{key}__{i}": value})
            extra &= any_position
        elif _CUSTOM_FILTER_RE.match(name):
            lookups[name] = value
        elif name == "created_from":
            extra &= Q(created_at__gte=_day_start(value))
        elif name == "created_to":
            extra &= Q(created_at__lt=_day_start(value + dt.timedelta(days=1)))
        elif name not in _SPECIAL_FILTERS:
            raise ValueError(f"unknown list filter {name!r}")
    return lookups, extra


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())


def _ordering(sort: str, allowed: dict[str, tuple[str, ...]]) -> list[str]:
    """``"-name"`` -> ``["-family_name_kana", …, "-id"]``; an unknown key falls back to the default sort."""
    key = sort.lstrip("-")
    if key not in allowed:
        return _ordering(DEFAULT_SORT, allowed)
    prefix = "-" if sort.startswith("-") else ""
    return [prefix + name for name in (*allowed[key], "id")]


def table_page(qs: QuerySet[M], *, page: int, size: int = PAGE_SIZE) -> tuple[list[M], bool]:
    """One page of ``qs`` and whether another follows, without counting: fetches ``size + 1`` rows."""
    start = (max(page, 1) - 1) * size
    rows = list(qs[start : start + size + 1])
    return rows[:size], len(rows) > size


def table_count(qs: QuerySet[Any], *, limit: int = COUNT_LIMIT) -> int:
    """The number of rows of ``qs``, counted up to ``limit + 1`` (a result above ``limit`` means "more")."""
    return qs.order_by().values("pk")[: limit + 1].count()


def contacts_by_ids(*, user: Any, ids: list[int]) -> QuerySet[Contact]:
    return contact_list(user=user).filter(pk__in=ids).select_related("team").order_by("id")


def companies_by_ids(*, user: Any, ids: list[int]) -> QuerySet[Company]:
    return company_list(user=user).filter(pk__in=ids).select_related("team").order_by("id")


def company_suggest(*, user: Any, query: str, limit: int = 10) -> list[Company]:
    """Companies for a "pick a company" box: name contains ``query`` (kanji, kana, legal form folded)."""
    if not normalize_text(query):
        return []
    return list(company_table(user=user, search=query, sort="name").prefetch_related(None)[:limit])


def company_ids_named(*, user: Any, name: str) -> list[int]:
    """Ids of visible companies whose name is ``name`` (legal form and width folded); at most two."""
    key = normalize_company_name(name)
    if not key:
        return []
    qs = visible(Company.objects.filter(name_normalized=key), user).order_by("id")
    return list(qs.values_list("pk", flat=True)[:2])


def owner_choices() -> QuerySet[User]:
    """Active users, for owner filters and "assign owner" (the service checks who may be assigned)."""
    return User.objects.filter(is_active=True).order_by("username")


def team_choices() -> QuerySet[Team]:
    return Team.objects.order_by("name")


def tag_choices() -> QuerySet[Tag]:
    return Tag.objects.order_by("name")


def custom_field_definitions(*, object_type: str) -> list[CustomFieldDefinition]:
    """Active custom fields of ``object_type`` (``"customers.contact"``) in display order."""
    return list(
        CustomFieldDefinition.objects.filter(object_type=object_type, active=True).order_by("position", "id")
    )


def saved_view_list(*, user: Any, object_type: str) -> QuerySet[SavedView]:
    """The user's own views and everyone's shared views of ``object_type``."""
    return (
        SavedView.objects.filter(object_type=object_type)
        .filter(Q(owner_id=user.pk) | Q(shared=True))
        .select_related("owner")
        .order_by("name", "id")
    )


def saved_view_get(*, user: Any, pk: Any, object_type: str) -> SavedView:
    """One of :func:`saved_view_list`, or KZ-AUTH-001 (missing, or someone else's personal view)."""
    view: SavedView = get_visible(
        saved_view_list(user=user, object_type=object_type), pk, object_type="saved view", user=user
    )
    return view


# --- Record pages (customer 360, views/detail.py; the timeline is in timeline.py) -------------

PEOPLE_PAGE_SIZE = 20


def company_people(
    *, user: Any, company: Company, page: int = 1, page_size: int = PEOPLE_PAGE_SIZE
) -> tuple[list[Contact], bool]:
    """One page of the company's contacts the user may see, and whether another page follows."""
    start = (max(page, 1) - 1) * page_size
    qs = (
        visible(Contact.objects.filter(company_id=company.pk), user)
        .select_related("owner")
        .order_by("family_name_kana", "given_name_kana", "id")
    )
    rows = list(qs[start : start + page_size + 1])
    return rows[:page_size], len(rows) > page_size


def assignable_owners(*, user: Any, limit: int = 500) -> list[User]:
    """Active users ``user`` may assign records to: anyone, their team, or only themselves."""
    from kizuna.core.permissions import Scope

    scope = user.policy.edit
    if scope == Scope.NONE:
        return []
    qs = User.objects.filter(is_active=True)
    if scope == Scope.OWN or (scope == Scope.TEAM and user.team_id is None):
        qs = qs.filter(pk=user.pk)
    elif scope == Scope.TEAM:
        qs = qs.filter(Q(team_id=user.team_id) | Q(pk=user.pk))
    return list(qs.order_by("username")[:limit])
