import logging

import pytest

from tokutei.core.logging import MARK, RedactMyNumbers, redact


@pytest.mark.parametrize("text", [
    "GET /api/v1/vault/people/037617304300?purpose=p1 404",
    "value=0376 1730 4300", "value=0376-1730-4300", "番号 ０３７６１７３０４３００ です",
    "GET /vault/search/?by=my_number&value=0376%201730%204300",
])
def test_it_hides_anything_shaped_like_a_my_number(text):
    out = redact(text)
    assert MARK in out
    assert "4300" not in out and "４３００" not in out


@pytest.mark.parametrize("text", ["person #12 viewed", "seq 1234567890123456 ok", "2026-11-22 11:04:18", "tel 03-1234-5678"])
def test_it_leaves_other_numbers_alone(text):
    assert redact(text) == text


def test_the_filter_rewrites_the_record_before_any_handler_writes_it():
    record = logging.LogRecord("django.server", logging.INFO, __file__, 1, '"GET /x/%s HTTP/1.1" 404', ("037617304300",), None)
    assert RedactMyNumbers().filter(record)
    assert "037617304300" not in record.getMessage() and MARK in record.getMessage()


def test_the_server_access_log_and_every_handler_use_the_filter():
    from django.conf import settings

    logging_conf = settings.LOGGING
    assert all("no_my_numbers" in h.get("filters", []) for h in logging_conf["handlers"].values())
    assert logging_conf["loggers"]["django.server"]["handlers"] == ["console"]


def test_a_longer_digit_run_is_not_taken_for_a_my_number():
    assert redact("id 1234567890123") == "id 1234567890123"
    assert redact("id 2020202020202") == "id 2020202020202"


def test_the_witness_line_of_a_checkpoint_keeps_its_hash_whole_and_nothing_else_is_let_through():
    """The witness's log copy (syslog, a remote host) must match the checkpoint it witnesses, even when the
    hash holds 12 decimal digits in a row; any other line — on that logger too — is still redacted."""
    from tokutei.core.logging import WITNESS_LOGGER, WITNESS_MESSAGE

    line = '{"hash": "1725fe6e85b73587428bc7ff037617304300b91704d04311dc84b3a65c02fd61", "lane": 7, "seq": 6000}'
    witnessed = logging.LogRecord(WITNESS_LOGGER, logging.INFO, __file__, 1, WITNESS_MESSAGE, (line,), None)
    assert RedactMyNumbers().filter(witnessed) and witnessed.getMessage() == f"checkpoint {line}"
    for name, message in ((WITNESS_LOGGER, "could not write %s"), ("tokutei.other", WITNESS_MESSAGE)):
        other = logging.LogRecord(name, logging.INFO, __file__, 1, message, ("037617304300",), None)
        assert RedactMyNumbers().filter(other)
        assert "037617304300" not in other.getMessage()
