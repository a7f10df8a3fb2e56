"""Companies, contacts, tags and administrator-defined custom fields."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kizuna.accounts.models import OwnedModel
from kizuna.core.models import SearchableModel
from kizuna.core.normalize.prefecture import prefecture_choices
from kizuna.core.normalize.search import national_digits


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)
    color = models.CharField(_("color"), max_length=7, default="#6b7280")

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CompanySize(models.TextChoices):
    MICRO = "1-9", _("1–9 employees")
    SMALL = "10-49", _("10–49 employees")
    MEDIUM = "50-299", _("50–299 employees")
    LARGE = "300-999", _("300–999 employees")
    ENTERPRISE = "1000+", _("1,000 or more employees")


class AddressFields(models.Model):
    postal_code = models.CharField(_("postal code"), max_length=8, blank=True)
    prefecture = models.CharField(_("prefecture"), max_length=4, blank=True, choices=prefecture_choices)
    city = models.CharField(_("city"), max_length=100, blank=True)
    address_line1 = models.CharField(_("address line 1"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)

    class Meta:
        abstract = True


class Company(OwnedModel, AddressFields, SearchableModel):
    name = models.CharField(_("company name"), max_length=200)
    name_kana = models.CharField(_("company name (kana)"), max_length=200, blank=True)
    # Legal forms and widths folded (株式会社/(株)/㈱): the key duplicate detection and imports match on.
    name_normalized = models.CharField(_("normalized name"), max_length=200, db_index=True, editable=False)
    corporate_number = models.CharField(
        _("corporate number"),
        max_length=13,
        null=True,
        blank=True,
        unique=True,
        help_text=_("法人番号: 13 digits, the first is a check digit."),
    )
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    size = models.CharField(_("size"), max_length=8, choices=CompanySize.choices, blank=True)
    website = models.URLField(_("website"), blank=True)
    phone = models.CharField(_("phone (E.164)"), max_length=20, blank=True, db_index=True)
    phone_raw = models.CharField(_("phone as entered"), max_length=50, blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="companies")
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name_kana", "name", "id"]
        indexes = [models.Index(fields=["name_kana", "name", "id"], name="company_kana_idx")]

    def __str__(self) -> str:
        return self.name

    def search_parts(self) -> list[str]:
        return [self.name, self.name_kana, self.corporate_number or "", national_digits(self.phone)]


class LifecycleStatus(models.TextChoices):
    LEAD = "lead", _("Lead")
    PROSPECT = "prospect", _("Prospect")
    CUSTOMER = "customer", _("Customer")
    CHURNED = "churned", _("Churned")


class ConsentState(models.TextChoices):
    UNKNOWN = "unknown", _("Unknown")
    GRANTED = "granted", _("Granted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Contact(OwnedModel, AddressFields, SearchableModel):
    family_name = models.CharField(_("family name"), max_length=50)
    given_name = models.CharField(_("given name"), max_length=50, blank=True)
    family_name_kana = models.CharField(_("family name (kana)"), max_length=50, blank=True)
    given_name_kana = models.CharField(_("given name (kana)"), max_length=50, blank=True)
    company = models.ForeignKey(
        Company,
        verbose_name=_("company"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
    )
    department = models.CharField(_("department"), max_length=100, blank=True)
    title = models.CharField(_("job title"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True, db_index=True)
    phone = models.CharField(_("phone (E.164)"), max_length=20, blank=True, db_index=True)
    phone_raw = models.CharField(_("phone as entered"), max_length=50, blank=True)
    mobile = models.CharField(_("mobile (E.164)"), max_length=20, blank=True, db_index=True)
    mobile_raw = models.CharField(_("mobile as entered"), max_length=50, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=100, blank=True)
    lifecycle_status = models.CharField(
        _("lifecycle status"),
        max_length=16,
        choices=LifecycleStatus.choices,
        default=LifecycleStatus.LEAD,
        db_index=True,
    )
    consent_state = models.CharField(
        _("marketing consent"), max_length=16, choices=ConsentState.choices, default=ConsentState.UNKNOWN
    )
    consent_source = models.CharField(_("consent source"), max_length=100, blank=True)
    consent_at = models.DateTimeField(_("consent recorded at"), null=True, blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="contacts")
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["family_name_kana", "given_name_kana", "id"]
        indexes = [
            models.Index(fields=["family_name_kana", "given_name_kana", "id"], name="contact_kana_idx"),
            models.Index(fields=["owner", "lifecycle_status"], name="contact_owner_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.family_name} {self.given_name}".strip()

    @property
    def full_name(self) -> str:
        return str(self)

    def search_parts(self) -> list[str]:
        """Full name in kanji and in kana (so "山田太郎" and "太郎" both match), email, company, phones."""
        company = self.company.name if self.company_id and self.company else ""
        return [
            f"{self.family_name}{self.given_name}",
            f"{self.family_name_kana}{self.given_name_kana}",
            self.email,
            company,
            national_digits(self.phone),
            national_digits(self.mobile),
        ]


class CustomFieldType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")
    MULTI_CHOICE = "multi_choice", _("Multiple choice")
    BOOLEAN = "boolean", _("Yes/no")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    URL = "url", _("URL")


class CustomFieldObject(models.TextChoices):
    COMPANY = "customers.company", _("Company")
    CONTACT = "customers.contact", _("Contact")
    DEAL = "sales.deal", _("Deal")
    PRODUCT = "sales.product", _("Product")
    ORDER = "sales.order", _("Order")
    TICKET = "support.ticket", _("Ticket")


class CustomFieldDefinition(models.Model):
    """An extra field an administrator adds to one object type; values live in the object's ``custom``."""

    object_type = models.CharField(_("object type"), max_length=32, choices=CustomFieldObject.choices)
    key = models.SlugField(
        _("key"), max_length=50, help_text=_("Letters, digits and underscores; used in imports and the API.")
    )
    label_ja = models.CharField(_("label (Japanese)"), max_length=100)
    label_en = models.CharField(_("label (English)"), max_length=100, blank=True)
    field_type = models.CharField(_("type"), max_length=16, choices=CustomFieldType.choices)
    required = models.BooleanField(_("required"), default=False)
    unique = models.BooleanField(_("unique"), default=False)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        ordering = ["object_type", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["object_type", "key"], name="customfield_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_object_type_display()}: {self.label_ja}"

    def label(self, language: str = "ja") -> str:
        return self.label_en if language.startswith("en") and self.label_en else self.label_ja


class CustomFieldUniqueValue(models.Model):
    """Enforces a unique custom field in the database: one row per (field, value)."""

    definition = models.ForeignKey(
        CustomFieldDefinition, on_delete=models.CASCADE, related_name="unique_values"
    )
    object_id = models.BigIntegerField()
    value = models.CharField(max_length=255)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["definition", "value"], name="customfield_value_unique"),
            models.UniqueConstraint(fields=["definition", "object_id"], name="customfield_object_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.definition.key}={self.value}"


class SavedViewObject(models.TextChoices):
    CONTACT = "contact", _("Contacts")
    COMPANY = "company", _("Companies")


class SavedView(models.Model):
    """A named list view (search, filters, sort, columns) of contacts or companies, personal or shared."""

    owner = models.ForeignKey(
        "accounts.User", verbose_name=_("owner"), on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(_("name"), max_length=100)
    object_type = models.CharField(_("object type"), max_length=16, choices=SavedViewObject.choices)
    shared = models.BooleanField(
        _("shared"),
        default=False,
        help_text=_("Visible to everyone; only its owner or an administrator can change it."),
    )
    # The list's query string as a mapping ({"q": "やまだ", "lifecycle_status": "lead", "sort": "-updated_at"}).
    query = models.JSONField(_("filters and sort"), default=dict, blank=True)
    columns = models.JSONField(_("columns"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "object_type", "name"], name="savedview_owner_name_unique"
            ),
        ]
        indexes = [models.Index(fields=["object_type", "shared"], name="savedview_type_shared_idx")]

    def __str__(self) -> str:
        return self.name
