"""Typed settings from the environment and `.env`, built on demand (never at import time)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.core.thresholds import Thresholds

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/tthc-bot.sqlite3"
DEV_PSEUDONYM_KEY = "dev-only-pseudonym-key-change-me"


class SettingsError(RuntimeError):
    """A setting has a bad value; the message is one line meant for the operator."""


class Settings(BaseSettings):
    """Every setting of the bot; names are the environment variable names."""

    # An empty value (`STAFF_CHAT_ID=` in a .env made from .env.example) means "not set".
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        env_ignore_empty=True,
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
    # Zalo Official Account. The route /zalo is served when ZALO_APP_ID is set. Tokens here
    # only seed the database on first use: the refresh token rotates, the database keeps it.
    zalo_app_id: str | None = None
    zalo_app_secret: SecretStr | None = None
    zalo_oa_secret_key: SecretStr | None = None
    zalo_access_token: SecretStr | None = None
    zalo_refresh_token: SecretStr | None = None
    zalo_api_base: str = "https://openapi.zalo.me"
    zalo_oauth_base: str = "https://oauth.zaloapp.com"
    # Staff: the admin web at /admin is served only when SESSION_SECRET (which signs the
    # staff session cookie) is set; ADMIN_IDS are Telegram user ids allowed /thongke and
    # /chuatraloi, comma-separated.
    session_secret: SecretStr | None = None
    admin_ids: Annotated[list[int], NoDecode] = []
    # Operations: the weekly summary goes to STAFF_CHAT_ID on WEEKLY_REPORT_DAY (0 = Monday …
    # 6 = Sunday) at WEEKLY_REPORT_HOUR, Lạng Sơn time. TELEGRAM_MAX_RATE caps messages sent
    # per second across all chats (Telegram's limit is about 30; 0 turns the cap off).
    weekly_report_day: int = Field(default=0, ge=0, le=6)
    weekly_report_hour: int = Field(default=8, ge=0, le=23)
    telegram_max_rate: float = Field(default=30, ge=0)
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "must start with sqlite+aiosqlite:// or postgresql+asyncpg:// "
                f"(got {value.split('://', 1)[0]}://…)"
            )
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_case(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower_case(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("session_secret")
    @classmethod
    def _long_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError("must be at least 32 characters (e.g. `openssl rand -hex 32`)")
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
    def _zalo_complete(self) -> Settings:
        if self.zalo_app_id and self.zalo_oa_secret_key is None:
            raise ValueError("ZALO_OA_SECRET_KEY must be set with ZALO_APP_ID (webhook signatures)")
        return self

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
