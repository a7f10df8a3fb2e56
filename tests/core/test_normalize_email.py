import pytest

from kizuna.core.errors import KizunaError
from kizuna.core.normalize import normalize_email

EMAIL_CASES = [
    ("taro@example.co.jp", "taro@example.co.jp"),
    ("Taro@EXAMPLE.co.jp", "Taro@example.co.jp"),
    ("Taro.Yamada+crm@Sub.Example.CO.JP", "Taro.Yamada+crm@sub.example.co.jp"),
    ("  taro@example.co.jp\u3000", "taro@example.co.jp"),
    ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏ．ｊｐ", "taro@example.co.jp"),
    ("<taro@example.co.jp>", "taro@example.co.jp"),
    ("mailto:taro@example.co.jp", "taro@example.co.jp"),
    ("MAILTO:taro@example.co.jp", "taro@example.co.jp"),
    ("<mailto:taro@example.co.jp>", "taro@example.co.jp"),
    ("mailto:taro@example.co.jp?subject=hello", "taro@example.co.jp"),
    ("taro@例え.jp", "taro@例え.jp"),
    ("taro\u200b@example.co.jp", "taro@example.co.jp"),
]


@pytest.mark.parametrize(("raw", "expected"), EMAIL_CASES)
def test_email_is_unwrapped_and_domain_lowercased(raw: str, expected: str) -> None:
    assert normalize_email(raw) == expected
    assert normalize_email(expected) == expected


@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000"])
def test_empty_email_is_empty_string(raw: str | None) -> None:
    assert normalize_email(raw) == ""


@pytest.mark.parametrize(
    "raw",
    [
        "taro",
        "taro@",
        "@example.co.jp",
        "taro@@example.co.jp",
        "taro@example",
        "taro@example.co.jp.",
        "taro yamada@example.co.jp",
        "taro..yamada@example.co.jp",
        "taro@exa_mple.co.jp",
        "taro@example.test",
        "<>",
        "mailto:",
    ],
)
def test_invalid_email_raises_kz_val_008_with_validator_reason(raw: str) -> None:
    with pytest.raises(KizunaError) as exc:
        normalize_email(raw, field="email")
    assert exc.value.code == "KZ-VAL-008"
    assert exc.value.context["value"] == raw
    assert exc.value.context["reason"]
    assert exc.value.field == "email"


def test_email_reason_is_the_validator_message() -> None:
    with pytest.raises(KizunaError) as exc:
        normalize_email("taro@")
    assert exc.value.context["reason"] == "There must be something after the @-sign."
