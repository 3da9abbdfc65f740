"""Reading the file: encodings, quoted fields, batches that never split a record, and the fast cleaners
giving exactly what the vault's own normalisation gives."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tokutei.bulk import jlis, synthetic
from tokutei.core.jdates import to_wareki
from tokutei.vault.codec import clean_value


@pytest.mark.parametrize(("kind", "raw"), [
    ("name", "佐藤　大輔"), ("name", " 佐藤  大輔 "), ("name", "ＳＡＴＯ\t太郎"), ("address", "兵庫県神戸市１－２－３"),
    ("kana", "サトウ　ダイスケ"), ("kana", "ｻﾄｳ ﾀﾞｲｽｹ"), ("kana", "さとう だいすけ"), ("kana", "サトウ・ダイスケ"),
    ("date", "1958-04-01"), ("date", "1958/4/1"), ("date", "昭和33年4月1日"), ("date", "１９５８－０４－０１"),
    ("sex", "男"), ("sex", "2"), ("sex", "女性"), ("sex", "m"), ("resident_code", "12345678901"),
    ("resident_code", "１２３４５６７８９０１"), ("text", "ｱ-0400000001"),
])
def test_the_fast_cleaners_agree_with_the_vault(kind, raw):
    assert jlis.cleaner_for(kind)(raw) == clean_value(kind, raw)


@pytest.mark.parametrize(("kind", "raw"), [("kana", "佐藤"), ("date", "1970-02-30"), ("sex", "X"),
                                           ("resident_code", "123")])
def test_the_fast_cleaners_refuse_what_the_vault_refuses(kind, raw):
    with pytest.raises(ValueError):
        clean_value(kind, raw)
    with pytest.raises(ValueError):
        jlis.cleaner_for(kind)(raw)


# Characters where a shortcut could go wrong: katakana (also half-width and with a combining voiced mark),
# hiragana, kanji, every kind of blank, 中黒 and punctuation, full-width digits, date separators and eras.
_TRICKY = ("アイウガヴヶーｱｶﾞﾞ\u3099ぁがゖゝ佐藤㈱髙 \u3000\t\n\xa0\u2003・･·.,、。"
           "0123456789０１２３-/／年月日昭和平成令和SHR元")


@hypothesis_settings(max_examples=400, deadline=None)
@given(st.sampled_from(["name", "kana", "address", "text", "date"]), st.text(alphabet=_TRICKY, max_size=14))
def test_the_fast_cleaners_agree_with_the_vault_on_any_text(kind, raw):
    try:
        expected = clean_value(kind, raw)
    except ValueError:
        with pytest.raises(ValueError):
            jlis.cleaner_for(kind)(raw)
        return
    assert jlis.cleaner_for(kind)(raw) == expected
    assert jlis.cleaner_for(kind)(raw) == expected  # a remembered date is the same date


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.dates(min_value=dt.date(1868, 10, 23), max_value=dt.date(2026, 12, 1)), st.integers(0, 3))
def test_every_spelling_of_a_birth_date_reads_as_the_vault_reads_it(day, spelling):
    raw = [day.isoformat(), f"{day.year}/{day.month}/{day.day}", to_wareki(day),
           day.isoformat().translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))][spelling]
    assert jlis.cleaner_for("date")(raw) == clean_value("date", raw) == day.isoformat()
    assert jlis.cleaner_for("date")(raw) == day.isoformat()  # the second time from memory


def test_my_number_check_digit_matches_python_stdnum():
    from stdnum.jp import in_

    for i in range(2000):
        number = synthetic.my_number(i)
        assert in_.is_valid(number)
        assert jlis.validate_my_number(number) == (number, "")
        wrong = number[:11] + str((int(number[11]) + 1) % 10)
        assert jlis.validate_my_number(wrong)[1]
    assert jlis.validate_my_number("１２３４ ５６７８ ９０１８") == ("123456789018", "")


def test_batches_never_split_a_quoted_field_across_lines(tmp_path):
    path = tmp_path / "q.csv"
    path.write_bytes(b'h\r\n"a\r\nb",1\r\nc,2\r\nd,3\r\n')
    chunks = list(jlis.split_batches(path, offset=3, line=2, size=1))
    assert [c[0] for c in chunks] == [b'"a\r\nb",1\r\n', b"c,2\r\n", b"d,3\r\n"]
    assert [c[2] for c in chunks] == [2, 4, 5]
    assert chunks[1][1] == 3 + len(b'"a\r\nb",1\r\n')


def _line_by_line(path, *, offset, line, size):
    """The reference: read physical lines, toggle "inside quotes" on every line with an odd quote count."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        while True:
            lines, in_quotes = [], False
            while raw := fh.readline():
                lines.append(raw)
                in_quotes ^= raw.count(b'"') % 2 == 1
                if len(lines) >= size and not in_quotes:
                    break
            if not lines:
                return
            chunk = b"".join(lines)
            yield chunk, offset, line
            offset, line = offset + len(chunk), line + len(lines)


