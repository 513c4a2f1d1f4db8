"""Structured logs: one JSON object per line, and never a bot token, whatever logs it."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.config import Settings
from bot.logging_setup import JsonFormatter, configure, handler

TOKEN = "7012345678:AAH9xQ_pL-2mZk3vW8rT5yN1bC4dE6fG7hJ"


@pytest.fixture
def logged() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    log = logging.getLogger("tests.logging_setup")
    log.propagate, log.level = False, logging.DEBUG
    log.addHandler(handler("json", stream))
    yield log, stream
    log.handlers.clear()


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_one_json_object_per_event_with_extras(logged) -> None:  # type: ignore[no-untyped-def]
    log, stream = logged
    log.info("answered %s in %d ms", "2.002131", 12, extra={"user": "3f9a1c2e", "update": 7})
    log.warning("dòng hai\ncó xuống dòng")
    first, second = lines(stream)
    assert first["message"] == "answered 2.002131 in 12 ms"
    assert (first["level"], first["logger"]) == ("INFO", "tests.logging_setup")
    assert (first["user"], first["update"]) == ("3f9a1c2e", 7)
    assert first["time"].endswith("+00:00") and "T" in first["time"]
    assert second["message"] == "dòng hai\ncó xuống dòng"  # escaped: still one line


def test_tokens_are_redacted_from_messages_arguments_and_tracebacks(logged) -> None:  # type: ignore[no-untyped-def]
    log, stream = logged
    url = f"https://api.telegram.org/bot{TOKEN}/sendMessage"
    log.info("POST %s", url)
    log.info(f"literal {TOKEN} in the message")
    try:
        raise RuntimeError(f"connection to {url} failed")
    except RuntimeError:
        log.exception("send failed")
    text = stream.getvalue()
    assert TOKEN not in text and TOKEN.split(":")[1] not in text
    post, literal, failed = lines(stream)
    assert post["message"] == "POST https://api.telegram.org/bot[token]/sendMessage"
    assert literal["message"] == "literal [token] in the message"
    assert "RuntimeError: connection to https://api.telegram.org/bot[token]/" in failed["exception"]
    log.info("update 123456789 from chat 987654321")  # plain numbers are not tokens
    assert lines(stream)[-1]["message"] == "update 123456789 from chat 987654321"


def test_configure_installs_one_root_handler(monkeypatch: pytest.MonkeyPatch) -> None:
    root = logging.getLogger()
    saved, level = list(root.handlers), root.level
    try:
        configure(Settings(_env_file=None, log_format="JSON", log_level="warning"))  # type: ignore[call-arg]
        assert len(root.handlers) == 1 and isinstance(root.handlers[0].formatter, JsonFormatter)
        assert root.level == logging.WARNING
        assert logging.getLogger("httpx").level == logging.WARNING  # its URLs hold the token
        configure(Settings(_env_file=None, log_level="DEBUG"))  # type: ignore[call-arg]
        assert isinstance(root.handlers[0].formatter, logging.Formatter) and len(root.handlers) == 1
        assert logging.getLogger("telegram").level == logging.INFO  # it logs whole updates
    finally:
        root.handlers[:] = saved
        root.setLevel(level)
        logging.getLogger("telegram").setLevel(logging.NOTSET)
