"""Typer's help renderer without the Markdown and traceback machinery this application never uses.

``typer.rich_utils`` draws every help screen, and at its top it imports ``rich.markdown``
(markdown-it, Pygments through ``rich.syntax``) and ``rich.traceback`` (``rich.pretty``): about a
third of ``backchannel --help``. It uses them only for help written in Markdown and for pretty
tracebacks; our help is Rich markup and our tracebacks are off (``pretty_exceptions_enable``).
So the renderer is imported with two stand-ins for those names, classes that import the real one
when first used, and the real modules stay importable as ever.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

DEFERRED = (("rich.markdown", "Markdown"), ("rich.traceback", "Traceback"))
RENDERER = "typer.rich_utils"


class _Deferred(type):
    """The metaclass of a stand-in: class attributes (``Traceback.from_exception``) come from the
    real class, imported on first use."""

    _module: str
    _name: str

    def real(cls) -> Any:
        return getattr(importlib.import_module(cls._module), cls._name)

    def __getattr__(cls, attribute: str) -> Any:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        return getattr(cls.real(), attribute)


def stand_in(module: str, name: str) -> type:
    """A class named ``name`` whose instances and attributes are those of ``module.name``."""

    def create(cls: type, *args: Any, **kwargs: Any) -> Any:
        return cls.real()(*args, **kwargs)  # type: ignore[attr-defined]

    return _Deferred(name, (), {"_module": module, "_name": name, "__new__": create})


def import_lean_renderer() -> None:
    """Import ``typer.rich_utils`` with stand-ins for ``Markdown`` and ``Traceback`` (once, and
    only where neither real module is loaded already: then there is nothing to save)."""
    if RENDERER in sys.modules or any(module in sys.modules for module, _ in DEFERRED):
        return
    placed = {}
    for module, name in DEFERRED:
        placeholder = types.ModuleType(module)
        setattr(placeholder, name, stand_in(module, name))
        placed[module] = placeholder
    sys.modules.update(placed)
    try:
        importlib.import_module(RENDERER)
    finally:
        for module, placeholder in placed.items():
            if sys.modules.get(module) is placeholder:
                del sys.modules[module]
