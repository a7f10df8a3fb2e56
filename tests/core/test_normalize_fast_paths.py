"""The fast paths of normalize_phone and normalize_email must agree with the libraries they bypass.

normalize_phone / normalize_email answer common shapes without calling phonenumbers / email_validator;
``_normalize_phone_library`` / ``_normalize_email_library`` always call them. For any input both must
return the same value, or raise KizunaError with the same code, context and field. The generators
lean towards what people actually type (area codes of every length, mobiles, 050, 0120/0800, +81,
full-width digits, look-alike dashes, extensions) and the edges the fast paths must hand over to
the libraries (no trunk 0, 010, wrong lengths, special-use domains, Punycode, role addresses).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import email_validator
import phonenumbers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from phonenumbers.phonenumberutil import _number_type_helper

from kizuna.core.errors import KizunaError
from kizuna.core.normalize import PhoneNumber, normalize_email, normalize_phone

phone_module = importlib.import_module("kizuna.core.normalize.phone")
email_module = importlib.import_module("kizuna.core.normalize.email")

# Deterministic enough for CI time: no example database written into the checkout, no deadline
# (the library path is slow on a busy machine), and no complaints about large generated inputs.
FAST = settings(max_examples=1500, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
SOME = settings(max_examples=500, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def outcome(function: Callable[..., Any], raw: str | None, **kwargs: Any) -> tuple[Any, ...]:
    """What a normalizer did with ``raw``: ("ok", value) or ("error", code, context, field)."""
    try:
        return ("ok", function(raw, field="f", **kwargs))
    except KizunaError as exc:
        return ("error", exc.code, exc.context, exc.field)


def assert_phone_paths_agree(raw: str, region: str = "JP") -> None:
    fast = outcome(normalize_phone, raw, region=region)
    assert fast == outcome(phone_module._normalize_phone_library, raw, region=region), raw


def assert_email_paths_agree(raw: str) -> None:
    assert outcome(normalize_email, raw) == outcome(email_module._normalize_email_library, raw), raw


# --- Phone strategies -------------------------------------------------------------------------------

# Area codes with 1 to 4 digits after the 0, and the non-geographic prefixes.
AREA_CODES = [
    "03", "06",
    "011", "022", "045", "052", "075", "078", "082", "092", "098",
    "0120", "0422", "0466", "0476", "0570", "0599", "0800", "0990", "0995",
    "01267", "01372", "01456", "01564", "01634", "04992", "04994", "05979", "09802", "09913",
    "020", "050", "060", "070", "080", "090",
]  # fmt: skip
ELEVEN_DIGITS = {"020", "050", "060", "070", "080", "090", "0800"}
SEPARATORS = ["-", " ", "", "(", ")", ".", "－", "ー", "ｰ", "‐", "−", "–", "—", "―", "\u3000", "  ", " - "]
EXTENSIONS = ["", " 内線12", "（内線123）", " 内123", " ext. 45", " EXT9", " x9", "#7", " (内線 8)"]
LABELS = ["", "TEL:", "Tel. ", "電話番号：", "℡", "携帯 ", "ＴＥＬ："]
FULL_WIDTH = str.maketrans("0123456789+()", "０１２３４５６７８９＋（）")


def rarely(n: int) -> st.SearchStrategy[bool]:
    """True about once in ``n`` draws (hypothesis draws integers near their bounds far more often)."""
    return st.sampled_from([False] * (n - 1) + [True])


@st.composite
def grouped(draw: st.DrawFn, digits: str) -> str:
    """``digits`` cut into groups joined by separators, as people write them."""
    out = ""
    for index, digit in enumerate(digits):
        if index and draw(rarely(4)):
            out += draw(st.sampled_from(SEPARATORS))
        out += digit
    return out


@st.composite
def japanese_phones(draw: st.DrawFn) -> str:
    area = draw(st.sampled_from(AREA_CODES))
    # Mostly the right total (11 digits with the 0 for mobile, IP, pager and 0800, else 10), sometimes
    # one too few or too many.
    total = 11 if area in ELEVEN_DIGITS else 10
    total += draw(st.sampled_from([0, 0, 0, 0, 0, 0, -1, 1]))
    rest = draw(
        st.text(alphabet="0123456789", min_size=max(total - len(area), 1), max_size=max(total - len(area), 1))
    )
    if draw(st.booleans()):
        # Written as area code, local exchange, subscriber number: "03-1234-5678", "(0466)12-3456".
        cut = draw(st.integers(0, len(rest)))
        opening, closing = draw(st.sampled_from([("", "-"), ("(", ")"), ("", ")"), ("", " "), ("（", "）")]))
        number = (
            f"{opening}{area}{closing}{rest[:cut]}{draw(st.sampled_from(['-', ' ', '', '－']))}{rest[cut:]}"
        )
    else:
        number = draw(grouped(area + rest))
    form = draw(st.sampled_from(["national", "national", "national", "+81", "+81 (0)", "excel"]))
    without_trunk = number.lstrip("(（").removeprefix("0")
    if form == "+81":
        number = draw(st.sampled_from(["+81 ", "+81-", "+81", "＋８１ ", "+81 0", "+810"])) + without_trunk
    elif form == "+81 (0)":
        number = draw(st.sampled_from(["+81 (0)", "+81-(0)", "+81(0)"])) + without_trunk
    elif form == "excel":
        number = without_trunk  # Excel turned the cell into a number and dropped the leading 0
    if draw(st.booleans()):
        number = number.translate(FULL_WIDTH)
    return draw(st.sampled_from(LABELS)) + number + draw(st.sampled_from(EXTENSIONS))


digit_strings = st.text(alphabet="0123456789", max_size=20)
phone_like_text = st.text(alphabet="0123456789０１２+＋-－ー() .（）xX#内線ext:：TEL", max_size=30)


@FAST
@given(japanese_phones())
def test_phone_fast_path_agrees_with_library_on_japanese_shapes(raw: str) -> None:
    assert_phone_paths_agree(raw)


@SOME
@given(st.one_of(digit_strings, digit_strings.map(lambda digits: "+" + digits), phone_like_text))
def test_phone_fast_path_agrees_with_library_on_random_digits_and_text(raw: str) -> None:
    assert_phone_paths_agree(raw)


@SOME
@given(
    st.sampled_from(
        ["0", "00", "010", "0100", "0101", "003768", "0002", "+81", "+810", "+8100", "+8", "81", "8"]
    ),
    st.text(alphabet="0123456789", min_size=6, max_size=12),
    st.sampled_from(["", "-"]),
)
def test_phone_fast_path_agrees_with_library_on_prefix_edges(
    prefix: str, digits: str, separator: str
) -> None:
    assert_phone_paths_agree(prefix + separator + digits)


@SOME
@given(japanese_phones(), st.sampled_from(["US", "GB", "jp", "ZZ"]))
def test_phone_fast_path_is_only_for_region_jp(raw: str, region: str) -> None:
    assert_phone_paths_agree(raw, region=region)


@SOME
@given(st.integers(8, 17).flatmap(lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n)))
def test_jp_number_type_is_phonenumbers_number_type_helper(nsn: str) -> None:
    rules = phone_module._JP_RULES
    assert rules is not None
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("JP")
    assert phone_module._jp_number_type(nsn, rules) == _number_type_helper(nsn, metadata)


@pytest.mark.parametrize(
    ("raw", "e164", "extension", "kind"),
    [
        ("03-1234-5678", "+81312345678", "", "fixed"),
        ("0466-12-3456", "+81466123456", "", "fixed"),
        ("01267-2-3456", "+81126723456", "", "fixed"),
        ("090-1234-5678", "+819012345678", "", "mobile"),
        ("070 1234 5678", "+817012345678", "", "mobile"),
        ("0120-123-456", "+81120123456", "", "toll_free"),
        ("0800-123-4567", "+818001234567", "", "toll_free"),
        ("050-1234-5678", "+815012345678", "", "ip"),
        ("0570-123-456", "+81570123456", "", "other"),
        ("+81 3-1234-5678", "+81312345678", "", "fixed"),
        ("+81-(0)90-1234-5678", "+819012345678", "", "mobile"),
        ("０３ー１２３４ー５６７８", "+81312345678", "", "fixed"),
        ("(03)1234-5678 内線12", "+81312345678", "12", "fixed"),
    ],
)
def test_common_phone_shapes_take_the_fast_path(
    monkeypatch: pytest.MonkeyPatch, raw: str, e164: str, extension: str, kind: str
) -> None:
    def no_library(*args: object, **kwargs: object) -> None:
        raise AssertionError("phonenumbers.parse called for a common shape")

    monkeypatch.setattr(phonenumbers, "parse", no_library)
    assert normalize_phone(raw) == PhoneNumber(e164=e164, extension=extension, kind=kind, raw=raw)
    with pytest.raises(AssertionError):  # the patch is in effect: the library path does call parse
        phone_module._normalize_phone_library(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "312345678",  # Excel dropped the 0
        "011-123-4567",  # invalid: the library words the error
        "03-1234-56789",  # wrong length
        "010-1-212-555-0100",  # international prefix
        "+1 650-253-0000",  # not Japan
    ],
)
def test_unusual_phone_shapes_go_to_the_library(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    class Called(Exception):
        """The library was asked."""

    def library(*args: object, **kwargs: object) -> None:
        raise Called

    monkeypatch.setattr(phonenumbers, "parse", library)
    with pytest.raises(Called):
        normalize_phone(raw)


def test_premium_rate_is_other_on_both_paths() -> None:
    phone = normalize_phone("0990-123-456")
    assert phone == PhoneNumber(e164="+81990123456", extension="", kind="other", raw="0990-123-456")
    assert phone == phone_module._normalize_phone_library("0990-123-456")


# --- Email strategies -------------------------------------------------------------------------------

ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
ROLE_NAMES = ["info", "Info", "SALES", "support", "PostMaster", "www", "abuse", "informatics", "sales2"]
COMMON_TLDS = [
    "jp",
    "JP",
    "com",
    "co.jp",
    "ne.jp",
    "or.jp",
    "ac.jp",
    "Co.Jp",
    "net",
    "org",
    "tokyo",
    "museum",
]
ODD_TLDS = [
    "xn--wgv71a", "c", "x1", "1jp", "test", "TEST", "localhost", "invalid", "local", "onion", "arpa",
    "in-addr.arpa", "example", "j-p", "a" * 63, "b" * 64,
]  # fmt: skip


@st.composite
def local_parts(draw: st.DrawFn) -> str:
    if draw(rarely(10)):
        return draw(st.sampled_from(ROLE_NAMES))
    runs = draw(st.lists(st.text(alphabet=ALNUM, min_size=1, max_size=12), min_size=1, max_size=4))
    separators = draw(
        st.lists(
            st.sampled_from(list("._+-._+-") + ["..", "__", "+-", "!", "'", " "]), min_size=3, max_size=3
        )
    )
    local = runs[0] + "".join(sep + run for sep, run in zip(separators, runs[1:], strict=False))
    if draw(rarely(10)):
        local = draw(st.sampled_from([".", "-", "_", "+"])) + local
    if draw(rarely(10)):
        local += draw(st.sampled_from([".", "-", "_", "+"]))
    if draw(rarely(20)):
        local = local * 8  # past 64 characters
    return local


@st.composite
def labels(draw: st.DrawFn) -> str:
    size = draw(st.sampled_from([8, 8, 8, 70]))  # sometimes past the 63-character limit
    label = draw(st.text(alphabet=ALNUM, min_size=1, max_size=size))
    if len(label) > 2 and draw(st.booleans()):
        cut = draw(st.integers(1, len(label) - 1))
        label = label[:cut] + "-" + label[cut:]
    if draw(rarely(8)):
        label = draw(st.sampled_from(["xn--", "ab--", "a--b", "xn--r8jz45g", "-", "a-", "a_"])) + label
    if draw(rarely(16)):
        label += "-"
    return label


@st.composite
def emails(draw: st.DrawFn) -> str:
    tld = draw(st.sampled_from(ODD_TLDS if draw(rarely(4)) else COMMON_TLDS))
    domain = ".".join([*draw(st.lists(labels(), min_size=0 if draw(rarely(10)) else 1, max_size=3)), tld])
    address = f"{draw(local_parts())}@{domain}"
    wrap = draw(st.sampled_from(["{}", "{}", "<{}>", "mailto:{}", "<mailto:{}?subject=x>", " {} "]))
    address = wrap.format(address)
    if draw(rarely(10)):
        address = address.translate(
            str.maketrans(
                "abcdefghijklmnopqrstuvwxyz@.", "ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ＠．"
            )
        )
    return address


@FAST
@given(emails())
def test_email_fast_path_agrees_with_library_on_generated_addresses(raw: str) -> None:
    assert_email_paths_agree(raw)


@SOME
@given(
    st.one_of(
        st.text(max_size=40),
        st.text(alphabet=ALNUM + "@.-_+<>:!#'\" ＠．例え", max_size=40),
        st.builds(
            lambda a, b: f"{a}@{b}",
            st.text(alphabet=ALNUM + "._+-", max_size=20),
            st.text(alphabet=ALNUM + ".-", max_size=30),
        ),
    )
)
def test_email_fast_path_agrees_with_library_on_random_text(raw: str) -> None:
    assert_email_paths_agree(raw)


def test_long_email_addresses_agree() -> None:
    for local_length, domain_length in [(64, 180), (65, 10), (64, 185), (64, 186), (64, 187), (1, 250)]:
        labels_ = ["a" * 60] * (domain_length // 61) + ["b" * max(domain_length % 61 - 3, 1)]
        assert_email_paths_agree("t" * local_length + "@" + ".".join(labels_) + ".jp")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("taro@example.co.jp", "taro@example.co.jp"),
        ("Taro.Yamada+crm@Sub.Example.CO.JP", "Taro.Yamada+crm@sub.example.co.jp"),
        ("h_suzuki@kizuna-crm.jp", "h_suzuki@kizuna-crm.jp"),
        ("Info@Example.com", "info@example.com"),  # RFC 2142 role names are case-insensitive
        ("<mailto:Taro@EXAMPLE.jp?subject=hi>", "Taro@example.jp"),
        ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏ．ｊｐ", "taro@example.co.jp"),
    ],
)
def test_common_email_shapes_take_the_fast_path(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: str
) -> None:
    def no_library(*args: object, **kwargs: object) -> None:
        raise AssertionError("validate_email called for a common shape")

    monkeypatch.setattr(email_module, "validate_email", no_library)
    assert normalize_email(raw) == expected
    with pytest.raises(AssertionError):  # the patch is in effect: the library path does call it
        email_module._normalize_email_library(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "taro@example.test",
        "taro@mail.LOCALHOST",
        "taro@example.onion",
        "taro@1.0.168.192.in-addr.arpa",
        "taro@xn--r8jz45g.jp",  # Punycode is decoded by the library
        "taro@ab--cd.jp",
        "taro@例え.jp",
        "taro..yamada@example.co.jp",
        "taro@example",
        '"taro"@example.jp',
    ],
)
def test_unusual_email_shapes_go_to_the_library(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    class Called(Exception):
        """The library was asked."""

    def library(*args: object, **kwargs: object) -> None:
        raise Called

    monkeypatch.setattr(email_module, "validate_email", library)
    with pytest.raises(Called):
        normalize_email(raw)


def test_special_use_domains_are_read_from_the_library() -> None:
    for name in email_validator.SPECIAL_USE_DOMAIN_NAMES:
        assert f".{name}" in email_module._SPECIAL_USE_SUFFIXES
        assert_email_paths_agree(f"taro@example.{name}")
