"""Staff accounts: argon2 password hashes, and sign-in throttled per user name and address.

Failures are counted in the database (`login_failures`), so every replica enforces the same
lockout. Unknown names and wrong passwords are treated identically — the same work (a hash
verification), the same count, the same answer — so a guesser learns nothing about which
names exist.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import LoginFailure, StaffAccount, utcnow

ROLES = ("editor", "viewer")
MIN_PASSWORD = 8
FREE_FAILURES = 5  # failures in a row before the lockout starts
BASE_LOCK = timedelta(seconds=30)  # doubled by each further failure …
MAX_LOCK = timedelta(minutes=30)  # … up to this
FORGET_AFTER = timedelta(hours=24)  # a quiet day resets the count

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class StaffError(ValueError):
    """A bad name, role or password given to `staff add`; one line for the operator."""


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise StaffError(f"password must have at least {MIN_PASSWORD} characters")
    return _hasher.hash(password)


def _matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def add_staff(session: AsyncSession, *, name: str, role: str, password: str) -> StaffAccount:
    name = name.strip()
    if not name or len(name) > 100:
        raise StaffError("name must be 1–100 characters")
    if role not in ROLES:
        raise StaffError(f"role must be one of {', '.join(ROLES)}")
    if await session.scalar(select(StaffAccount).where(StaffAccount.name == name)):
        raise StaffError(f"staff member {name!r} already exists")
    account = StaffAccount(name=name, role=role, password_hash=hash_password(password))
    session.add(account)
    await session.flush()
    return account


async def list_staff(session: AsyncSession) -> list[StaffAccount]:
    return list(await session.scalars(select(StaffAccount).order_by(StaffAccount.name)))


async def remove_staff(session: AsyncSession, *, name: str) -> bool:
    result = await session.execute(delete(StaffAccount).where(StaffAccount.name == name))
    return bool(result.rowcount)


def attempt_key(secret: str, name: str, address: str) -> str:
    """Keyed hash of (name, address): the table holds no address in the clear."""
    message = f"{name.strip().casefold()}\n{address}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class SignIn:
    account: StaffAccount | None
    locked: bool  # too many recent failures: the password was not even checked


async def sign_in(
    session: AsyncSession,
    *,
    name: str,
    password: str,
    key: str,
    now: datetime | None = None,
) -> SignIn:
    """The active account for (name, password), or None; counts failures under `key`."""
    now = now or utcnow()
    failure = await session.get(LoginFailure, key, with_for_update=True)
    if failure and failure.locked_until and _aware(failure.locked_until) > now:
        return SignIn(None, locked=True)
    account = await session.scalar(
        select(StaffAccount).where(StaffAccount.name == name.strip(), StaffAccount.active)
    )
    ok = _matches(account.password_hash if account else _DUMMY_HASH, password)
    if ok and account is not None:
        if failure:
            await session.delete(failure)
        return SignIn(account, locked=False)
    if failure is None or now - _aware(failure.last_failure_at) > FORGET_AFTER:
        if failure is None:
            failure = LoginFailure(key=key)
            session.add(failure)
        failure.failures = 0
    failure.failures += 1
    failure.last_failure_at = now
    over = failure.failures - FREE_FAILURES + 1  # the 5th failure starts the lockout
    failure.locked_until = now + min(BASE_LOCK * 2 ** (over - 1), MAX_LOCK) if over > 0 else None
    return SignIn(None, locked=False)


def _aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes for timezone-aware columns; they are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
