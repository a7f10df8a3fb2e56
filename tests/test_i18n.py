"""The Japanese catalog is complete, compiled, and used by the back office; English stays the source."""

from __future__ import annotations

import ast
import gettext
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation.template import templatize

import kizuna
from kizuna.accounts.models import User

SOURCE = Path(kizuna.__file__).parent
PO = SOURCE / "locale" / "ja" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
KIZUNA_APPS = {"core", "accounts", "customers", "sales", "support", "activities"}
# Written the same way in Japanese business text.
SAME_IN_JAPANESE = {"API", "URL", "ID"}
# Internal bookkeeping no person sees (it enforces unique custom-field values).
INTERNAL_MODELS = {"customers.customfielduniquevalue"}


def _po_entries(path: Path = PO) -> list[dict[str, Any]]:
    """msgid, msgstrs and flags of every entry but the header (PO strings are Python string literals)."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        flags: list[str] = []
        parts: dict[str, str] = {}
        key = ""
        for line in block.strip().splitlines():
            if line.startswith("#,"):
                flags += [f.strip() for f in line[2:].split(",")]
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                parts[key] += ast.literal_eval(line)
            else:
                key, _, quoted = line.partition(" ")
                parts[key] = ast.literal_eval(quoted)
        if parts.get("msgid"):
            strs = [v for k, v in parts.items() if k.startswith("msgstr")]
            entries.append(
                {"msgid": parts["msgid"], "msgctxt": parts.get("msgctxt"), "msgstr": strs, "flags": flags}
            )
    return entries


def test_catalog_has_no_empty_or_fuzzy_translations():
    entries = _po_entries()
    assert len(entries) > 200
    assert [e["msgid"] for e in entries if "fuzzy" in e["flags"]] == []
    assert [e["msgid"] for e in entries if not all(s.strip() for s in e["msgstr"])] == []


def test_compiled_catalog_matches_the_po_file():
    # The .mo is committed so that running Kizuna needs no gettext tools; it must not lag the .po.
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in _po_entries():
        if entry["msgctxt"]:
            found = compiled.pgettext(entry["msgctxt"], entry["msgid"])
        else:
            found = compiled.gettext(entry["msgid"])
        assert found == entry["msgstr"][0], entry["msgid"]


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs gettext's xgettext")
def test_every_marked_string_in_the_code_is_in_the_catalog(tmp_path):
    files = sorted(str(p) for p in SOURCE.rglob("*.py") if "migrations" not in p.parts)
    # Templates too, turned into Python the way makemessages does it.
    for n, template in enumerate(sorted(SOURCE.rglob("templates/**/*.html"))):
        converted = tmp_path / f"template_{n}.py"
        converted.write_text(templatize(template.read_text(encoding="utf-8"), origin=str(template)), "utf-8")
        files.append(str(converted))
    pot = tmp_path / "kizuna.pot"
    # The keywords Django's makemessages gives xgettext for Python files.
    keywords = [
        "gettext_noop",
        "gettext_lazy",
        "ngettext_lazy:1,2",
        "pgettext:1c,2",
        "npgettext:1c,2,3",
        "pgettext_lazy:1c,2",
        "npgettext_lazy:1c,2,3",
    ]
    subprocess.run(  # noqa: S603 - fixed arguments, our own source files
        [
            "xgettext",
            "--language=Python",
            "--from-code=UTF-8",
            *[f"--keyword={k}" for k in keywords],
            f"--output={pot}",
            *files,
        ],
        check=True,
    )
    extracted = {e["msgid"] for e in _po_entries(pot)}
    translated = {e["msgid"] for e in _po_entries()}
    assert sorted(extracted - translated) == [], "run `kizuna makemessages -l ja` and translate"


@pytest.fixture
def root(db: Any) -> User:
    return User.objects.create_superuser(username="root", password="correct-horse-battery")


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("ja", ["連絡先", "商談", "問い合わせ", "活動とタスク", "顧客"]),
        ("en", ["Contacts", "Deals", "Tickets"]),
    ],
)
def test_admin_index_speaks_the_users_language(root, language, texts):
    # The signed-in user's saved language wins over the browser's Accept-Language.
    User.objects.filter(pk=root.pk).update(language=language)
    client = Client(HTTP_ACCEPT_LANGUAGE="en" if language == "ja" else "ja")
    client.force_login(root)
    html = client.get("/admin/").content.decode()
    for text in texts:
        assert f">{text}<" in html


def test_admin_defaults_to_japanese(root):
    client = Client()  # no Accept-Language: LANGUAGE_CODE applies
    client.force_login(root)
    assert ">連絡先<" in client.get("/admin/").content.decode()


def _kizuna_models() -> list[Any]:
    return [
        m
        for m in apps.get_models()
        if m._meta.app_label in KIZUNA_APPS and m._meta.label_lower not in INTERNAL_MODELS
    ]


def _in_japanese(text: Any) -> tuple[str, str]:
    with translation.override("en"):
        source = str(text)
    with translation.override("ja"):
        return source, str(text)


def _untranslated(texts: list[Any]) -> list[str]:
    pairs = [_in_japanese(t) for t in texts]
    return sorted({src for src, ja in pairs if src == ja and src not in SAME_IN_JAPANESE})


def test_every_choice_label_is_translated():
    labels = [
        label
        for model in _kizuna_models()
        for field in model._meta.get_fields()
        for _value, label in getattr(field, "choices", None) or ()
        # Prefectures are data written in Japanese (東京都), not UI text marked for translation.
        if isinstance(label, Promise)
    ]
    assert len(labels) > 50
    assert _untranslated(labels) == []


def test_every_model_and_field_name_is_translated():
    texts: list[Any] = []
    for model in _kizuna_models():
        texts += [model._meta.verbose_name, model._meta.verbose_name_plural]
        texts += [f.verbose_name for f in model._meta.concrete_fields if not f.primary_key]
    texts += [apps.get_app_config(label).verbose_name for label in KIZUNA_APPS]
    assert _untranslated(texts) == []
