"""Logging for the running bot: plain lines or one JSON object per event, never a secret.

`configure(settings)` is called by the long-running CLI entry points (`serve`, `telegram`).
With `LOG_FORMAT=json` every record becomes one line `{"time", "level", "logger", "message",
…extras}` for a log collector. Chat ids are pseudonymised where they are logged; as a safety
net, `RedactSecrets` (on the handler, so it sees every logger's records) replaces anything
shaped like a Telegram bot token, in the message and in exception texts, by `[token]`.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

from bot.config import Settings

BOT_TOKEN = re.compile(r"\d+:[A-Za-z0-9_-]{30,}")
REDACTED = "[token]"
# Attributes every LogRecord has; anything else was passed as `extra=` and is logged too.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def redact(text: str) -> str:
    return BOT_TOKEN.sub(REDACTED, text)


class RedactSecrets(logging.Filter):
    """Replaces bot tokens in the formatted message and in the exception text."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
            record.exc_info = None  # formatted (and cleaned) once, above
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message, extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def handler(log_format: str, stream: Any = None) -> logging.Handler:
    """A stream handler with the chosen format and the secret filter."""
    result = logging.StreamHandler(stream or sys.stderr)
    if log_format == "json":
        result.setFormatter(JsonFormatter())
    else:
        result.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    result.addFilter(RedactSecrets())
    return result


def configure(settings: Settings) -> None:
    """Root logging from the settings; uvicorn's loggers propagate to it (log_config=None)."""
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler(settings.log_format))
    root.setLevel(settings.log_level)
    # httpx logs every request URL at INFO, and Telegram URLs contain the token; PTB logs
    # whole updates (chat ids, texts) at DEBUG.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("telegram").setLevel(max(root.level, logging.INFO))
