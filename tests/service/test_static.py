"""The pages' code and templates keep to the rules that make script injection impossible and a
strict Content-Security-Policy workable: DOM built from text only, no inline script, handler or
style."""

from __future__ import annotations

import re
from importlib import resources

SERVICE = resources.files("backchannel.service")
HTML_SINKS = re.compile(r"\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|\beval\(")
INLINE = re.compile(r"<script(?![^>]*\bsrc=)|\son[a-z]+=|\sstyle=|javascript:", re.IGNORECASE)


def test_the_pages_javascript_never_parses_data_as_html() -> None:
    scripts = list((SERVICE / "static" / "js").iterdir())
    assert scripts
    for script in scripts:
        for number, line in enumerate(script.read_text(encoding="utf-8").splitlines(), 1):
            assert not HTML_SINKS.search(line), f"{script.name}:{number}: {line.strip()}"


def test_templates_have_no_inline_script_handler_or_style() -> None:
    templates = [t for t in (SERVICE / "templates").iterdir() if t.name.endswith(".html")]
    assert templates
    for template in templates:
        for number, line in enumerate(template.read_text(encoding="utf-8").splitlines(), 1):
            assert not INLINE.search(line), f"{template.name}:{number}: {line.strip()}"
