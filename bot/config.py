"""Typed settings from the environment and `.env`, built on demand (never at import time)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.core.thresholds import Thresholds

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/tthc-bot.sqlite3"
DEV_PSEUDONYM_KEY = "dev-only-pseudonym-key-change-me"


class SettingsError(RuntimeError):
    """A setting has a bad value; the message is one line meant for the operator."""


class Settings(BaseSettings):
    """Every setting of the bot; names are the environment variable names."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    environment: Literal["development", "production"] = "development"
    database_url: str = DEFAULT_DATABASE_URL
    knowledge_dir: Path = Path("./knowledge")
    pseudonym_key: SecretStr = SecretStr(DEV_PSEUDONYM_KEY)
    max_question_chars: int = Field(default=1000, ge=10, le=100_000)
    # Matcher decisions: calibrated probabilities (bench/tune_matcher.py on tests/eval).
    match_answer_threshold: float = Field(default=Thresholds.answer, ge=0, le=1)
    match_clarify_threshold: float = Field(default=Thresholds.clarify, ge=0, le=1)
    # Conversation: how long a follow-up refers to the last procedure, and how long the next
    # text counts as a survey comment or a question for staff.
    context_minutes: int = Field(default=30, ge=1, le=24 * 60)
    comment_minutes: int = Field(default=10, ge=1, le=24 * 60)
    # Telegram. TELEGRAM_BASE_URL is PTB's base_url form (self-hosted Bot API server), e.g.
    # http://127.0.0.1:8081/bot; the token is appended to it.
    telegram_token: SecretStr | None = None
    telegram_base_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    staff_chat_id: int | None = None

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "must start with sqlite+aiosqlite:// or postgresql+asyncpg:// "
                f"(got {value.split('://', 1)[0]}://…)"
            )
        return value

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _webhook_secret_charset(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.fullmatch(
            r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()
        ):
            raise ValueError("must be 1–256 characters: letters, digits, _ and - (Telegram's rule)")
        return value

    @model_validator(mode="after")
    def _no_placeholder_secrets(self) -> Settings:
        if (
            self.environment == "production"
            and self.pseudonym_key.get_secret_value() == DEV_PSEUDONYM_KEY
        ):
            raise ValueError("PSEUDONYM_KEY must be set to a secret value in production")
        return self

    def thresholds(self) -> Thresholds:
        return Thresholds(
            answer=self.match_answer_threshold,
            clarify=self.match_clarify_threshold,
        )


def load_settings(**overrides: object) -> Settings:
    """Build settings, turning validation errors into one clear line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']).upper() or 'settings'}: {err['msg']}"
            for err in exc.errors()
        )
        raise SettingsError(f"Invalid settings: {problems}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, built on first use."""
    return load_settings()
