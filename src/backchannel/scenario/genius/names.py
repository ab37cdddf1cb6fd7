"""Turn GENIUS names (free text such as "External Monitor") into scenario identifiers."""

from __future__ import annotations

import re

_NOT_ALLOWED = re.compile(r"[^a-z0-9_-]+")


def identifier(text: str, fallback: str) -> str:
    """``"External Monitor"`` -> ``"external-monitor"``; ``fallback`` if nothing is left."""
    cleaned = _NOT_ALLOWED.sub("-", text.strip().lower()).strip("-_")
    return cleaned or fallback


def unique_identifiers(texts: list[str], fallback: str) -> list[str]:
    """Identifiers for ``texts``, made distinct with ``-2``, ``-3`` suffixes where they clash."""
    seen: set[str] = set()
    result = []
    for number, text in enumerate(texts, start=1):
        base = identifier(text, f"{fallback}-{number}")
        candidate, suffix = base, 2
        while candidate in seen:
            candidate, suffix = f"{base}-{suffix}", suffix + 1
        seen.add(candidate)
        result.append(candidate)
    return result
