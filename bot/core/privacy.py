"""Personal data: pseudonymous user keys and masking of identifiers in stored text."""

from __future__ import annotations

import hashlib
import hmac
import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\d)(?:\(\+?84\)|\+?84|0)(?:[\s.-]?\d){9,10}(?!\d)")
# 9 or 12 digits, run together or in groups of three separated by spaces ("001 234 567 890");
# dotted groups are left alone, they are amounts of money ("100.000.000 đồng").
_ID_NUMBER = re.compile(
    r"(?<!\d)(?<!\d[.,])(?:\d{12}|\d{9}|\d{3}(?: \d{3}){3}|\d{3}(?: \d{3}){2})(?!\d)"
)


def pseudonymize(key: str, channel: str, user_id: str) -> str:
    """Keyed hash of a chat id: stable per user, useless without the key."""
    message = f"{channel}:{user_id}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()[:32]


def mask_personal_data(text: str) -> str:
    """Hide e-mail addresses, phone numbers and 9/12-digit ID numbers before storage."""
    text = _EMAIL.sub("[email]", text)
    text = _PHONE.sub("[số điện thoại]", text)
    return _ID_NUMBER.sub("[số giấy tờ]", text)
