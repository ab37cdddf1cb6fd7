"""Service settings, read from ``BACKCHANNEL_*`` environment variables or given in code."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from backchannel.service import DEFAULT_DATABASE_URL

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class Settings(BaseSettings):
    """Everything the web application needs to start; frozen once built."""

    model_config = SettingsConfigDict(env_prefix="BACKCHANNEL_", frozen=True)

    database_url: str = Field(
        DEFAULT_DATABASE_URL, description="SQLAlchemy URL; a SQLite file needs no setup"
    )
    data_dir: Path | None = Field(
        None,
        description="folder for the cookie-signing keys, the operator token and the log anchor "
        "(default: backchannel-data next to the SQLite file, else ~/.local/share/backchannel)",
    )
    secret_key: str | None = Field(
        None,
        description="signs session cookies; if unset, keys kept in DATA_DIR/cookie-keys (0600, "
        "made on first start) are used",
    )
    old_secret_keys: list[str] = Field(
        default_factory=list, description="earlier keys, still accepted to verify cookies"
    )
    operator_token: str | None = Field(
        None,
        description="the credential that opens negotiations; if unset, one kept in "
        "DATA_DIR/operator-token (0600, made on first start) is used",
    )
    open_mode: bool = Field(False, description="anyone who reaches the server may open one")
    allowed_hosts: list[str] = Field(
        default_factory=lambda: list(LOOPBACK_HOSTS),
        description="host names the server answers to (the Host header, without port); "
        "'*' allows any",
    )
    public_url: str = Field(
        "http://127.0.0.1:8000", description="the address people use; invitation links start so"
    )
    session_hours: float = Field(12.0, gt=0, description="a browser session lasts this long")
    anchor_log: bool = Field(
        True, description="append each new log head to DATA_DIR/log-anchor after it commits"
    )
    cookie_secure: bool = Field(False, description="send cookies over HTTPS only")
    sse_poll_seconds: float = Field(1.0, gt=0, description="how often live pages check for news")
    sse_max_seconds: float = Field(
        300.0, ge=0, description="a live stream closes after this long; browsers reconnect"
    )
    idempotency_hours: float = Field(
        24.0,
        gt=0,
        description="an action's stored answer (kept under its Idempotency-Key) is deleted after "
        "this long; the same key sent later is a new action",
    )
    upload_seconds: float = Field(
        20.0, gt=0, description="checking one uploaded scenario may take this long"
    )
    upload_memory_mb: int = Field(
        768, ge=64, description="checking one uploaded scenario may use this much memory (MiB)"
    )
    upload_concurrent: int = Field(
        2, ge=1, description="at most this many uploads are checked at once; more get a 503"
    )
    group_commit_max: int = Field(
        64,
        ge=1,
        description="SQLite: at most this many queued writes share one transaction and one "
        "fsync (group commit); 1 commits each write on its own",
    )
    migrate_on_start: bool = True

    def data_folder(self) -> Path:
        """Where the service keeps its files outside the database."""
        if self.data_dir is not None:
            return self.data_dir.expanduser()
        url = self.database_url
        if url.startswith("sqlite") and "///" in url:
            database = url.split("///", 1)[1]
            if database and database != ":memory:" and not database.startswith("file:"):
                return Path(database).expanduser().resolve().parent / "backchannel-data"
        return Path("~/.local/share/backchannel").expanduser()
