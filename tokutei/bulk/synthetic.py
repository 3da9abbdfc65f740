"""Synthetic J-LIS bulk-acquisition result files: realistic, valid check digits, no real person.

Names, kana, addresses and dates are drawn from small fixed lists; My Numbers and 住民票コード come from a
bijection of the row number (a·i + b mod 10¹¹), so no two rows share a number unless a duplicate is
planted on purpose. A million rows take a few seconds.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tokutei.core.jdates import to_wareki

SURNAMES = [
    ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"), ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"), ("山本", "ヤマモト"), ("中村", "ナカムラ"), ("小林", "コバヤシ"), ("加藤", "カトウ"),
    ("吉田", "ヨシダ"), ("山田", "ヤマダ"), ("佐々木", "ササキ"), ("山口", "ヤマグチ"), ("松本", "マツモト"),
    ("井上", "イノウエ"), ("木村", "キムラ"), ("林", "ハヤシ"), ("斎藤", "サイトウ"), ("清水", "シミズ"),
    ("山崎", "ヤマザキ"), ("森", "モリ"), ("池田", "イケダ"), ("橋本", "ハシモト"), ("阿部", "アベ"),
    ("石川", "イシカワ"), ("山下", "ヤマシタ"), ("中島", "ナカジマ"), ("石井", "イシイ"), ("小川", "オガワ"),
    ("前田", "マエダ"), ("岡田", "オカダ"), ("長谷川", "ハセガワ"), ("藤田", "フジタ"), ("後藤", "ゴトウ"),
    ("近藤", "コンドウ"), ("村上", "ムラカミ"), ("遠藤", "エンドウ"), ("青木", "アオキ"), ("坂本", "サカモト"),
]
GIVEN_MALE = [
    ("大輔", "ダイスケ"), ("誠", "マコト"), ("直樹", "ナオキ"), ("健一", "ケンイチ"), ("隆", "タカシ"),
    ("浩", "ヒロシ"), ("翔太", "ショウタ"), ("和夫", "カズオ"), ("茂", "シゲル"), ("博", "ヒロシ"),
    ("修", "オサム"), ("勇", "イサム"), ("清", "キヨシ"), ("拓也", "タクヤ"), ("達也", "タツヤ"),
]
GIVEN_FEMALE = [
    ("陽子", "ヨウコ"), ("恵子", "ケイコ"), ("幸子", "サチコ"), ("美穂", "ミホ"), ("由美", "ユミ"),
    ("和子", "カズコ"), ("洋子", "ヨウコ"), ("久美子", "クミコ"), ("真由美", "マユミ"), ("智子", "トモコ"),
    ("裕子", "ユウコ"), ("直美", "ナオミ"), ("明美", "アケミ"), ("さくら", "サクラ"), ("愛", "アイ"),
]
PLACES = [
    "兵庫県神戸市中央区", "兵庫県神戸市灘区", "兵庫県姫路市", "兵庫県尼崎市", "兵庫県明石市", "兵庫県西宮市",
    "兵庫県加古川市", "兵庫県宝塚市", "兵庫県伊丹市", "兵庫県豊岡市", "宮城県仙台市青葉区", "東京都国分寺市",
    "埼玉県狭山市", "三重県いなべ市", "大阪府大阪市北区", "京都府京都市左京区",
]
TOWNS = ["本町", "栄町", "旭町", "緑町", "中町", "東町", "西町", "南町", "北町", "桜町", "若葉", "青葉台", "花園町"]
WEIGHTS = (6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)

HEADERS = ["個人番号", "氏名", "氏名カナ", "生年月日", "性別", "住所", "住民票コード"]

BAD_KINDS = (
    "check_digit", "length", "not_digits", "bad_date", "future_date", "sex", "empty_name", "kana",
    "duplicate", "short_row", "empty_org_key",
)


def check_digit(eleven: str) -> str:
    s = sum(w * (ord(c) - 48) for w, c in zip(WEIGHTS, eleven, strict=True))
    r = s % 11
    return "0" if r <= 1 else str(11 - r)


def my_number(i: int) -> str:
    """The i-th synthetic My Number: a bijection of i onto 11 digits, plus the check digit."""
    body = f"{(i * 7_919_000_003 + 48_271) % 100_000_000_000:011d}"
    return body + check_digit(body)


def resident_code(i: int) -> str:
    return f"{(i * 3_000_000_019 + 12_345) % 100_000_000_000:011d}"


@dataclass
class GenStats:
    rows: int = 0
    good: int = 0
    bad: Counter = field(default_factory=Counter)

    @property
    def bad_total(self) -> int:
        return sum(self.bad.values())


def _birth_text(rng: random.Random, day: dt.date) -> str:
    pick = rng.random()
    if pick < 0.6:
        return day.isoformat()
    if pick < 0.8:
        return f"{day.year}/{day.month}/{day.day}"
    return to_wareki(day)


def generate(out: str | Path, *, rows: int, bad: int = 0, encoding: str = "utf-8", seed: int = 1,
             org_key_header: str | None = "年金証書番号", shuffle_columns: bool = False, start: int = 0) -> GenStats:
    """Write ``rows`` data records of which ``bad`` are deliberately wrong (of every kind in BAD_KINDS).
    Person ``i`` of the file is synthetic person ``start + i`` (a second file with another ``start`` holds
    other people)."""
    rng = random.Random(seed)
    headers = list(HEADERS) + ([org_key_header] if org_key_header else [])
    order = list(range(len(headers)))
    if shuffle_columns:
        rng.shuffle(order)
    bad = min(bad, rows)
    bad_at = set(rng.sample(range(1, rows), bad)) if bad and rows > 1 else set()
    if bad and rows == 1:
        bad_at = {0}
    stats = GenStats()
    epoch = dt.date(1930, 1, 1).toordinal()
    span = dt.date(2005, 12, 31).toordinal() - epoch
    last_good_number = ""
    kinds = [k for k in BAD_KINDS if org_key_header or k != "empty_org_key"]
    with open(out, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow([headers[j] for j in order])
        for i in range(rows):
            male = rng.random() < 0.5
            sur, sur_k = SURNAMES[rng.randrange(len(SURNAMES))]
            giv, giv_k = (GIVEN_MALE if male else GIVEN_FEMALE)[rng.randrange(15)]
            day = dt.date.fromordinal(epoch + rng.randrange(span))
            n = start + i
            row = [
                my_number(n), f"{sur}\u3000{giv}", f"{sur_k}\u3000{giv_k}", _birth_text(rng, day),
                "男" if male else "女",
                f"{PLACES[rng.randrange(len(PLACES))]}{TOWNS[rng.randrange(len(TOWNS))]}"
                f"{rng.randrange(1, 6)}丁目{rng.randrange(1, 30)}番{rng.randrange(1, 20)}号",
                resident_code(n),
            ]
            if org_key_header:
                row.append(f"{400_000_000 + n:010d}")
            if i in bad_at:
                kind = kinds[len(stats.bad) % len(kinds)] if len(stats.bad) < len(kinds) else rng.choice(kinds)
                if kind == "duplicate" and not last_good_number:
                    kind = "check_digit"
                row = _spoil(row, kind, last_good_number)
                stats.bad[kind] += 1
            else:
                stats.good += 1
                last_good_number = row[0]
            stats.rows += 1
            writer.writerow([row[j] for j in order if j < len(row)] if shuffle_columns else row)
    return stats


def _spoil(row: list[str], kind: str, earlier: str) -> list[str]:
    number = row[0]
    if kind == "check_digit":
        row[0] = number[:11] + str((int(number[11]) + 1) % 10)
    elif kind == "length":
        row[0] = number[:11]
    elif kind == "not_digits":
        row[0] = number[:5] + "X" + number[6:]
    elif kind == "bad_date":
        row[3] = "1970-02-30"
    elif kind == "future_date":
        row[3] = "2999-01-01"
    elif kind == "sex":
        row[4] = "X"
    elif kind == "empty_name":
        row[1] = ""
    elif kind == "kana":
        row[2] = row[1]
    elif kind == "duplicate":
        row[0] = earlier
    elif kind == "short_row":
        row = row[:3]
    elif kind == "empty_org_key":
        row[-1] = ""
    return row
