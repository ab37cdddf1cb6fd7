"""Service settings, read from ``BACKCHANNEL_*`` environment variables or given in code."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from backchannel.service import DEFAULT_DATABASE_URL


class Settings(BaseSettings):
    """Everything the web application needs to start; frozen once built."""

    model_config = SettingsConfigDict(env_prefix="BACKCHANNEL_", frozen=True)

    database_url: str = Field(
        DEFAULT_DATABASE_URL, description="SQLAlchemy URL; a SQLite file needs no setup"
    )
    secret_key: str | None = Field(
        None,
        description="signs session cookies; if unset, a key generated once and kept in the "
        "database is used, so sessions survive a restart",
    )
    cookie_secure: bool = Field(False, description="send cookies over HTTPS only")
    sse_poll_seconds: float = Field(1.0, gt=0, description="how often live pages check for news")
    sse_max_seconds: float = Field(
        300.0, ge=0, description="a live stream closes after this long; browsers reconnect"
    )
    migrate_on_start: bool = True
