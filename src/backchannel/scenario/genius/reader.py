"""Import a GENIUS domain and its utility profiles as a scenario spec.

GENIUS negotiations are bilateral (or multilateral) alternating offers on a direct line, with a
deadline in rounds. The imported scenario says so: a direct line on which a message takes a day,
``rounds`` rounds and a deadline of as many days, so the clock and the round count run together
(round ``k`` of ``R`` is the share ``k / R`` of the time). The profiles' discount factors are
mapped onto that deadline (see :mod:`backchannel.scenario.genius.profile`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from backchannel.scenario.errors import Problem, ScenarioError, format_path
from backchannel.scenario.genius.domain import read_domain
from backchannel.scenario.genius.names import identifier, unique_identifiers
from backchannel.scenario.genius.profile import read_profile
from backchannel.scenario.genius.xmltree import parse_file
from backchannel.scenario.schema import ScenarioSpec, validate_scenario

DOMAIN_TAG = "negotiation_template"
PROFILE_TAG = "utility_space"


@dataclass(frozen=True)
class ImportOptions:
    """Choices the GENIUS files leave open."""

    name: str | None = None
    rounds: int = 100
    real_steps: int = 10


def read_genius(
    domain: Path | str, profiles: Sequence[Path | str], options: ImportOptions = ImportOptions()
) -> ScenarioSpec:
    """The scenario described by a GENIUS domain and one profile per party."""
    domain = Path(domain)
    profile_paths = [Path(p) for p in profiles]
    if len(profile_paths) < 2:
        raise ScenarioError(
            str(domain),
            [
                Problem(
                    "",
                    f"a negotiation needs at least two utility profiles, got {len(profile_paths)}",
                    "name the domain file, then one profile file per party",
                )
            ],
        )
    if options.rounds < 1 or options.real_steps < 1:
        raise ValueError("rounds and real_steps must be at least 1")
    issues = read_domain(domain, parse_file(domain), options.real_steps)
    deadline = float(options.rounds)
    party_ids = unique_identifiers(_party_names(domain, profile_paths), "party")
    parties = [
        read_profile(path, parse_file(path), issues, party_id, deadline)
        for path, party_id in zip(profile_paths, party_ids, strict=True)
    ]
    name = options.name or identifier(_scenario_stem(domain), "genius")
    data = {
        "name": name,
        "title": f"{_scenario_stem(domain)} (GENIUS domain)",
        "source": f"GENIUS domain {domain.name}",
        "issues": [issue.spec() for issue in issues],
        "parties": parties,
        "channel": {
            "direct_delay_hours": 24.0,
            "assumption": "GENIUS negotiations are direct; one message a day keeps the clock "
            "and the round count together",
        },
        "negotiation": {"deadline_days": deadline, "max_rounds": options.rounds},
    }
    try:
        return validate_scenario(data)
    except ValidationError as error:
        problems = [
            Problem(format_path(tuple(e["loc"])), str(e["msg"]), "check this value in the files")
            for e in error.errors()
        ]
        raise ScenarioError(str(domain), problems) from None


def read_genius_path(path: Path | str, options: ImportOptions = ImportOptions()) -> ScenarioSpec:
    """A scenario from a folder holding a domain and its profiles, or from a domain file."""
    domain, profiles = find_genius_files(Path(path))
    return read_genius(domain, profiles, options)


def is_genius_path(path: Path) -> bool:
    """Whether ``path`` should be read as GENIUS files (a folder, or an ``.xml`` file)."""
    return path.is_dir() or path.suffix.lower() == ".xml"


def find_genius_files(path: Path) -> tuple[Path, list[Path]]:
    """The domain and the profiles for ``path``: a folder, or a domain file in its folder.

    Files are told apart by their top element (``negotiation_template`` for the domain,
    ``utility_space`` for a profile); other XML files are ignored. For a domain named
    ``X-domain.xml``, only profiles whose names start with ``X-`` are taken when there are any.
    """
    folder = path if path.is_dir() else path.parent
    tags = {file: _top_tag(file) for file in sorted(folder.glob("*.xml"))}
    if path.is_dir():
        domains = [file for file, tag in tags.items() if tag == DOMAIN_TAG]
        if len(domains) != 1:
            found = ", ".join(f.name for f in domains) or "none"
            raise ScenarioError(
                str(path),
                [
                    Problem(
                        "",
                        f"expected exactly one GENIUS domain file in this folder, found {found}",
                        "keep one domain (<negotiation_template>) per folder, or name the "
                        "domain file and profiles explicitly with 'backchannel import-genius'",
                    )
                ],
            )
        domain = domains[0]
    else:
        domain = path
    profiles = [file for file, tag in tags.items() if tag == PROFILE_TAG and file != domain]
    prefix = _domain_stem(domain)
    if prefix != domain.stem:
        matching = [p for p in profiles if p.stem.startswith(prefix)]
        profiles = matching or profiles
    if len(profiles) < 2:
        raise ScenarioError(
            str(path),
            [
                Problem(
                    "",
                    f"found {len(profiles)} GENIUS utility profile(s) next to the domain; "
                    "a negotiation needs at least two",
                    "put one profile (<utility_space>) per party in the domain's folder",
                )
            ],
        )
    return domain, profiles


def _top_tag(file: Path) -> str | None:
    """The top element's tag, read from the start of the file only (cheap, never raises)."""
    try:
        with file.open("rb") as handle:
            head = handle.read(4096).decode("utf-8", errors="replace")
    except OSError:
        return None
    for tag in (DOMAIN_TAG, PROFILE_TAG):
        position = head.find(f"<{tag}")
        if position >= 0 and all(
            head.find(f"<{other}") < 0 or head.find(f"<{other}") > position
            for other in (DOMAIN_TAG, PROFILE_TAG)
            if other != tag
        ):
            return tag
    return None


def _scenario_stem(domain: Path) -> str:
    """The domain's own name, or its folder's when the file is just ``domain.xml``."""
    stem = _domain_stem(domain)
    if stem.lower() == "domain":
        return domain.resolve().parent.name or stem
    return stem


def _party_names(domain: Path, profiles: list[Path]) -> list[str]:
    """Profile names without the domain's prefix: ``Laptop-C-prof1`` -> ``prof1``."""
    prefix = _domain_stem(domain)
    stems = [p.stem for p in profiles]
    if prefix != domain.stem and all(s.startswith(prefix) and s[len(prefix) :] for s in stems):
        trimmed = [s[len(prefix) :].strip("-_ ") for s in stems]
        if all(trimmed):
            return trimmed
    return stems


def _domain_stem(domain: Path) -> str:
    """``Laptop-C-domain.xml`` -> ``Laptop-C``; other names unchanged."""
    stem = domain.stem
    for suffix in ("-domain", "_domain", " domain", "domain"):
        if stem.lower().endswith(suffix) and len(stem) > len(suffix):
            return stem[: -len(suffix)]
    return stem
