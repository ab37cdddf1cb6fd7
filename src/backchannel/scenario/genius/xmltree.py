"""A small, safe XML reader for GENIUS files: elements with their line numbers, no DTDs.

GENIUS files are plain XML. Parsing goes through the standard library's expat with document
type declarations and entities refused outright (nothing a GENIUS file needs), so a hostile
file cannot expand entities or reach the network. Every element remembers its line, so a
problem can be reported where it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from backchannel.scenario.errors import Problem, ScenarioError

MAX_BYTES = 64 * 1024 * 1024


@dataclass
class Element:
    """One XML element: tag, attributes, children and the line it starts on."""

    tag: str
    attrib: dict[str, str]
    line: int
    children: list[Element] = field(default_factory=list)

    def __iter__(self) -> Iterator[Element]:
        return iter(self.children)

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrib.get(name, default)

    def find_all(self, tag: str) -> list[Element]:
        return [child for child in self.children if child.tag == tag]

    def label(self) -> str:
        """``issue "Laptop"`` or ``item 2``: how a person finds this element in the file."""
        for key in ("name", "value", "index"):
            if key in self.attrib:
                text = self.attrib[key]
                return f'<{self.tag} {key}="{text}">'
        return f"<{self.tag}>"


class _Refused(Exception):
    """Raised from inside expat callbacks for constructs GENIUS files never use."""


def parse_file(path: Path) -> Element:
    """The root element of ``path``; ``ScenarioError`` naming the file and line otherwise."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ScenarioError(
                str(path),
                [Problem("", f"{size:,} bytes is too large for a GENIUS file", "check the file")],
            )
        data = path.read_bytes()
    except OSError as error:
        raise ScenarioError(
            str(path), [Problem("", f"cannot read the file ({error.strerror})", "check the path")]
        ) from None
    return parse_bytes(data, str(path))


def parse_bytes(data: bytes, file: str) -> Element:
    parser = expat.ParserCreate()
    stack: list[Element] = []
    roots: list[Element] = []

    def start(tag: str, attrib: dict[str, str]) -> None:
        element = Element(tag, dict(attrib), parser.CurrentLineNumber)
        if stack:
            stack[-1].children.append(element)
        else:
            roots.append(element)
        stack.append(element)

    def end(_tag: str) -> None:
        stack.pop()

    def refuse_doctype(*_args: object) -> None:
        raise _Refused("a document type declaration (<!DOCTYPE ...>)")

    def refuse_entity(*_args: object) -> None:
        raise _Refused("an entity declaration (<!ENTITY ...>)")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_entity
    parser.ExternalEntityRefHandler = lambda *_args: 0
    try:
        parser.Parse(data, True)
    except _Refused as refused:
        raise ScenarioError(
            file,
            [
                Problem(
                    "",
                    f"the file contains {refused}, which GENIUS files never need",
                    "remove the declaration; plain elements and attributes are enough",
                    parser.CurrentLineNumber,
                )
            ],
        ) from None
    except expat.ExpatError as error:
        raise ScenarioError(
            file,
            [
                Problem(
                    "",
                    f"not well-formed XML: {expat.ErrorString(error.code)} "
                    f"(column {error.offset + 1})",
                    "fix the XML syntax near that line (unclosed or mismatched tags, stray '&' "
                    "or '<')",
                    error.lineno,
                )
            ],
        ) from None
    if not roots:
        raise ScenarioError(file, [Problem("", "the file holds no XML element", "check the file")])
    return roots[0]
