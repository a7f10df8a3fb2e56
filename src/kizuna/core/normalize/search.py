"""Search documents and queries: substring search in Japanese, word-prefix search in Latin script.

A record's searchable fields become one *search document*, stored in the record's ``search_text``
column and indexed by the database (``kizuna.core.search``: an FTS5 table on SQLite, a GIN index on
PostgreSQL). Each field is folded like :func:`fold_for_search` (width, case, katakana to hiragana)
and cut into runs:

- a run of Japanese (any non-ASCII letters or digits) becomes its overlapping two-character grams
  followed by its last character: "やまだ" -> "やま まだ だ". Any substring of two or more characters
  is then a run of consecutive grams in the document, and any single character starts a gram;
- a run of ASCII letters and digits is one word: "taro.yamada12@example.jp" -> "taro yamada12 example jp".
  Latin text is matched by word prefix ("yama" finds "yamada12"), as search engines do;
- digits split only by hyphens or spaces are one number, so "03-1234-5678" is the word "0312345678".

Runs are separated by " | ", so no gram spans two fields or two words. The same cutting applied to a
query (:func:`parse_query`) gives the index terms (every gram must be present) and the LIKE patterns
that make the match exact (the grams must be consecutive).

Pure functions, no I/O.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from kizuna.core.normalize.text import normalize_text, to_hiragana

__all__ = [
    "SEPARATOR",
    "SearchQuery",
    "fold",
    "folded_document",
    "join_documents",
    "national_digits",
    "parse_query",
    "part_document",
    "search_document",
]

SEPARATOR = " | "
# Digits joined across "-" and spaces (phone and postal numbers); "ー" was made "-" for digits only.
_DIGIT_JOIN_RE = re.compile(r"(?<=\d)[\s\-ー]+(?=\d)")
# Japanese text typed with spaces inside one field ("山田 太郎") is one run.
_CJK_SPACE_RE = re.compile(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])")
# An ASCII word, or a run of other letters and digits (kana, kanji, ー, 々, accented Latin …).
_RUN_RE = re.compile(r"[0-9a-z]+|[^\W0-9a-z_]+")
MAX_TERMS = 24  # a pasted paragraph is cut: the patterns still make the match exact


def _fold(value: str) -> str:
    text = to_hiragana(normalize_text(value).casefold()).replace("・", " ")
    return _CJK_SPACE_RE.sub("", _DIGIT_JOIN_RE.sub("", text))


def _runs(value: str) -> list[str]:
    return _RUN_RE.findall(_fold(value)) if value else []


def fold(value: str) -> str:
    """Fold a value as documents and queries are folded: width, case, katakana, digit groups joined."""
    return _fold(value)


def _grams(run: str) -> list[str]:
    """ "やまだ" -> ["やま", "まだ", "だ"]; "山" -> ["山"]."""
    return [run[i : i + 2] for i in range(len(run))]


def _is_word(run: str) -> bool:
    return run.isascii()


def part_document(value: str | None) -> str:
    """The search document of one field value: ``"taro@example.jp"`` -> ``"taro | example | jp"``."""
    return folded_document(_fold(value)) if value else ""


def folded_document(folded: str) -> str:
    """:func:`part_document` of a value already folded (lower-case, NFKC, hiragana): for bulk loads."""
    out = []
    for run in _RUN_RE.findall(folded):
        if run.isascii():
            out.append(run)
        else:
            out.append(" ".join([run[i : i + 2] for i in range(len(run))]))
    return SEPARATOR.join(out)


# Names, companies and addresses repeat across records: a bulk load computes each part once.
_cached_part_document = functools.lru_cache(maxsize=65536)(part_document)


def search_document(parts: Iterable[str | None]) -> str:
    """The search document of a record's field values, in order: ``["山田太郎", "taro@example.jp"]`` ->
    ``"山田 田太 太郎 郎 | taro | example | jp"``."""
    return join_documents(_cached_part_document(part) for part in parts if part)


def join_documents(documents: Iterable[str]) -> str:
    """Join field documents (from :func:`part_document`, perhaps cached) into one search document."""
    return SEPARATOR.join(document for document in documents if document)


def national_digits(e164: str | None) -> str:
    """A stored E.164 number as the digits people type: "+81312345678" -> "0312345678"."""
    if not e164:
        return ""
    return "0" + e164[3:] if e164.startswith("+81") else e164.lstrip("+")


@dataclass(frozen=True)
class SearchQuery:
    """What a search box query asks for.

    ``terms``: ``(token, prefix)`` pairs every matching document's index holds (a prefix term matches
    any token starting with it). ``patterns``: substrings the document must contain, each a
    ``(text, word_start)`` pair; ``word_start`` means the text must begin the document or follow a
    space (a Latin word prefix). Empty ``patterns``: the query has nothing to search for.
    """

    terms: tuple[tuple[str, bool], ...]
    patterns: tuple[tuple[str, bool], ...]

    def __bool__(self) -> bool:
        return bool(self.patterns)


def parse_query(query: str) -> SearchQuery:
    """``"やまだ Taro"`` -> terms やま, まだ, taro* and patterns "やま まだ", word "taro".

    Every word of the query must match (AND). Within a Japanese run the grams must be consecutive,
    so "さとう" finds "さとう" but not "さとみ とうこ".
    """
    terms: dict[tuple[str, bool], None] = {}
    patterns: dict[tuple[str, bool], None] = {}
    for run in _runs(query):
        if _is_word(run):
            terms[(run, True)] = None
            patterns[(run, True)] = None
        elif len(run) == 1:
            terms[(run, True)] = None  # starts a gram, or is the last character of a run
            patterns[(run, False)] = None
        else:
            grams = _grams(run)[:-1]  # the trailing single character adds nothing to a longer run
            terms.update(((gram, False), None) for gram in grams)
            patterns[(" ".join(grams), False)] = None
    return SearchQuery(tuple(terms)[:MAX_TERMS], tuple(patterns))