@hypothesis_settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([b"a,1", b'"x', b'y",2', b'""', b"", b'"q\n', b"z"]), max_size=40),
       st.integers(min_value=1, max_value=7), st.booleans())
def test_batches_cut_exactly_where_reading_line_by_line_would(tmp_path_factory, parts, size, final_newline):
    path = tmp_path_factory.mktemp("split") / "f.csv"
    data = b"\r\n".join(parts) + (b"\r\n" if final_newline and parts else b"")
    path.write_bytes(b"h\r\n" + data)
    assert list(jlis.split_batches(path, offset=3, line=2, size=size)) == list(
        _line_by_line(path, offset=3, line=2, size=size))


def test_it_detects_cp932_and_utf8():
    text = "個人番号,氏名\r\n".encode()
    assert jlis.detect_encoding(text) == "utf-8"
    assert jlis.detect_encoding("個人番号,氏名\r\n".encode("cp932")) == "cp932"
    assert jlis.detect_encoding(b"\xef\xbb\xbf" + text) == "utf-8"


def test_hyogo_kyosai_columns_are_found_by_their_japanese_names(settings):
    from tokutei.profiles.loader import find_profile, load_profile_file

    profile = load_profile_file(find_profile("hyogo-kyosai").path)
    headers = ["年金証書番号", "住所", "氏名カナ", "個人番号", "生年月日", "性別", "氏名", "住民票コード", "備考"]
    columns, ignored = jlis.header_map(headers, profile)
    by_key = {c.key: c.index for c in columns}
    assert by_key["pension_cert_no"] == 0 and by_key["my_number"] == 3 and by_key["name_kana"] == 2
    assert ignored == ["備考"]
    with pytest.raises(jlis.LayoutError, match="年金証書番号"):
        jlis.header_map(headers[1:], profile)


@hypothesis_settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["good", "bad_digit", "multiline_address", "blank", "short"]), max_size=25),
       st.integers(min_value=1, max_value=6))
def test_records_of_a_chunk_carry_the_line_numbers_of_the_file(tmp_path_factory, kinds, size):
    """The parse workers read chunks decoded in one go; each record (also one whose quoted address spans
    two lines) must name the same file line as reading the file line by line does."""
    from tokutei.profiles.loader import find_profile, load_profile_file

    profile = load_profile_file(find_profile("hyogo-kyosai").path)
    rows = []
    for i, kind in enumerate(kinds):
        number = synthetic.my_number(i + 1)
        if kind == "bad_digit":
            number = number[:11] + str((int(number[11]) + 1) % 10)
        address = '"兵庫県\n神戸市"' if kind == "multiline_address" else "兵庫県神戸市"
        rows.append("" if kind == "blank" else "1" if kind == "short" else
                    f"{number},佐藤　大輔,サトウ　ダイスケ,1958-04-01,男,{address},,04{i:08d}")
    path = tmp_path_factory.mktemp("chunks") / "f.csv"
    path.write_bytes(("個人番号,氏名,氏名カナ,生年月日,性別,住所,住民票コード,年金証書番号\n"
                      + "".join(r + "\n" for r in rows)).encode())
    with open(path, "rb") as fh:
        layout = jlis.read_layout(fh, profile)
    whole = [(p.line, p.reason, p.values is None) for p in jlis.iter_records(path, layout)]
    chunked = [(p.line, p.reason, p.values is None)
               for data, offset, line in jlis.split_batches(path, offset=layout.data_offset, line=2, size=size)
               for p in jlis.iter_chunk(data, layout, offset=offset, line=line)]
    assert chunked == whole
    assert len(whole) == sum(kind != "blank" for kind in kinds)
