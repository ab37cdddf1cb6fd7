"""Secrets kept outside the database: cookie-signing keys and the operator token.

Each lives in a file readable by its owner only (0600) in the data folder, or comes from the
environment. The key file holds one key per line: the first signs new cookies, every line is
accepted to verify one, so a key is rotated by adding a new first line (and dropping old lines
once their sessions have expired).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from backchannel.service.settings import Settings

KEYS_FILE = "cookie-keys"
OPERATOR_FILE = "operator-token"
ANCHOR_FILE = "log-anchor"


class KeyFileError(Exception):
    """A key file the service cannot use, with what to do about it."""


def _private_file(path: Path, make: bool) -> str:
    """The file's text; with ``make``, a new random secret is written first if it is missing."""
    if not path.exists() and make:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another server process made it first: use that one
            pass
        else:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_urlsafe(32) + "\n")
    try:
        mode = path.stat().st_mode & 0o777
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise KeyFileError(f"cannot read {path}: {error.strerror}") from error
    if mode & 0o077:
        raise KeyFileError(
            f"{path} may be read by other users (mode {mode:o}); run: chmod 600 {path}"
        )
    return text


def cookie_keys(settings: Settings) -> list[str]:
    """Keys to verify cookies with, the signing key last (as itsdangerous expects)."""
    if settings.secret_key:
        current, older = settings.secret_key, list(settings.old_secret_keys)
    else:
        lines = _private_file(settings.data_folder() / KEYS_FILE, make=True).split()
        if not lines:
            raise KeyFileError(f"{settings.data_folder() / KEYS_FILE} is empty; delete it")
        current, older = lines[0], lines[1:] + list(settings.old_secret_keys)
    return [*reversed(older), current]


def operator_token(settings: Settings) -> str:
    """The operator's credential (made on first use unless configured)."""
    if settings.operator_token:
        return settings.operator_token
    text = _private_file(settings.data_folder() / OPERATOR_FILE, make=True).strip()
    if not text:
        raise KeyFileError(f"{settings.data_folder() / OPERATOR_FILE} is empty; delete it")
    return text


def operator_token_file(settings: Settings) -> Path | None:
    """Where the operator token is kept, if it is kept in a file."""
    return None if settings.operator_token else settings.data_folder() / OPERATOR_FILE


def anchor_file(settings: Settings) -> Path:
    return settings.data_folder() / ANCHOR_FILE
