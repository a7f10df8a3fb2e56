"""The error catalog: every failure a person can meet has a stable code, a title, a cause and a remedy.

Codes look like ``KZ-<AREA>-<NNN>``. Each app declares its own codes in ``error_codes.py`` with
:func:`register`; the catalog gathers them when Django starts (``CoreConfig.ready``). Raise
:class:`KizunaError` with a code and context; the texts are rendered in the active language with
the context filled in (``{field}``, ``{value}``, ...).
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation

CODE_RE = re.compile(r"^KZ-[A-Z]{2,5}-\d{3}$")

AREAS: dict[str, str] = {
    "VAL": "validation",
    "AUTH": "authentication and permissions",
    "DB": "database",
    "WF": "workflow automation",
    "IMP": "data migration",
    "INT": "integrations",
    "MAIL": "email",
    "API": "HTTP API",
    "TASK": "background tasks",
    "SYS": "system",
}


@dataclass(frozen=True, slots=True)
class ErrorSpec:
    """One catalog entry. Texts may use ``{name}`` placeholders filled from the error's context."""

    code: str
    title_en: str
    title_ja: str
    cause_en: str
    cause_ja: str
    remedy_en: str
    remedy_ja: str
    http_status: int = 400
    retryable: bool = False

    @property
    def area(self) -> str:
        return self.code.split("-")[1]

    def text(self, part: str, language: str | None = None) -> str:
        lang = (language or translation.get_language() or "ja")[:2]
        suffix = "ja" if lang == "ja" else "en"
        return str(getattr(self, f"{part}_{suffix}"))


_CATALOG: dict[str, ErrorSpec] = {}


def register(*specs: ErrorSpec) -> None:
    """Add entries to the catalog; a code may be registered once (identical re-registration is fine)."""
    for spec in specs:
        if not CODE_RE.match(spec.code):
            raise ValueError(f"bad error code {spec.code!r}: expected KZ-AREA-NNN")
        if spec.area not in AREAS:
            raise ValueError(f"unknown error area in {spec.code!r}")
        existing = _CATALOG.get(spec.code)
        if existing is not None and existing != spec:
            raise ValueError(f"error code {spec.code} registered twice with different texts")
        _CATALOG[spec.code] = spec


def get_spec(code: str) -> ErrorSpec:
    try:
        return _CATALOG[code]
    except KeyError:
        raise LookupError(f"unknown error code {code!r}") from None


def catalog() -> Iterator[ErrorSpec]:
    """Every registered entry, sorted by code."""
    return iter(sorted(_CATALOG.values(), key=lambda s: s.code))


def catalog_markdown() -> str:
    """The catalog as the page docs/errors.md (regenerate with ``kizuna errors --format markdown``)."""
    out = [
        "# Error catalog",
        "",
        "Every failure a person can meet in Kizuna has a stable code. This page is generated from",
        "`kizuna.core.errors` by `kizuna errors --format markdown > docs/errors.md`; a test keeps it in step.",
        "`{name}` marks a value filled in from the situation (the field, the value, the existing record).",
        "",
    ]
    area = ""
    for spec in catalog():
        if spec.area != area:
            area = spec.area
            out += [f"## {area} — {AREAS[area]}", ""]
        retry = "yes" if spec.retryable else "no"
        out += [
            f"### {spec.code} — {spec.title_en} / {spec.title_ja}",
            "",
            f"- **Cause:** {spec.cause_en}",
            f"- **原因:** {spec.cause_ja}",
            f"- **Remedy:** {spec.remedy_en}",
            f"- **対処:** {spec.remedy_ja}",
            f"- HTTP status {spec.http_status}; retryable: {retry}",
            "",
        ]
    return "\n".join(out)


class _SafeDict(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fill(template: str, context: Mapping[str, Any]) -> str:
    # format_map with a forgiving dict: a missing context key shows as {key} rather than failing.
    return string.Formatter().vformat(template, (), _SafeDict(context))


@dataclass
class KizunaError(Exception):
    """A failure with a catalog code. ``context`` fills the texts and is recorded with the event."""

    code: str
    context: dict[str, Any] = field(default_factory=dict)
    field: str | None = None

    def __post_init__(self) -> None:
        self.spec = get_spec(self.code)
        if self.field and "field" not in self.context:
            self.context["field"] = self.field
        super().__init__(self.code)

    def _render(self, part: str, language: str | None) -> str:
        # Context values may be lazy translations (field labels, actions): render them in `language`.
        with translation.override(language or translation.get_language()):
            return _fill(self.spec.text(part, language), self.context)

    def title(self, language: str | None = None) -> str:
        return self._render("title", language)

    def cause(self, language: str | None = None) -> str:
        return self._render("cause", language)

    def remedy(self, language: str | None = None) -> str:
        return self._render("remedy", language)

    @property
    def retryable(self) -> bool:
        return self.spec.retryable

    def as_dict(self, language: str | None = None) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title(language),
            "cause": self.cause(language),
            "remedy": self.remedy(language),
            "field": self.field,
            "retryable": self.retryable,
            "context": {k: _jsonable(v) for k, v in self.context.items()},
        }

    def __str__(self) -> str:
        return f"{self.code}: {self.title('en')} — {self.cause('en')}"


