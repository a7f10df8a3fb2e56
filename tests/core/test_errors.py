from __future__ import annotations

import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kizuna.core.error_events import error_record
from kizuna.core.errors import KizunaError, catalog, catalog_markdown, get_spec, register
from kizuna.core.models import ErrorEvent

ROOT = Path(__file__).resolve().parents[2]


def test_every_code_has_both_languages_and_a_well_formed_code():
    specs = list(catalog())
    assert len(specs) >= 15
    for spec in specs:
        assert re.fullmatch(r"KZ-[A-Z]{2,5}-\d{3}", spec.code)
        for part in ("title", "cause", "remedy"):
            assert spec.text(part, "ja") and spec.text(part, "en")
            assert spec.text(part, "ja") != spec.text(part, "en") or "{" in spec.text(part, "en")


def test_message_is_rendered_in_the_requested_language_with_context():
    error = KizunaError("KZ-VAL-003", context={"value": "D", "allowed": "A, B, C"}, field="rank")
    assert error.cause("en") == "“D” is not an allowed value for rank."
    assert error.cause("ja") == "「D」は rank に指定できない値です。"
    assert error.as_dict("en")["remedy"] == "Choose one of: A, B, C."


def test_missing_context_shows_the_placeholder_instead_of_failing():
    assert KizunaError("KZ-VAL-003").cause("en") == "“{value}” is not an allowed value for {field}."


def test_unknown_code_and_conflicting_registration_are_refused():
    with pytest.raises(LookupError):
        get_spec("KZ-VAL-999")
    spec = get_spec("KZ-VAL-001")
    with pytest.raises(ValueError, match="registered twice"):
        register(spec.__class__(**{**{f: getattr(spec, f) for f in spec.__slots__}, "title_en": "changed"}))
    with pytest.raises(ValueError, match="bad error code"):
        register(spec.__class__(**{**{f: getattr(spec, f) for f in spec.__slots__}, "code": "VAL-1"}))


def test_docs_error_page_is_generated_from_the_catalog():
    assert (ROOT / "docs" / "errors.md").read_text(encoding="utf-8") == catalog_markdown(), (
        "run: kizuna errors --format markdown > docs/errors.md"
    )


def test_every_code_is_produced_by_some_test():
    tests = "\n".join(
        p.read_text(encoding="utf-8")
        for p in (ROOT / "tests").rglob("test_*.py")
        if p.name != "test_errors.py"
    )
    missing = [s.code for s in catalog() if s.code not in tests]
    assert missing == []


def test_cli_lists_and_explains_codes():
    out = StringIO()
    call_command("errors", stdout=out, language="en")
    assert "KZ-VAL-001  Required field is empty" in out.getvalue()
    out = StringIO()
    call_command("errors", "kz-val-002", stdout=out, language="ja")
    assert "値が重複しています" in out.getvalue() and "HTTP 409" in out.getvalue()
    out = StringIO()
    call_command("errors", "KZ-AUTH-003", format="json", stdout=out)
    assert json.loads(out.getvalue())[0]["code"] == "KZ-AUTH-003"
    with pytest.raises(CommandError, match="unknown error code"):
        call_command("errors", "KZ-NOPE-001")


def test_error_occurrence_is_recorded_for_the_error_center(alice):
    error = KizunaError("KZ-VAL-005", context={"value": "Atlantis"}, field="prefecture")
    event = error_record(error, actor=alice, via="api", object_type="customers.contact", object_id=7)
    event = ErrorEvent.objects.get(pk=event.pk)
    assert (event.code, event.actor, event.via, event.object_id, event.resolved) == (
        "KZ-VAL-005",
        alice,
        "api",
        7,
        False,
    )
    assert event.context["context"]["value"] == "Atlantis"
