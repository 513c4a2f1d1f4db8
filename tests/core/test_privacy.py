"""Personal data is masked before storage and users are known only by a keyed hash."""

from __future__ import annotations

import pytest

from bot.core.privacy import mask_personal_data, pseudonymize

PHONE, ID, EMAIL = "[số điện thoại]", "[số giấy tờ]", "[email]"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("gọi 0912345678 nhé", f"gọi {PHONE} nhé"),
        ("gọi 0912 345 678 nhé", f"gọi {PHONE} nhé"),
        ("sđt 0912.345.678", f"sđt {PHONE}"),
        ("sđt 0912-345-678", f"sđt {PHONE}"),
        ("+84 912 345 678", PHONE),
        ("+84912345678", PHONE),
        ("(+84) 912 345 678", PHONE),
        ("84.912.345.678", PHONE),
        ("máy bàn 0205 3812 345", f"máy bàn {PHONE}"),
        ("0912345678,0987654321", f"{PHONE},{PHONE}"),
        ("CMND 123456789", f"CMND {ID}"),
        ("CCCD 001234567890", f"CCCD {ID}"),
        ("CCCD: 001 234 567 890", f"CCCD: {ID}"),
        ("CMND 123 456 789.", f"CMND {ID}."),
        ("thư a.b+c@mail.gov.vn", f"thư {EMAIL}"),
        ("Nguyen.Van-A@so-khcn.langson.gov.vn.", f"{EMAIL}."),
        # left alone: amounts, years, procedure codes, short numbers
        ("lệ phí 100.000.000 đồng", "lệ phí 100.000.000 đồng"),
        ("lệ phí 1.000.000 đồng năm 2026", "lệ phí 1.000.000 đồng năm 2026"),
        ("thủ tục 2.002131", "thủ tục 2.002131"),
        ("10 ngày làm việc", "10 ngày làm việc"),
        ("số 12345678", "số 12345678"),  # 8 digits
        ("số 1234567890123", "số 1234567890123"),  # 13 digits
    ],
)
def test_mask_personal_data(text: str, masked: str) -> None:
    assert mask_personal_data(text) == masked


def test_pseudonym_is_stable_keyed_and_opaque() -> None:
    first = pseudonymize("key", "telegram", "123456")
    assert first == pseudonymize("key", "telegram", "123456") and len(first) == 32
    assert first != pseudonymize("other key", "telegram", "123456")
    assert first != pseudonymize("key", "zalo", "123456")
    assert "123456" not in first