class KizunaValidationError(KizunaError):
    """A write refused because one or more fields are invalid; ``errors`` holds one KizunaError each."""

    def __init__(self, errors: list[KizunaError]) -> None:
        self.errors = errors
        first = errors[0]
        super().__init__(code=first.code, context=dict(first.context), field=first.field)

    def as_dict(self, language: str | None = None) -> dict[str, Any]:
        data = super().as_dict(language)
        data["errors"] = [e.as_dict(language) for e in self.errors]
        return data


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


E = ErrorSpec
register(
    E(
        "KZ-VAL-001",
        "Required field is empty",
        "必須項目が空です",
        "The field “{field}” is required but no value was given.",
        "「{field}」は必須ですが、値がありません。",
        "Enter a value for “{field}”.",
        "「{field}」に値を入力してください。",
    ),
    E(
        "KZ-VAL-002",
        "Value already in use",
        "値が重複しています",
        "Another {object_type} (id {existing_id}) already has {field} = “{value}”; it must be unique.",
        "{field} が「{value}」の別の{object_type}（ID {existing_id}）が既に存在します。この項目は重複できません。",
        "Use a different value, or open record {existing_id} and update it instead.",
        "別の値を使うか、既存のレコード（ID {existing_id}）を開いて更新してください。",
        http_status=409,
    ),
    E(
        "KZ-VAL-003",
        "Value not allowed",
        "選択できない値です",
        "“{value}” is not an allowed value for {field}.",
        "「{value}」は {field} に指定できない値です。",
        "Choose one of: {allowed}.",
        "次のいずれかを指定してください: {allowed}",
    ),
    E(
        "KZ-VAL-004",
        "Invalid value",
        "値の形式が正しくありません",
        "“{value}” is not a valid {kind} for {field}: {reason}",
        "「{value}」は {field} の{kind}として正しくありません: {reason}",
        "Correct the value; expected format: {expected}.",
        "値を修正してください。期待される形式: {expected}",
    ),
    E(
        "KZ-VAL-005",
        "Unknown prefecture",
        "都道府県名が正しくありません",
        "“{value}” is not one of the 47 prefectures of Japan ({field}).",
        "「{value}」は47都道府県のいずれでもありません（{field}）。",
        "Use the prefecture's name (東京都, 大阪府, 北海道 …), its English name or its JIS code 01–47.",
        "都道府県名（東京都・大阪府・北海道など）、英語名、またはJISコード01〜47で指定してください。",
    ),
    E(
        "KZ-VAL-006",
        "Invalid phone number",
        "電話番号が正しくありません",
        "“{value}” cannot be read as a phone number ({field}): {reason}",
        "「{value}」は電話番号として読み取れません（{field}）: {reason}",
        "Enter the number with its area code, e.g. 03-1234-5678, 090-1234-5678 or +81 3 1234 5678.",
        "市外局番から入力してください（例: 03-1234-5678、090-1234-5678、+81 3 1234 5678）。",
    ),
    E(
        "KZ-VAL-007",
        "Invalid corporate number",
        "法人番号が正しくありません",
        "“{value}” is not a valid 13-digit corporate number (法人番号): {reason}",
        "「{value}」は正しい13桁の法人番号ではありません: {reason}",
        "Copy the number from the National Tax Agency's corporate number site; the first digit is a check digit.",
        "国税庁法人番号公表サイトから番号を確認してください（先頭1桁はチェックディジットです）。",
    ),
    E(
        "KZ-VAL-008",
        "Invalid email address",
        "メールアドレスが正しくありません",
        "“{value}” is not a valid email address ({field}): {reason}",
        "「{value}」は正しいメールアドレスではありません（{field}）: {reason}",
        "Enter an address like taro@example.co.jp.",
        "taro@example.co.jp のような形式で入力してください。",
    ),
    E(
        "KZ-VAL-009",
        "Invalid postal code",
        "郵便番号が正しくありません",
        "“{value}” is not a 7-digit Japanese postal code ({field}).",
        "「{value}」は7桁の郵便番号ではありません（{field}）。",
        "Enter the postal code as 123-4567 or 1234567.",
        "123-4567 または 1234567 の形式で入力してください。",
    ),
    E(
        "KZ-VAL-010",
        "Unknown custom field",
        "カスタム項目が存在しません",
        "There is no active custom field “{field}” on {object_type}.",
        "{object_type} に有効なカスタム項目「{field}」はありません。",
        "Check the field key in Settings → Custom fields; known keys: {allowed}.",
        "設定 → カスタム項目でキーを確認してください。有効なキー: {allowed}",
    ),
    E(
        "KZ-VAL-011",
        "Related record not found",
        "関連レコードが見つかりません",
        "{field} refers to {object_type} {value}, which does not exist or is not visible to you.",
        "{field} が参照する{object_type} {value} は存在しないか、閲覧権限がありません。",
        "Choose an existing record you can see.",
        "閲覧可能な既存のレコードを選択してください。",
    ),
    E(
        "KZ-VAL-012",
        "Inconsistent values",
        "値の組み合わせが矛盾しています",
        "{reason}",
        "{reason}",
        "Correct the fields named in the message so they agree with each other.",
        "メッセージに示された項目を互いに矛盾しないよう修正してください。",
    ),
    E(
        "KZ-VAL-013",
        "Record changed by someone else",
        "他のユーザーが更新しました",
        "The {object_type} was changed (version {current_version}) after you opened it (version {expected_version}).",
        "開いた後に{object_type}が更新されました（現在のバージョン {current_version}、編集開始時 {expected_version}）。",
        "Reload the record, check the other change, and apply yours again.",
        "レコードを再読み込みし、他の変更を確認してから再度保存してください。",
        http_status=409,
    ),
    E(
        "KZ-VAL-014",
        "Unknown field",
        "項目名が正しくありません",
        "“{field}” is not a field of {object_type}.",
        "「{field}」は{object_type}の項目ではありません。",
        "Use one of: {allowed}. Custom fields go under “custom”.",
        "次のいずれかを使ってください: {allowed}（カスタム項目は custom に指定します）",
    ),
    E(
        "KZ-VAL-015",
        "Record is still in use",
        "関連データがあるため削除できません",
        "{object_type} {object_id} is still referenced by {count} record(s) ({related}).",
        "{object_type} {object_id} は {count} 件の関連データ（{related}）から参照されています。",
        "Reassign or delete the related records first, or merge this record into another.",
        "先に関連データの付け替えまたは削除を行うか、別のレコードに統合してください。",
        http_status=409,
    ),
    E(
        "KZ-VAL-016",
        "Invalid date",
        "日付が正しくありません",
        "“{value}” cannot be read as a date ({field}): {reason}.",
        "「{value}」は日付として読み取れません（{field}）: {reason}。",
        "Write the date as YYYY-MM-DD (2023-04-01); 2023/4/1, 2023年4月1日, 令和5年4月1日 and R5.4.1 are read too.",
        "日付の書式が不明です。YYYY-MM-DD（例: 2023-04-01）で入力してください。2023/4/1、2023年4月1日、令和5年4月1日、R5.4.1 も読み取れます。",
    ),
    E(
        "KZ-VAL-017",
        "Date outside its era",
        "元号と日付が合いません",
        "“{value}” does not exist ({field}): {era} ran from {first} to {last}. The same day is {suggestion} ({iso}).",
        "「{value}」は存在しない日付です（{field}）: {era}は{first}から{last}までです。同じ日は{suggestion}（{iso}）です。",
        "Check the source; if {suggestion} is meant, enter {iso}.",
        "元の資料を確認し、{suggestion}のことであれば {iso} と入力してください。",
    ),
    E(
        "KZ-VAL-018",
        "Day and month order unknown",
        "日と月の順序が判別できません",
        "“{value}” could be {day_first} (day first) or {month_first} (month first) ({field}), and no value in its column settles which.",
        "「{value}」は {day_first}（日が先）とも {month_first}（月が先）とも読めます（{field}）。同じ列に順序を決められる値がありません。",
        "Write the date as YYYY-MM-DD, or choose the column's date order (day first or month first) in the import mapping.",
        "YYYY-MM-DD で入力するか、取り込みのマッピングでこの列の日付の順序（日が先／月が先）を指定してください。",
    ),
    E(
        "KZ-IMP-001",
        "File encoding not readable",
        "ファイルの文字コードを読み取れません",
        "The file's encoding “{encoding}” cannot be read: {reason}.",
        "ファイルの文字コード「{encoding}」を読み取れません: {reason}。",
        "Save the file as CSV UTF-8 (or CSV for Shift_JIS/CP932) from Excel, or name its encoding with --encoding (utf-8, cp932, euc-jp).",
        "Excel で「CSV UTF-8」または「CSV（コンマ区切り）」（Shift_JIS/CP932）として保存し直すか、--encoding で文字コード（utf-8、cp932、euc-jp）を指定してください。",
    ),
    E(
        "KZ-IMP-002",
        "Row holds bytes that are not text",
        "行に文字として読めないバイトがあります",
        "Row {row} holds bytes that are not {encoding} text at byte offset {offset} of the file ({bytes}); the row was not imported.",
        "{row} 行目のファイル先頭から {offset} バイト目に {encoding} として読めないバイト（{bytes}）があるため、この行は取り込んでいません。",
        "Open the file, fix or retype the characters of that row (often a file joined from two encodings), save it in one encoding and import the error file again.",
        "ファイルを開いてその行の文字を修正または入力し直し（異なる文字コードのファイルを結合した場合によく起こります）、1つの文字コードで保存してエラーファイルを取り込み直してください。",
    ),
    E(
        "KZ-IMP-003",
        "File is empty",
        "ファイルが空です",
        "“{file}” holds no data: it is empty or only blank.",
        "「{file}」にデータがありません（空、または空白のみです）。",
        "Check that you chose the right file and that it was saved with its rows.",
        "正しいファイルを選んだか、行を含めて保存されているかを確認してください。",
    ),
    E(
        "KZ-IMP-004",
        "Row is in another encoding",
        "行の文字コードがファイルと異なります",
        "Row {row} (byte offset {offset}) is UTF-8 text in a {encoding} file; read as {encoding} it would be garbled, so it was not imported.",
        "{row} 行目（ファイル先頭から {offset} バイト目）は {encoding} のファイルの中の UTF-8 の文字列です。{encoding} として読むと文字化けするため、取り込んでいません。",
        "Save the whole file in one encoding (CSV UTF-8 from Excel is safest) and import the error file again.",
        "ファイル全体を1つの文字コードで保存し直し（Excel の「CSV UTF-8」が確実です）、エラーファイルを取り込み直してください。",
    ),
    E(
        "KZ-IMP-005",
        "Column mapping not understood",
        "列の対応付けを読み取れません",
        "“{value}” is not a column mapping Kizuna understands: the part after “=” must be a field name.",
        "「{value}」は列の対応付けとして読み取れません。「=」の後には項目名を指定します。",
        "Write it as 列名=field, e.g. 苗字=family_name (列名= skips the column); did you mean {suggestion}?",
        "列名=項目名 の形式で指定してください（例: 苗字=family_name、列名= でその列を取り込みません）。{suggestion} のことですか？",
    ),
    E(
        "KZ-IMP-006",
        "Workbook would inflate too far",
        "ブックの展開後のサイズが大きすぎます",
        "“{file}” would inflate to {size} bytes (up to {ratio}× its compressed size): it looks like a zip bomb, not a spreadsheet, and was not opened.",
        "「{file}」は展開すると {size} バイト（圧縮時の最大 {ratio} 倍）になります。表計算のファイルではなく zip 爆弾の疑いがあるため、開いていません。",
        "Open the workbook in Excel, copy the sheet you need into a new workbook or save it as CSV UTF-8, and import that.",
        "Excel でブックを開き、必要なシートを新しいブックにコピーするか「CSV UTF-8」で保存して、それを取り込んでください。",
    ),
    E(
        "KZ-IMP-007",
        "No such sheet",
        "シートが見つかりません",
        "The workbook has no sheet “{sheet}”; its sheets are: {sheets}.",
        "ブックにシート「{sheet}」はありません。シート: {sheets}",
        "Name one of the sheets, or give its position (1 is the first).",
        "いずれかのシート名、または位置（1が最初のシート）を指定してください。",
    ),
    E(
        "KZ-IMP-008",
        "File is not valid JSON",
        "JSON として読み取れないファイルです",
        "“{file}” cannot be read as JSON records: {reason}. Nothing was imported from it.",
        "「{file}」を JSON のレコードとして読み取れません: {reason}。このファイルからは何も取り込んでいません。",
        "Check that the file is a JSON array of objects ([{…}, …]) or an object holding one, in UTF-8, and complete (not cut off).",
        "ファイルがオブジェクトの配列（[{…}, …]）またはそれを含むオブジェクトで、UTF-8 で保存され、途中で切れていないことを確認してください。",
    ),
    E(
        "KZ-IMP-009",
        "Record is not a JSON object",
        "レコードが JSON オブジェクトではありません",
        "Record {row} cannot be read: {reason}; it was not imported.",
        "{row} 件目のレコードを読み取れません: {reason}。このレコードは取り込んでいません。",
        'Write each record as one JSON object with field names as keys, e.g. {"姓": "山田", "名": "太郎"}.',
        '各レコードを、項目名をキーとする1つの JSON オブジェクトで書いてください（例: {"姓": "山田", "名": "太郎"}）。',
    ),
    E(
        "KZ-IMP-010",
        "Row has the wrong number of columns",
        "行の列数がヘッダーと合いません",
        "Row {row} has {count} values but the header has {expected} columns, so no value can be trusted to be in its column; the row was not imported.",
        "{row} 行目の値は {count} 個ですが、ヘッダーは {expected} 列です。どの値がどの列のものか確かでないため、この行は取り込んでいません。",
        'Open the row: a comma or tab inside a value needs the value in double quotes ("東京都千代田区1-1, 2F"); add or remove cells so the row has one per column, then import the error file.',
        '行を確認してください。値の中のコンマやタブは値をダブルクォートで囲む必要があります（"東京都千代田区1-1, 2F"）。列ごとに1つの値になるよう修正し、エラーファイルを取り込み直してください。',
    ),
    E(
        "KZ-IMP-011",
        "Duplicate of an earlier row",
        "前の行と重複しています",
        "This row has the same {key} ({value}) as row {first_row} of the file; only the first was imported.",
        "この行は {first_row} 行目と同じ{key}（{value}）です。最初の行だけを取り込みました。",
        "If they are one person, merge the two rows and import the error file; if they are different people, correct the {key}, or import with --on-duplicate create.",
        "同一人物であれば2行をまとめてエラーファイルを取り込み直してください。別人であれば{key}を修正するか、--on-duplicate create で取り込んでください。",
    ),
    E(
        "KZ-IMP-012",
        "Related record not found",
        "関連するレコードが見つかりません",
        "No {object_type} named or identified “{value}” exists (or you may not see it); the row was not imported.",
        "「{value}」という名前または ID の{object_type}は存在しないか、閲覧できません。この行は取り込んでいません。",
        "Import the {object_type} records first, correct the name to match the existing one, or let the import create missing companies (--companies create).",
        "先に{object_type}を取り込むか、既存のレコードと一致するように名前を修正するか、存在しない会社を作成する設定（--companies create）で取り込んでください。",
    ),
    E(
        "KZ-IMP-013",
        "Columns with the same header",
        "同じ見出しの列があります",
        "The header names {headers} more than once, so it cannot be known which column means what; nothing was imported.",
        "ヘッダーに {headers} が複数あり、どの列が何を表すか判別できないため、何も取り込んでいません。",
        "Rename the columns so each header is unique (e.g. 姓 and 名), then import again.",
        "各列の見出しが重複しないように名前を変えて（例: 姓 と 名）、もう一度取り込んでください。",
    ),
    E(
        "KZ-IMP-014",
        "Full name not split",
        "氏名を姓と名に分けられません",
        "“{value}” has no space and no reading that shows where the family name ends; it was stored whole as the family name.",
        "「{value}」には空白がなく、読みからも姓の区切りが分からないため、全体を姓として保存しました。",
        "Write a space between family and given name (山田 太郎), add a kana column with one (ヤマダ タロウ), or map separate 姓 and 名 columns.",
        "姓と名の間に空白を入れる（山田 太郎）、空白入りのフリガナ列（ヤマダ タロウ）を加える、または姓と名を別の列にしてください。",
    ),
    E(
        "KZ-IMP-015",
        "Quote never closed",
        "引用符が閉じられていません",
        "A double quote opened in row {row} is never closed, so the rest of the file would read as one value; the rows from there were not imported.",
        "{row} 行目で始まるダブルクォートが閉じられていないため、それ以降がすべて1つの値として読まれます。その行以降は取り込んでいません。",
        'Close the quote ("太郎") or remove it in row {row}, then import the error file.',
        '{row} 行目の引用符を閉じる（"太郎"）か削除して、エラーファイルを取り込み直してください。',
    ),
    E(
        "KZ-IMP-016",
        "Value in a column without a header",
        "見出しのない列に値があります",
        "Column {position} has no header, so its value “{value}” was not imported.",
        "{position} 列目に見出しがないため、その値「{value}」は取り込んでいません。",
        "Give the column a header that names its field, or map it with --map, then import again.",
        "列に項目を表す見出しを付けるか、--map で対応付けてから、もう一度取り込んでください。",
    ),
    E(
        "KZ-IMP-017",
        "File too large",
        "ファイルが大きすぎます",
        "“{file}” is {size} bytes; imports accept up to {limit} bytes.",
        "「{file}」は {size} バイトです。取り込めるのは {limit} バイトまでです。",
        "Split the file into parts below the limit, or ask an administrator to raise KIZUNA_IMPORT_MAX_BYTES.",
        "上限以下になるようにファイルを分割するか、管理者に KIZUNA_IMPORT_MAX_BYTES の引き上げを依頼してください。",
    ),
    E(
        "KZ-IMP-018",
        "Required field has no column",
        "必須項目の列がありません",
        "No column of the file maps to {fields}; its headers are: {headers}. Nothing was imported.",
        "ファイルに {fields} に対応する列がありません（見出し: {headers}）。何も取り込んでいません。",
        'Name the column in the mapping (--map "列名=family_name") or rename its header (姓, Last Name …).',
        'マッピングで列を指定する（--map "列名=family_name"）か、見出しを「姓」「Last Name」などに変えてください。',
    ),
    E(
        "KZ-IMP-019",
        "Too many columns",
        "列が多すぎます",
        "The header has {count} columns; an import reads at most {limit}.",
        "ヘッダーの列数は {count} です。取り込めるのは {limit} 列までです。",
        "Remove the columns you do not import (or save only the needed ones), then import again.",
        "取り込まない列を削除して（必要な列だけを保存して）、もう一度取り込んでください。",
    ),
    E(
        "KZ-IMP-020",
        "Header but no records",
        "ヘッダーだけでレコードがありません",
        "“{file}” has a header row and no records below it; nothing was imported.",
        "「{file}」にはヘッダー行だけがあり、レコードがありません。何も取り込んでいません。",
        "Check that you exported the records and not only the column layout.",
        "列の見出しだけでなくレコードも書き出されているか確認してください。",
    ),
    E(
        "KZ-IMP-021",
        "Already in Kizuna",
        "既に登録されています",
        "A record with the same {key} exists already ({existing_id}); the row was skipped.",
        "同じ{key}のレコード（{existing_id}）が既にあるため、この行はスキップしました。",
        "To bring its values in, import again with --on-duplicate update (or update-empty to fill only empty fields).",
        "値を反映するには --on-duplicate update（空の項目だけ埋めるなら update-empty）で取り込み直してください。",
    ),
    E(
        "KZ-IMP-022",
        "Import is running",
        "取り込みは実行中です",
        "Import job {job} is being run by {worker}, which is still alive.",
        "取り込みジョブ {job} は {worker} が実行中です（プロセスは動作しています）。",
        "Wait for it to finish (kizuna import status {job}); resume only a job whose process has stopped.",
        "終了を待ってください（kizuna import status {job}）。再開できるのは処理が止まったジョブだけです。",
    ),
    E(
        "KZ-IMP-023",
        "Import file changed",
        "取り込みファイルが変更されています",
        "The stored file of job {job} ({file}) is missing or no longer the file the job started with.",
        "ジョブ {job} の保存ファイル（{file}）が見つからないか、開始時のファイルと異なります。",
        "Start a new import with the file; the rows job {job} wrote can be removed with kizuna import undo {job}.",
        "ファイルで新しく取り込みを始めてください。ジョブ {job} が書き込んだ行は kizuna import undo {job} で取り消せます。",
    ),
    E(
        "KZ-IMP-024",
        "Records changed since the import",
        "取り込み後に変更されたレコードがあります",
        "{count} records written by import {job} were changed since ({records} …); undoing would discard those changes.",
        "取り込み {job} で書き込んだレコードのうち {count} 件がその後変更されています（{records} …）。取り消すとその変更が失われます。",
        "Review those records; to undo anyway (their later changes are lost), run kizuna import undo {job} --force.",
        "該当レコードを確認してください。それでも取り消す場合（後の変更は失われます）は kizuna import undo {job} --force を実行してください。",
    ),
    E(
        "KZ-IMP-025",
        "Not possible in this state",
        "この状態ではできません",
        "Import job {job} is “{status}”; {action} is not possible now.",
        "取り込みジョブ {job} は「{status}」の状態のため、{action}はできません。",
        "See kizuna import status {job}: a dry-run job can be imported, an interrupted one resumed, a committed one undone.",
        "kizuna import status {job} で状態を確認してください。ドライラン済みのジョブは取り込み、中断したジョブは再開、完了したジョブは取り消しができます。",
    ),
    E(
        "KZ-IMP-026",
        "No such import job",
        "取り込みジョブが見つかりません",
        "There is no import job {job}.",
        "取り込みジョブ {job} はありません。",
        "List the jobs with kizuna import list.",
        "kizuna import list でジョブを確認してください。",
        http_status=404,
    ),
    E(
        "KZ-IMP-027",
        "No saved mapping of that name",
        "その名前の保存済みマッピングはありません",
        "No mapping named “{name}” is saved; saved mappings: {names}.",
        "「{name}」という名前のマッピングは保存されていません。保存済み: {names}",
        "Use one of the saved names, or save one with --save-mapping NAME on an import.",
        "保存済みの名前を使うか、取り込み時に --save-mapping NAME で保存してください。",
    ),
    E(
        "KZ-IMP-028",
        "Import wrote nothing",
        "取り込みで何も書き込まれませんでした",
        "Import job {job} read {rows} rows and wrote none: {invalid} had errors and {skipped} were skipped or blank.",
        "取り込みジョブ {job} は {rows} 行を読み、1件も書き込みませんでした（エラー {invalid} 行、スキップまたは空行 {skipped} 行）。",
        "Open the job's report for each row's reason; fix the error file and import it, or choose --on-duplicate update for rows already in Kizuna.",
        "ジョブのレポートで各行の理由を確認し、エラーファイルを修正して取り込むか、既存の行は --on-duplicate update で取り込んでください。",
    ),
    E(
        "KZ-IMP-029",
        "Sent to review",
        "確認待ちにしました",
        "The row matches an existing record on {key} ({existing_id}); it was set aside for a person to review instead of being written.",
        "この行は{key}が既存のレコード（{existing_id}）と一致するため、書き込まずに確認待ちにしました。",
        "Review the pair in the import report; import the row again with --on-duplicate update or create once you know which it is.",
        "取り込みレポートで組み合わせを確認し、判断がついたら --on-duplicate update または create で取り込み直してください。",
    ),
    E(
        "KZ-IMP-030",
        "Import rejected rows",
        "取り込めなかった行があります",
        "Import job {job} rejected {invalid} of {rows} rows.",
        "取り込みジョブ {job} で {rows} 行中 {invalid} 行を取り込めませんでした。",
        "Download the job's error file, correct the rows it lists and import it.",
        "ジョブのエラーファイルをダウンロードし、記載された行を修正して取り込んでください。",
    ),
    E(
        "KZ-IMP-031",
        "Cell too long",
        "セルが長すぎます",
        "Row {row} holds a value longer than {limit} characters (often a quote left open, or a file that is not a table); the row was not imported.",
        "{row} 行目に {limit} 文字を超える値があります（閉じられていない引用符や、表形式でないファイルでよく起こります）。この行は取り込んでいません。",
        "Check the row's quotes and that the file is the table you meant; shorten the value, then import the error file.",
        "行の引用符と、目的の表形式のファイルであることを確認し、値を短くしてエラーファイルを取り込み直してください。",
    ),
    E(
        "KZ-IMP-032",
        "Row is not well-formed CSV",
        "行が CSV の形式になっていません",
        "Row {row} cannot be read as CSV: {reason}; the row was not imported.",
        "{row} 行目を CSV として読み取れません: {reason}。この行は取り込んでいません。",
        'A value with quotes inside must be quoted as a whole with inner quotes doubled ("彼は""はい""と"); fix the row and import the error file.',
        '引用符を含む値は、値全体を引用符で囲み、中の引用符を2つ重ねてください（"彼は""はい""と"）。行を修正してエラーファイルを取り込み直してください。',
    ),
    E(
        "KZ-IMP-033",
        "Import interrupted by the database",
        "データベースのエラーで取り込みが中断しました",
        "Import job {job} stopped because the database failed: {detail}. Every row up to row {row} is saved; nothing after it was written.",
        "取り込みジョブ {job} はデータベースのエラーで停止しました: {detail}。{row} 行目までは保存済みで、それ以降は書き込まれていません。",
        "Check that the database is reachable and has space (kizuna doctor), then run kizuna import resume {job}: it continues after row {row} and writes each row once.",
        "データベースに接続でき、空き容量があることを確認して（kizuna doctor）、kizuna import resume {job} を実行してください。{row} 行目の次から再開し、各行を1回だけ書き込みます。",
        retryable=True,
    ),
    E(
        "KZ-IMP-034",
        "Characters CP932 cannot hold",
        "CP932（Shift_JIS）で表せない文字があります",
        "{count} values hold characters CP932 (Shift_JIS) cannot represent, so the export was not written rather than turn them into “?”: {characters}.",
        "{count} 件の値に CP932（Shift_JIS）で表せない文字があるため、「?」に置き換えずに書き出しを中止しました: {characters}",
        "Export as UTF-8 with BOM (--encoding utf-8-sig, which Excel opens), or change those characters in the records (e.g. 𠮷 → 吉).",
        "UTF-8（BOM 付き、Excel で開けます: --encoding utf-8-sig）で書き出すか、該当レコードの文字を変更してください（例: 𠮷 → 吉）。",
    ),
    E(
        "KZ-IMP-035",
        "Two columns mapped to one field",
        "2つの列が同じ項目に対応付けられています",
        "More than one column is mapped to {fields}; each field takes one column.",
        "{fields} に複数の列が対応付けられています。1つの項目に対応付けられる列は1つです。",
        "Keep one column for the field and set the others to “Do not import”.",
        "項目ごとに1つの列を残し、ほかの列は「取り込まない」にしてください。",
    ),
    E(
        "KZ-IMP-036",
        "XML with entity declarations refused",
        "エンティティ宣言を含む XML は読み込みません",
        "“{file}” declares entities or loads external content ({reason}); such declarations can expand a small file into gigabytes or read other files, so nothing was read.",
        "「{file}」はエンティティの宣言または外部の内容の読み込みを含みます（{reason}）。小さなファイルを数ギガバイトに膨らませたり他のファイルを読み込んだりできるため、何も読み込んでいません。",
        "Export the file again without a DOCTYPE/ENTITY section (plain elements and attributes), then import it.",
        "DOCTYPE や ENTITY の宣言を含まない形式（要素と属性のみ）で書き出し直してから取り込んでください。",
    ),
    E(
        "KZ-IMP-037",
        "File is not valid XML",
        "XML として読み取れないファイルです",
        "“{file}” cannot be read as XML at line {line}, column {column}: {reason}. Nothing was imported from it.",
        "「{file}」の {line} 行目 {column} 文字目を XML として読み取れません: {reason}。このファイルからは何も取り込んでいません。",
        "Check that the file is complete (not cut off) and that every element is closed; export it again from the other system.",
        "ファイルが途中で切れていないこと、すべての要素が閉じられていることを確認し、元のシステムから書き出し直してください。",
    ),
    E(
        "KZ-IMP-038",
        "No record elements in the XML",
        "XML にレコードの要素がありません",
        "“{file}” holds no “{record}” elements to read as records (elements found: {tags}).",
        "「{file}」にはレコードとして読む「{record}」の要素がありません（見つかった要素: {tags}）。",
        "Name the element that repeats once per record with --record (e.g. 伝票, or 売上伝票一覧/伝票).",
        "レコードごとに繰り返される要素を --record で指定してください（例: 伝票、売上伝票一覧/伝票）。",
    ),
    E(
        "KZ-IMP-039",
        "File cannot be opened",
        "ファイルを開けません",
        "“{file}” cannot be {action}: {reason}.",
        "「{file}」を{action}ことができません: {reason}。",
        "Check the path and its spelling, that the file (or folder) exists, and that you may read (or write) it.",
        "パスと綴り、ファイル（またはフォルダー）が存在すること、読み取り（または書き込み）の権限があることを確認してください。",
    ),
    E(
        "KZ-AUTH-001",
        "Not allowed to view this record",
        "このレコードを閲覧する権限がありません",
        "{object_type} {object_id} is outside what your role ({role}) may see.",
        "{object_type} {object_id} は、あなたのロール（{role}）で閲覧できる範囲外です。",
        "Ask the record's owner or an administrator to share it or change your role.",
        "レコードの担当者または管理者に共有やロール変更を依頼してください。",
        http_status=404,
    ),
    E(
        "KZ-AUTH-002",
        "Not allowed to change this record",
        "このレコードを変更する権限がありません",
        "Your role ({role}) may not {action} {object_type} {object_id}.",
        "あなたのロール（{role}）では{object_type} {object_id}を{action}できません。",
        "Ask the record's owner, your manager or an administrator.",
        "レコードの担当者、マネージャー、または管理者に依頼してください。",
        http_status=403,
    ),
    E(
        "KZ-AUTH-003",
        "Administrator only",
        "管理者のみ実行できます",
        "Only administrators may {action}.",
        "{action}は管理者のみ実行できます。",
        "Ask an administrator to do it or to grant you the administrator role.",
        "管理者に実行を依頼するか、管理者ロールの付与を依頼してください。",
        http_status=403,
    ),
    E(
        "KZ-DB-001",
        "Database constraint violated",
        "データベースの制約に違反しました",
        "The database refused the change: {detail}",
        "データベースが変更を拒否しました: {detail}",
        "Nothing was saved. Correct the data and try again; if it persists, report this code with the time.",
        "何も保存されていません。データを修正して再試行し、解決しない場合はこのコードと時刻を管理者に伝えてください。",
        http_status=409,
    ),
    E(
        "KZ-TASK-001",
        "Background task abandoned by its worker",
        "バックグラウンド処理のワーカーが停止しました",
        "Task {task_id} ({task_path}) was running on worker {worker_id}, which stopped sending heartbeats"
        " {silence}s ago; the task was put back in the queue (attempt {attempt}).",
        "タスク {task_id}（{task_path}）を実行中のワーカー {worker_id} が{silence}秒間応答しなかったため、"
        "タスクを再実行キューに戻しました（{attempt}回目）。",
        "None needed: the task runs again. If workers keep dying, check memory and the worker log.",
        "対応は不要です（自動で再実行されます）。頻発する場合はメモリとワーカーのログを確認してください。",
        retryable=True,
    ),
    E(
        "KZ-TASK-002",
        "Background task gave up",
        "バックグラウンド処理を中止しました",
        "Task {task_id} ({task_path}) was abandoned by a dead worker {attempt} times and will not be retried.",
        "タスク {task_id}（{task_path}）はワーカー停止により{attempt}回中断されたため、これ以上再実行しません。",
        "Look at the worker log for the crash (memory, a killed process), fix it, then retry from the error center.",
        "ワーカーのログで停止原因（メモリ不足・強制終了など）を確認・解消し、エラーセンターから再実行してください。",
        http_status=500,
        retryable=True,
    ),
)
