"""Pure normalizers for Japanese CRM data: text, phone, postal code, prefecture, company, 法人番号, email,
dates.

No models, no I/O. Validating functions raise :class:`kizuna.core.errors.KizunaError` (KZ-VAL-005..009, 016..018)
and return "" (or None) for empty input, leaving "required" to the caller.
"""

from kizuna.core.normalize.company import LEGAL_FORMS, display_company_name, normalize_company_name
from kizuna.core.normalize.corporate_number import corporate_number_check_digit, normalize_corporate_number
from kizuna.core.normalize.dates import ERAS, DateOrder, Era, era_date, infer_date_order, normalize_date
from kizuna.core.normalize.email import normalize_email
from kizuna.core.normalize.phone import PHONE_KINDS, PhoneNumber, format_phone_national, normalize_phone
from kizuna.core.normalize.postal import normalize_postal_code
from kizuna.core.normalize.prefecture import (
    PREFECTURES,
    Prefecture,
    get_prefecture,
    normalize_prefecture,
    prefecture_choices,
)
from kizuna.core.normalize.text import (
    fold_for_search,
    is_kana,
    normalize_text,
    normalize_wave_dash,
    strip_brackets,
    to_hiragana,
    to_katakana,
    unify_dashes,
)

__all__ = [
    "ERAS",
    "DateOrder",
    "Era",
    "era_date",
    "infer_date_order",
    "normalize_date",
    "LEGAL_FORMS",
    "PHONE_KINDS",
    "PREFECTURES",
    "PhoneNumber",
    "Prefecture",
    "corporate_number_check_digit",
    "display_company_name",
    "fold_for_search",
    "format_phone_national",
    "get_prefecture",
    "is_kana",
    "normalize_company_name",
    "normalize_corporate_number",
    "normalize_email",
    "normalize_phone",
    "normalize_postal_code",
    "normalize_prefecture",
    "normalize_text",
    "normalize_wave_dash",
    "prefecture_choices",
    "strip_brackets",
    "to_hiragana",
    "to_katakana",
    "unify_dashes",
]
