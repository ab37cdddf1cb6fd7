"""Service settings, read from ``BACKCHANNEL_*`` environment variables or given in code."""

from __future__ import annotations

import secrets

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///backchannel.db"


class Settings(BaseSettings):
    """Everything the web application needs to start; frozen once built."""

    model_config = SettingsConfigDict(env_prefix="BACKCHANNEL_", frozen=True)

    database_url: str = Field(
        DEFAULT_DATABASE_URL, description="SQLAlchemy URL; a SQLite file needs no setup"
    )
    secret_key: str = Field(
        default_factory=lambda: secrets.token_urlsafe(32),
        description="signs session cookies; set it so sessions survive a restart",
    )
    cookie_secure: bool = Field(False, description="send cookies over HTTPS only")
    sse_poll_seconds: float = Field(1.0, gt=0, description="how often live pages check for news")
    sse_max_seconds: float = Field(
        300.0, ge=0, description="a live stream closes after this long; browsers reconnect"
    )
    migrate_on_start: bool = True
