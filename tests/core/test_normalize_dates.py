"""kizuna.core.normalize.dates: the date formats of Japanese spreadsheets, eras, Excel serials, order."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kizuna.core.errors import KizunaError
from kizuna.core.normalize.dates import ERAS, EXCEL_EPOCH, era_date, infer_date_order, normalize_date

D = dt.date


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2023-04-01", D(2023, 4, 1)),
        ("2023/4/1", D(2023, 4, 1)),
        ("2023.4.1", D(2023, 4, 1)),
        ("20230401", D(2023, 4, 1)),
        ("２０２３／０４／０１", D(2023, 4, 1)),  # full-width digits and slash
        ("2023－4－1", D(2023, 4, 1)),  # a look-alike dash
        ("2023年4月1日", D(2023, 4, 1)),
        (" 2023 年 4 月 1 日 ", D(2023, 4, 1)),
        ("2023/4/1 0:00:00", D(2023, 4, 1)),  # what Excel writes for a date cell
        ("2023-04-01T23:30:00+09:00", D(2023, 4, 1)),  # the date as written, not moved to UTC
        ("2023-04-01T23:30:00Z", D(2023, 4, 1)),
        ("令和5年4月1日", D(2023, 4, 1)),
        ("令和元年5月1日", D(2019, 5, 1)),
        ("R5.4.1", D(2023, 4, 1)),
        ("r05/04/01", D(2023, 4, 1)),
        ("H31/4/30", D(2019, 4, 30)),
        ("㍻31.4.30", D(2019, 4, 30)),  # the era ligature
        ("平成元年1月8日", D(1989, 1, 8)),
        ("昭和64年1月7日", D(1989, 1, 7)),  # 昭和's last day
        ("S39.10.10", D(1964, 10, 10)),
        ("大正15年12月24日", D(1926, 12, 24)),
        ("明治45年7月29日", D(1912, 7, 29)),
        ("1 Apr 2023", D(2023, 4, 1)),
        ("April 1, 2023", D(2023, 4, 1)),
        ("Sept 30th, 2023", D(2023, 9, 30)),
        ("25/12/2020", D(2020, 12, 25)),  # proves day-first by itself
        ("12/25/2020", D(2020, 12, 25)),  # proves month-first by itself
        ("5/5/2020", D(2020, 5, 5)),  # the same either way
        ("44927", D(2023, 1, 1)),  # Excel serial
        ("44927.75", D(2023, 1, 1)),  # Excel serial with a time of day
        ("", None),
        ("  ", None),
        (None, None),
        (D(2023, 4, 1), D(2023, 4, 1)),
        (dt.datetime(2023, 4, 1, 9, 30), D(2023, 4, 1)),
    ],
)
def test_reads(raw: object, expected: D | None) -> None:
    assert normalize_date(raw) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "order", "expected"),
    [
        ("1/4/2020", "dmy", D(2020, 4, 1)),
        ("1/4/2020", "mdy", D(2020, 1, 4)),
        ("25/12/2020", "dmy", D(2020, 12, 25)),
    ],
)
def test_a_known_order_reads_ambiguous_values(raw: str, order: str, expected: D) -> None:
    assert normalize_date(raw, order=order) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("2023/13/1", "no such day"),
        ("2023/2/29", "no such day"),
        ("hello", "no date format"),
        ("23/4/1", "four digits"),
        ("令和0年1月1日", "starts at 1"),
        ("2023/4/1/5", "no date format"),
        ("12345678901", "no date format"),
        ("25/13/2020", "neither can be the month"),
    ],
)
def test_refuses_what_is_not_a_date(raw: str, reason: str) -> None:
    with pytest.raises(KizunaError) as exc:
        normalize_date(raw, field="birth_date")
    assert exc.value.code == "KZ-VAL-016"
    assert exc.value.field == "birth_date"
    assert reason in exc.value.cause("en")
    assert "YYYY-MM-DD" in exc.value.remedy("ja")


@pytest.mark.parametrize(
    ("raw", "suggestion", "iso"),
    [
        ("平成32年1月1日", "令和2年1月1日", "2020-01-01"),  # the classic: 平成 never had a 32nd year
        ("平成31年5月1日", "令和元年5月1日", "2019-05-01"),  # one day after 平成 ended
        ("昭和64年1月8日", "平成元年1月8日", "1989-01-08"),
        ("令和元年4月30日", "平成31年4月30日", "2019-04-30"),  # one day before 令和 began
        ("H32.1.1", "令和2年1月1日", "2020-01-01"),
    ],
)
def test_an_era_date_that_never_was_is_flagged_with_the_real_one(raw: str, suggestion: str, iso: str) -> None:
    with pytest.raises(KizunaError) as exc:
        normalize_date(raw, field="契約日")
    assert exc.value.code == "KZ-VAL-017"
    assert exc.value.context["suggestion"] == suggestion
    assert exc.value.context["iso"] == iso
    assert suggestion in exc.value.cause("ja") and iso in exc.value.remedy("en")


def test_an_ambiguous_day_month_is_flagged_not_guessed() -> None:
    with pytest.raises(KizunaError) as exc:
        normalize_date("1/4/2020", field="date")
    assert exc.value.code == "KZ-VAL-018"
    assert (exc.value.context["day_first"], exc.value.context["month_first"]) == ("2020-04-01", "2020-01-04")


@pytest.mark.parametrize(
    ("values", "order"),
    [
        (["1/4/2020", "25/12/2020", ""], "dmy"),
        (["1/4/2020", "12/25/2020", None], "mdy"),
        (["1/4/2020", "2/3/2021"], None),  # nothing proves it
        (["25/12/2020", "12/25/2020"], None),  # contradictory: flagged value by value
        (["2023-04-01", "令和5年4月1日"], None),  # year first: no order needed
        (["２５／１２／２０２０"], "dmy"),
    ],
)
def test_infer_date_order_from_a_column(values: list[str | None], order: str | None) -> None:
    assert infer_date_order(values) == order


def test_era_date_writes_the_first_year_as_gannen() -> None:
    assert era_date(D(2019, 5, 1)) == "令和元年5月1日"
    assert era_date(D(2019, 4, 30)) == "平成31年4月30日"
    assert era_date(D(1850, 1, 1)) == "1850-01-01"  # before Meiji: no era


DATES = st.dates(min_value=ERAS[0].start, max_value=D(2150, 12, 31))


@given(DATES)
def test_every_written_form_of_a_day_reads_back_as_that_day(day: D) -> None:
    forms = [
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}年{day.month}月{day.day}日",
        day.strftime("%Y%m%d"),
        era_date(day),
        f"{day.day} {day.strftime('%b')} {day.year}",
    ]
    for form in forms:
        assert normalize_date(form) == day, form


@given(DATES)
def test_the_era_letter_form_reads_back(day: D) -> None:
    era = next(e for e in reversed(ERAS) if day >= e.start)
    assert normalize_date(f"{era.letter}{day.year - era.offset}.{day.month}.{day.day}") == day


@given(st.integers(min_value=10000, max_value=99999))
def test_excel_serials_count_from_excels_epoch(serial: int) -> None:
    assert normalize_date(str(serial)) == EXCEL_EPOCH + dt.timedelta(days=serial)


@given(
    st.tuples(
        st.integers(0, 9999), st.sampled_from("-/"), st.integers(0, 99), st.integers(0, 99), st.booleans()
    )
)
@settings(max_examples=2000, deadline=None)
def test_plain_dates_read_as_the_folding_path_reads_them(parts):
    year, sep, month, day, padded = parts
    text = f"{year:04d}{sep}{month:02d}{sep}{day:02d}" if padded else f"{year:04d}{sep}{month}{sep}{day}"

    def outcome(value):
        try:
            return normalize_date(value)
        except KizunaError as exc:
            return (exc.code, {k: str(v) for k, v in exc.context.items() if k != "value"})

    # A leading space skips the fast path; the folding path strips it and must agree.
    assert outcome(text) == outcome(" " + text)
