"""A Japanese contact CSV in CP932 with realistic dirt, for the import benchmark (seeded, so every run
reads the same file).

Faker ja_JP fills pools of names, companies and addresses once; rows combine them at random so a
million rows take seconds. The dirt is what Excel files carry: full-width digits and look-alike
dashes in phone numbers, +81 and 内線 forms, hiragana readings, 和暦 and slashed dates, legal forms
written (株)/㈱, postal codes with 〒 or without hyphen, a few invalid emails and phones, missing
family names and exact duplicate rows. ``clean_rows`` gives the same records already normalized, for
the plain bulk-load floor.

``python bench/import_file.py OUT.csv ROWS`` writes a file.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator
from pathlib import Path

HEADER = [
    "姓",
    "名",
    "セイ",
    "メイ",
    "会社名",
    "部署",
    "メールアドレス",
    "電話番号",
    "携帯番号",
    "郵便番号",
    "都道府県",
    "住所",
    "生年月日",
    "登録日",
]
DEPARTMENTS = ["営業部", "総務部", "経理部", "情報システム部", "購買部", "人事部", "企画部", ""]
FORMS = ["株式会社{}", "{}株式会社", "㈱{}", "(株){}", "有限会社{}", "(有){}", "合同会社{}"]
FULL = str.maketrans("0123456789-", "０１２３４５６７８９－")


def _pools(seed: int) -> dict[str, list]:
    from faker import Faker

    fake = Faker("ja_JP")
    Faker.seed(seed)
    return {
        "family": [(fake.last_name_pair()) for _ in range(2000)],
        "given": [(fake.first_name_pair()) for _ in range(2000)],
        "company": [
            fake.last_name() + s
            for s in ("商事", "水産", "電気", "工業", "通信", "食品", "建設", "印刷")
            for _ in range(250)
        ],
        "address": [
            (
                fake.zipcode().replace("-", ""),
                fake.prefecture(),
                fake.city() + fake.town() + fake.chome() + fake.ban() + fake.gou(),
            )
            for _ in range(5000)
        ],
        "domain": ["example.co.jp", "example.jp", "example.com", "example.ne.jp", "example.or.jp"],
    }


def _phone(rng: random.Random, i: int) -> tuple[str, str]:
    """(as written, E.164)."""
    area, local = rng.choice(
        [("03", 8), ("06", 8), ("045", 7), ("052", 7), ("092", 7), ("0463", 6), ("011", 7)]
    )
    digits = f"{rng.randrange(10 ** (local - 1), 10**local)}"
    if area in ("03", "06"):
        digits = str(rng.randrange(2, 7)) + digits[1:]
    national = area + digits
    e164 = "+81" + national[1:]
    cut = len(area)
    written = f"{area}-{digits[: local - 4]}-{digits[local - 4 :]}"
    roll = rng.random()
    if roll < 0.10:
        written = written.translate(FULL)
    elif roll < 0.15:
        written = f"+81 {area[1:]} {digits[: local - 4]} {digits[local - 4 :]}"
    elif roll < 0.20:
        written = national
    elif roll < 0.23:
        written += f" 内線{rng.randrange(10, 999)}"
    elif roll < 0.24:
        written = written[:-3]  # too short: a row error
    del cut
    return written, e164


def _mobile(rng: random.Random) -> str:
    prefix = rng.choice(["090", "080", "070"])
    middle, last = rng.randrange(1000, 10000), rng.randrange(1000, 10000)
    if rng.random() < 0.2:
        return f"{prefix}{middle}{last}"
    return f"{prefix}-{middle}-{last}"


def _date(rng: random.Random, year: int, month: int, day: int) -> str:
    roll = rng.random()
    if roll < 0.5:
        return f"{year}/{month}/{day}"
    if roll < 0.7:
        return f"{year}-{month:02d}-{day:02d}"
    if roll < 0.8:
        return f"{year}年{month}月{day}日"
    if year >= 1989 and (year, month, day) > (1989, 1, 7) and year < 2019:
        return f"H{year - 1988}.{month}.{day}"
    if 1926 < year < 1989:
        return f"昭和{year - 1925}年{month}月{day}日"
    return f"{year}/{month}/{day}"


def rows(count: int, *, seed: int = 42) -> Iterator[list[str]]:
    rng = random.Random(seed)
    pools = _pools(seed)
    previous: list[str] | None = None
    for i in range(count):
        if previous is not None and rng.random() < 0.02:
            yield previous  # an exact duplicate: a row error of the import
            continue
        family, family_kana, _ = rng.choice(pools["family"])
        given, given_kana, _ = rng.choice(pools["given"])
        company = rng.choice(FORMS).format(rng.choice(pools["company"]))
        postal, prefecture, address = rng.choice(pools["address"])
        phone, _ = _phone(rng, i)
        email = f"user{i}@{rng.choice(pools['domain'])}"
        if rng.random() < 0.01:
            email = email.replace("@", "")
        if rng.random() < 0.3:
            family_kana, given_kana = _hiragana(family_kana), _hiragana(given_kana)
        if rng.random() < 0.005:
            family = ""
        postal_written = rng.choice([f"{postal[:3]}-{postal[3:]}", postal, f"〒{postal[:3]}-{postal[3:]}"])
        birth = _date(rng, rng.randrange(1950, 2003), rng.randrange(1, 13), rng.randrange(1, 29))
        created = _date(rng, rng.randrange(2010, 2025), rng.randrange(1, 13), rng.randrange(1, 29))
        mobile = _mobile(rng) if rng.random() < 0.5 else ""
        row = [
            family,
            given,
            family_kana,
            given_kana,
            company,
            rng.choice(DEPARTMENTS),
            email,
            phone,
            mobile,
            postal_written,
            prefecture,
            address,
            birth,
            created,
        ]
        previous = row
        yield row


def _hiragana(text: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)


def write(path: Path, count: int, *, seed: int = 42) -> Path:
    import csv

    with path.open("w", encoding="cp932", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(HEADER)
        writer.writerows(rows(count, seed=seed))
    return path


if __name__ == "__main__":
    print(write(Path(sys.argv[1]), int(sys.argv[2])))
