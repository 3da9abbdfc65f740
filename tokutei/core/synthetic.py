"""Synthetic people — the one generator for demos, tests, load tests and synthetic J-LIS files. No real
personal data.

Names are random pairings of common family and given names; 個人番号 walk the 11 free digits (an affine
bijection of the person's serial, so they are unique within one run) plus a valid check digit;
住民票コード are a second bijection of the serial; addresses are in the organisation's prefecture. Fast: one
million people in a few seconds.

    from tokutei.core.synthetic import people, batches
    for row in people(1000, seed=1, prefecture="兵庫県"): ...      # dicts of profile field keys
    for batch in batches(1_000_000, size=50_000): ...              # lists, streamed

Deterministic: the same arguments give the same people. With ``offset=None`` (the default) the number walk
starts at a point drawn from ``seed``; the J-LIS file generator (``tokutei.bulk.synthetic``) passes
``offset=SERIAL_OFFSET``, so that person ``i`` has the 個人番号 ``my_number(i)`` and the 住民票コード
``resident_code(i)`` whatever the seed (tests and the benchmark look them up by serial).

Callers: ``tokutei.vault.synthetic`` (re-exports this module), ``tokutei.vault.demo``,
``tokutei.bulk.synthetic`` (J-LIS files), ``tokutei.staff.demo`` (:func:`staff_names`).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from tokutei.core.mynumber import WEIGHTS as MN_WEIGHTS

FAMILY = [
    ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"), ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"), ("山本", "ヤマモト"), ("中村", "ナカムラ"), ("小林", "コバヤシ"), ("加藤", "カトウ"),
    ("吉田", "ヨシダ"), ("山田", "ヤマダ"), ("佐々木", "ササキ"), ("山口", "ヤマグチ"), ("松本", "マツモト"),
    ("井上", "イノウエ"), ("木村", "キムラ"), ("林", "ハヤシ"), ("斎藤", "サイトウ"), ("清水", "シミズ"),
    ("山崎", "ヤマザキ"), ("森", "モリ"), ("池田", "イケダ"), ("橋本", "ハシモト"), ("阿部", "アベ"),
    ("石川", "イシカワ"), ("山下", "ヤマシタ"), ("中島", "ナカジマ"), ("石井", "イシイ"), ("小川", "オガワ"),
    ("前田", "マエダ"), ("岡田", "オカダ"), ("長谷川", "ハセガワ"), ("藤田", "フジタ"), ("後藤", "ゴトウ"),
    ("近藤", "コンドウ"), ("村上", "ムラカミ"), ("遠藤", "エンドウ"), ("青木", "アオキ"), ("坂本", "サカモト"),
]
MALE = [
    ("太郎", "タロウ"), ("一郎", "イチロウ"), ("健一", "ケンイチ"), ("誠", "マコト"), ("浩", "ヒロシ"),
    ("茂", "シゲル"), ("博", "ヒロシ"), ("隆", "タカシ"), ("清", "キヨシ"), ("勝", "マサル"),
    ("大輔", "ダイスケ"), ("健太", "ケンタ"), ("翔太", "ショウタ"), ("和夫", "カズオ"), ("正男", "マサオ"),
    ("修", "オサム"), ("実", "ミノル"), ("進", "ススム"), ("豊", "ユタカ"), ("昭", "アキラ"),
    ("直樹", "ナオキ"), ("勇", "イサム"), ("拓也", "タクヤ"), ("達也", "タツヤ"),
]
FEMALE = [
    ("花子", "ハナコ"), ("和子", "カズコ"), ("幸子", "サチコ"), ("節子", "セツコ"), ("洋子", "ヨウコ"),
    ("恵子", "ケイコ"), ("京子", "キョウコ"), ("美智子", "ミチコ"), ("久美子", "クミコ"), ("由美子", "ユミコ"),
    ("裕子", "ユウコ"), ("直子", "ナオコ"), ("真由美", "マユミ"), ("明美", "アケミ"), ("陽子", "ヨウコ"),
    ("美咲", "ミサキ"), ("千尋", "チヒロ"), ("沙織", "サオリ"), ("光子", "ミツコ"), ("静香", "シズカ"),
    ("美穂", "ミホ"), ("由美", "ユミ"), ("智子", "トモコ"), ("直美", "ナオミ"), ("さくら", "サクラ"), ("愛", "アイ"),
]
CITIES = {
    "兵庫県": ["神戸市中央区", "神戸市灘区", "姫路市", "尼崎市", "明石市", "西宮市", "芦屋市", "伊丹市",
             "加古川市", "宝塚市", "三田市", "豊岡市", "洲本市", "たつの市", "丹波篠山市"],
    "宮城県": ["仙台市青葉区", "仙台市宮城野区", "仙台市若林区", "仙台市太白区", "仙台市泉区", "名取市", "塩竈市"],
    "東京都": ["国分寺市", "国立市", "小金井市", "府中市", "立川市", "小平市", "武蔵野市"],
    "埼玉県": ["狭山市", "入間市", "所沢市", "川越市", "飯能市", "日高市"],
    "三重県": ["いなべ市", "桑名市", "四日市市", "鈴鹿市", "津市", "亀山市"],
}
TOWNS = ["本町", "栄町", "中町", "緑町", "旭町", "寿町", "幸町", "新町", "東町", "西町", "南町", "北町", "若葉町",
         "桜町", "松が丘", "日の出町", "城山", "大和町"]
ORG_PREFECTURES = {"兵庫": "兵庫県", "仙台": "宮城県", "国分寺": "東京都", "狭山": "埼玉県", "いなべ": "三重県"}
WEIGHTS = MN_WEIGHTS
SPACE = 10**11
STRIDE = 7_919_000_003  # coprime to 10^11 (prime, not 2 or 5): the walk never repeats within 10^11 steps
RC_STRIDE = 3_000_000_019  # the same for 住民票コード
SERIAL_OFFSET = 48_271  # where the serial walks start (``my_number(i)``, ``resident_code(i)``)
RC_OFFSET = 12_345


def my_number(i: int, offset: int = SERIAL_OFFSET) -> str:
    """The 個人番号 of synthetic person ``i`` (a bijection of ``i`` onto 11 digits, plus the check digit)."""
    return with_check_digit((offset + i * STRIDE) % SPACE)


def resident_code(i: int, offset: int = RC_OFFSET) -> str:
    """The 住民票コード of synthetic person ``i`` (another bijection: unique within a run)."""
    return f"{(offset + i * RC_STRIDE) % SPACE:011d}"


def staff_names(n: int) -> list[tuple[str, str, str]]:
    """``n`` (family, given, カナ) names for demo staff, women and men in turn; the same every time."""
    out = []
    for i in range(n):
        family, family_kana = FAMILY[i % len(FAMILY)]
        given_names = FEMALE if i % 2 else MALE
        given, given_kana = given_names[(i // 2) % len(given_names)]
        out.append((family, given, f"{family_kana} {given_kana}"))
    return out


def prefecture_for(org_name: str) -> str:
    """The prefecture of an organisation (by its name), 兵庫県 if unknown."""
    for key, pref in ORG_PREFECTURES.items():
        if key in org_name:
            return pref
    for pref in CITIES:
        if pref in org_name:
            return pref
    return "兵庫県"


_TABLES: tuple[list[int], list[int]] | None = None


def _tables() -> tuple[list[int], list[int]]:
    """Weighted digit sums of the high 5 and low 6 digits, precomputed once (makes the check digit O(1))."""
    global _TABLES
    if _TABLES is None:
        def sums(width: int, weights: tuple[int, ...]) -> list[int]:
            table = [0]
            for w in reversed(weights):  # build digit by digit from the right: table[x] for x < 10^k
                table = [d * w + t for d in range(10) for t in table]
            return table
        _TABLES = (sums(5, WEIGHTS[:5]), sums(6, WEIGHTS[5:]))
    return _TABLES


def with_check_digit(base: int) -> str:
    """An 11-digit base plus its check digit (総務省令 §5): a valid 個人番号 (``tokutei.core.mynumber``'s
    rule from precomputed tables; tested equal to ``check_digit``)."""
    high, low = _tables()
    r = (high[base // 1_000_000] + low[base % 1_000_000]) % 11
    return f"{base:011d}{0 if r <= 1 else 11 - r}"


def people(n: int, *, seed: int | None = None, prefecture: str = "兵庫県", start: int = 0,
           born_from: int = 1930, born_to: int = 1965, offset: int | None = None) -> Iterator[dict[str, str]]:
    """``n`` synthetic people as dicts keyed by the common profile field keys.

    Keys: my_number, name, name_kana, birth_date (ISO), sex (男/女), address, resident_code,
    pension_cert_no. ``start`` offsets the number walk so several runs with one seed do not collide.
    """
    for batch in batches(n, seed=seed, prefecture=prefecture, start=start, born_from=born_from, born_to=born_to,
                         offset=offset):
        yield from batch


def batches(n: int, *, size: int = 10_000, seed: int | None = None, prefecture: str = "兵庫県", start: int = 0,
            born_from: int = 1930, born_to: int = 1965, offset: int | None = None
            ) -> Iterator[list[dict[str, str]]]:
    """The same people, ``size`` at a time (streamed: memory stays flat for millions)."""
    rng = random.Random(seed)
    drawn = rng.randrange(SPACE)  # drawn even when ``offset`` is given: the rest of the stream is the same
    offset = drawn if offset is None else offset
    rc_offset = (offset * 7 + RC_OFFSET) % SPACE if offset != SERIAL_OFFSET else RC_OFFSET
    cities = CITIES.get(prefecture, CITIES["兵庫県"])
    first_day = dt.date(born_from, 1, 1).toordinal()
    days = [dt.date.fromordinal(d).isoformat()
            for d in range(first_day, dt.date(born_to, 12, 31).toordinal() + 1)]
    places = [f"{prefecture}{c}{t}" for c in cities for t in TOWNS]
    blocks = [f"{c}丁目{b}番{g}号" for c in range(1, 6) for b in range(1, 31) for g in range(1, 21)]
    people_ = [(f"{f} {g}", f"{fk} {gk}", sex) for f, fk in FAMILY
               for (g, gk), sex in [*((m, "男") for m in MALE), *((w, "女") for w in FEMALE)]]
    _tables()
    high, low = _TABLES  # type: ignore[misc]
    produced = 0
    while produced < n:
        k = min(size, n - produced)
        names = rng.choices(people_, k=k)
        born = rng.choices(days, k=k)
        place = rng.choices(places, k=k)
        block = rng.choices(blocks, k=k)
        rand = rng.random
        batch = []
        for i in range(k):
            serial = start + produced + i
            base = (offset + serial * STRIDE) % SPACE
            r = (high[base // 1_000_000] + low[base % 1_000_000]) % 11
            name, kana, sex = names[i]
            batch.append({
                "my_number": f"{base:011d}{0 if r <= 1 else 11 - r}",
                "name": name,
                "name_kana": kana,
                "birth_date": born[i],
                "sex": sex,
                "address": place[i] + block[i],
                "resident_code": f"{(rc_offset + serial * RC_STRIDE) % SPACE:011d}",
                "pension_cert_no": f"{serial % 9000 + 1000:04d}-{int(rand() * 1e6):06d}",
            })
        produced += k
        yield batch
