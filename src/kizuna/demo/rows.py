"""Row tuples for one chunk of demo contacts and everything that hangs off them.

Each ``*_COLUMNS`` tuple names the model attributes a generator fills, in order; ``writers`` checks
them against the models before loading, so a new NOT NULL field fails loudly instead of mid-load.
Values are already in storage form: datetimes as naive UTC text ("2024-05-01 09:30:00", what Django
writes on SQLite and what PostgreSQL reads in the UTC session Django opens), JSON as text.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Final

from kizuna.core.normalize import corporate_number_check_digit, normalize_company_name
from kizuna.core.normalize.search import folded_document, join_documents, national_digits, part_document

from . import pools as p
from .spec import Reference

Row = tuple[Any, ...]

COMPANY_COLUMNS: Final = (
    "id", "created_at", "updated_at", "version", "owner_id", "team_id", "postal_code", "prefecture", "city",
    "address_line1", "address_line2", "name", "name_kana", "name_normalized", "corporate_number", "industry",
    "size", "website", "phone", "phone_raw", "custom", "search_text",
)  # fmt: skip
CONTACT_COLUMNS: Final = (
    "id", "created_at", "updated_at", "version", "owner_id", "team_id", "postal_code", "prefecture", "city",
    "address_line1", "address_line2", "family_name", "given_name", "family_name_kana", "given_name_kana",
    "company_id", "department", "title", "email", "phone", "phone_raw", "mobile", "mobile_raw", "birth_date",
    "source", "lifecycle_status", "consent_state", "consent_source", "consent_at", "custom", "search_text",
)  # fmt: skip
CONTACT_TAG_COLUMNS: Final = ("id", "contact_id", "tag_id")

DAY: Final = 86_400
JST_OFFSET: Final = 9 * 3600
COMPANY_SIZES: Final = p.bag(("1-9", "10-49", "50-299", "300-999", "1000+"), (30, 35, 20, 10, 5))
LIFECYCLES: Final = p.bag(("lead", "prospect", "customer", "churned"), (35, 25, 35, 5))
CONSENTS: Final = p.bag(("unknown", "granted", "withdrawn"), (45, 40, 15))
MOBILE_PREFIXES: Final = ("090", "080", "070")
PERSONAL_DOMAINS: Final = ("example.com", "example.net", "example.org")
BUILDING_KINDS: Final = ("ビル", "タワー", "第2ビル")
# Times of day as text, built once: formatting "HH:MM:SS" per value was a tenth of the load.
_TIMES_OF_DAY: Final = tuple(f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(DAY))


class Clock:
    """Draws and formats moments as naive UTC text ("2024-05-01 00:30:00").

    It has its own random stream, so the rows' structure (how many lines an order has, which stages a
    deal went through) depends only on the seed, not on today's date.
    """

    def __init__(self, now: int, seed: int) -> None:
        self.now = now
        self.dice = p.Dice(seed ^ 0x5EED)
        self.start = now - 3 * 365 * DAY  # demo history covers the last three years
        self._days: dict[int, str] = {}

    def date(self, ts: int) -> str:
        day = ts // DAY
        text = self._days.get(day)
        if text is None:
            text = self._days[day] = time.strftime("%Y-%m-%d", time.gmtime(day * DAY))
        return text

    def dt(self, ts: int) -> str:
        return f"{self.date(ts)} {_TIMES_OF_DAY[ts % DAY]}"

    def between(self, start: int, end: int) -> int:
        return self.dice.between(start, max(start, end))

    def business_time(self, start: int, end: int) -> int:
        """A moment between ``start`` and ``end`` during Japanese office hours (09:00–19:00 JST)."""
        end = max(start, end)
        day = self.dice.between((start + JST_OFFSET) // DAY, (end + JST_OFFSET) // DAY)
        return min(max(day * DAY + self.dice.between(9 * 3600, 19 * 3600) - JST_OFFSET, start), end)

    def created_updated(self) -> tuple[int, int]:
        created = self.between(self.start, self.now - DAY)
        return created, self.between(created, self.now)


@dataclass(slots=True)
class Ids:
    """Next free primary key per table; ranges start above everything already in the database."""

    next: dict[str, int]

    def take(self, table: str, count: int) -> int:
        first = self.next[table]
        self.next[table] = first + count
        return first


@dataclass(slots=True)
class ContactInfo:
    """What later tables of the same chunk need to know about its contacts (parallel lists)."""

    ids: list[int] = field(default_factory=list)
    company: list[int | None] = field(default_factory=list)
    owner: list[tuple[int, int]] = field(default_factory=list)
    created: list[int] = field(default_factory=list)
    status: list[str] = field(default_factory=list)
    family: list[str] = field(default_factory=list)


Address = tuple[str, str, str, str, str]


@dataclass(slots=True)
class CompanyInfo:
    ids: list[int] = field(default_factory=list)
    owner: list[tuple[int, int]] = field(default_factory=list)
    address: list[Address] = field(default_factory=list)
    city: list[p.City] = field(default_factory=list)
    name: list[str] = field(default_factory=list)
    document: list[str] = field(default_factory=list)  # search document of the name
    slug: list[str] = field(default_factory=list)


def fixed_phone(dice: p.Dice, area_code: str) -> tuple[str, str]:
    """(E.164, as written) for a landline in the area: ("+81312345678", "03-1234-5678").

    The subscriber number starts with 5–8, which every area code used here accepts (checked against
    phonenumbers' metadata in the tests).
    """
    rest = 9 - len(area_code)  # a national number has 9 digits after the trunk 0
    digits = f"{dice.between(5, 8)}{int(dice.random() * 10**rest):0{rest}d}"
    split = {2: 4, 3: 3, 4: 2}[len(area_code)]
    return f"+81{area_code[1:]}{digits}", f"{area_code}-{digits[:split]}-{digits[split:]}"


def mobile_phone(dice: p.Dice) -> tuple[str, str]:
    prefix = dice.pick(MOBILE_PREFIXES)
    digits = f"{dice.between(1, 9)}{int(dice.random() * 10**7):07d}"
    return f"+81{prefix[1:]}{digits}", f"{prefix}-{digits[:4]}-{digits[4:]}"


# 会社法人等番号 kinds: 01 株式会社, 02 有限会社, 03 合名会社, 04 合資会社, 05 合同会社.
LEGAL_FORM_CODES: Final = {"株式会社": "01", "有限会社": "02", "合同会社": "05"}


def corporate_number(company_id: int, legal_form_code: str) -> str:
    """A 法人番号 with a valid check digit, unique per company id (ids are never reused).

    The 12 base digits follow the real layout: a 4-digit registry office, 2-digit kind, 6-digit serial.
    """
    office, serial = divmod(company_id, 1_000_000)
    base = f"{1000 + office % 9000:04d}{legal_form_code}{serial:06d}"
    return f"{corporate_number_check_digit(base)}{base}"


class ChunkGenerator:
    """Generates the rows of one chunk of contacts; the seeded dice make every chunk reproducible."""

    def __init__(
        self, *, dice: p.Dice, pools: p.Pools, ref: Reference, ids: Ids, clock: Clock, taken_numbers: set[str]
    ) -> None:
        self.dice = dice
        self.pools = pools
        self.ref = ref
        self.ids = ids
        self.clock = clock
        # Corporate numbers already in the database (entered by hand): never reused.
        self.taken_numbers = taken_numbers
        self._normalized: dict[str, str] = {}
        self._documents: dict[str, str] = {}

    def address(self, city: p.City) -> Address:
        dice = self.dice
        line1 = f"{dice.pick(self.pools.towns)}{dice.between(1, 5)}丁目{dice.between(1, 30)}番{dice.between(1, 20)}号"
        line2 = ""
        if dice.chance(0.5):
            line2 = f"{dice.pick(self.pools.buildings)}{dice.pick(BUILDING_KINDS)} {dice.between(1, 12)}F"
        return f"{city.postal3}-{int(dice.random() * 10_000):04d}", city.prefecture, city.city, line1, line2

    def document(self, text: str) -> str:
        """The search document of ``text`` as one field (cached: subjects and names repeat)."""
        return self._cached(self._documents, part_document, text)

    def _cached(self, cache: dict[str, str], function: Any, text: str) -> str:
        # Company names repeat (山田商事 is common): normalize and fold each distinct name once.
        value = cache.get(text)
        if value is None:
            value = cache[text] = function(text)
        return value

    def _corporate_number(self, company_id: int, name: str) -> str | None:
        if not self.dice.chance(0.9):
            return None  # not every record in a CRM has its 法人番号 filled in
        form = next((f for f in LEGAL_FORM_CODES if f in name), "株式会社")
        number = corporate_number(company_id, LEGAL_FORM_CODES[form])
        return None if number in self.taken_numbers else number

    def companies(self, count: int) -> tuple[list[Row], CompanyInfo]:
        dice, clock, pools = self.dice, self.clock, self.pools
        first = self.ids.take("company", count)
        info = CompanyInfo()
        rows: list[Row] = []
        for company_id in range(first, first + count):
            cname = p.company_name(dice, pools)
            city, owner = dice.pick(pools.cities), dice.pick(self.ref.sales)
            address = self.address(city)
            phone, phone_raw = fixed_phone(dice, city.area_code)
            created, updated = clock.created_updated()
            number = self._corporate_number(company_id, cname.name)
            name_document = self._cached(self._documents, part_document, cname.name)
            # Same parts, same order as Company.search_parts (the demo tests compare them).
            document = join_documents((
                name_document, self._cached(self._documents, part_document, cname.kana), number or "",
                national_digits(phone),
            ))  # fmt: skip
            rows.append((
                company_id, clock.dt(created), clock.dt(updated), 1, owner[0], owner[1], *address,
                cname.name, cname.kana, self._cached(self._normalized, normalize_company_name, cname.name),
                number, cname.industry, dice.pick(COMPANY_SIZES),
                f"https://www.{cname.slug}.example.jp", phone, phone_raw, "{}", document,
            ))  # fmt: skip
            info.ids.append(company_id)
            info.owner.append(owner)
            info.address.append(address)
            info.city.append(city)
            info.name.append(cname.name)
            info.document.append(name_document)
            info.slug.append(cname.slug)
        return rows, info

    def email(self, family: p.Name, given: p.Name, slug: str | None) -> str:
        """Addresses under example.* domains only (reserved, RFC 2606): a demo mail can reach nobody."""
        dice = self.dice
        if slug is None:
            return f"{given.romaji}.{family.romaji}{dice.between(1, 9999)}@{dice.pick(PERSONAL_DOMAINS)}"
        pattern = dice.between(0, 3)
        if pattern == 0:
            local = f"{given.romaji}.{family.romaji}"
        elif pattern == 1:
            local = f"{given.romaji[0]}-{family.romaji}"
        elif pattern == 2:
            local = f"{family.romaji}.{given.romaji[0]}"
        else:
            local = f"{family.romaji}{dice.between(1, 99)}"
        return f"{local}@{slug}.example.jp"

    def _employer(
        self, companies: CompanyInfo
    ) -> tuple[int | None, str, tuple[int, int], p.City, Address, str | None, str, str]:
        """(company, its name's search document, owner, city, address, domain slug, department, title) of a contact.

        Nine in ten contacts work at one of the chunk's companies and share its owner (the account
        owner) and address; the rest are individual customers with an address of their own.
        """
        dice = self.dice
        if not companies.ids or not dice.chance(0.9):
            city = dice.pick(self.pools.cities)
            return None, "", dice.pick(self.ref.sales), city, self.address(city), None, "", ""
        i = int(dice.random() * len(companies.ids))
        return (
            companies.ids[i], companies.document[i], companies.owner[i], companies.city[i], companies.address[i],
            companies.slug[i], dice.pick(p.DEPARTMENTS), dice.pick(p.TITLES),
        )  # fmt: skip

    def contacts(self, count: int, companies: CompanyInfo) -> tuple[list[Row], ContactInfo]:
        dice, clock, pools = self.dice, self.clock, self.pools
        first = self.ids.take("contact", count)
        info = ContactInfo()
        rows: list[Row] = []
        for contact_id in range(first, first + count):
            family, given = dice.pick(pools.family_names), dice.pick(pools.given_names)
            company_id, company_document, owner, city, address, slug, department, title = self._employer(
                companies
            )
            email = self.email(family, given, slug)
            phone, phone_raw = fixed_phone(dice, city.area_code) if dice.chance(0.5) else ("", "")
            mobile, mobile_raw = mobile_phone(dice) if dice.chance(0.6) else ("", "")
            created, updated = clock.created_updated()
            status, consent = dice.pick(LIFECYCLES), dice.pick(CONSENTS)
            consented = consent != "unknown"
            birth = clock.date(clock.between(-15 * 365, 30 * 365) * DAY) if dice.chance(0.15) else None
            # Same parts, same order as Contact.search_parts; names and e-mail are folded already.
            document = join_documents((
                folded_document(family.fold_kanji + given.fold_kanji),
                folded_document(family.fold_kana + given.fold_kana), folded_document(email), company_document,
                national_digits(phone), national_digits(mobile),
            ))  # fmt: skip
            rows.append((
                contact_id, clock.dt(created), clock.dt(updated), 1, owner[0], owner[1], *address,
                family.kanji, given.kanji, family.kana, given.kana, company_id, department, title, email,
                phone, phone_raw, mobile, mobile_raw, birth, dice.pick(p.SOURCES), status, consent,
                dice.pick(p.CONSENT_SOURCES) if consented else "", clock.dt(created) if consented else None,
                "{}", document,
            ))  # fmt: skip
            info.ids.append(contact_id)
            info.company.append(company_id)
            info.owner.append(owner)
            info.created.append(created)
            info.status.append(status)
            info.family.append(family.kanji)
        return rows, info

    def contact_tags(self, contacts: ContactInfo, count: int) -> list[Row]:
        """``count`` tagged contacts with one or two distinct tags each (the M2M through table)."""
        rng = self.dice.rng
        pairs: list[tuple[int, int]] = []
        for index in rng.sample(range(len(contacts.ids)), min(count, len(contacts.ids))):
            pairs.extend(
                (contacts.ids[index], tag_id)
                for tag_id in rng.sample(self.ref.tag_ids, self.dice.pick((1, 1, 2)))
            )
        first = self.ids.take("contact_tags", len(pairs))
        return [(first + i, contact_id, tag_id) for i, (contact_id, tag_id) in enumerate(pairs)]
