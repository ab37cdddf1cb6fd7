"""The shell commands the README and docs show, read from their ```bash blocks, and a way to
run them as a user would (in a scratch folder, a ``> FILE`` redirection honoured)."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner, Result

from backchannel.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


@dataclass(frozen=True)
class Documented:
    page: str
    line: str

    @property
    def args(self) -> list[str]:
        words = shlex.split(self.line)
        return words[words.index("backchannel") + 1 :]


def documented(page: Path) -> list[Documented]:
    """Each ``backchannel ...`` line of the page's bash blocks, continuations joined and
    trailing comments dropped."""
    found = []
    for block in re.findall(r"```bash\n(.*?)```", page.read_text(), flags=re.S):
        for line in block.replace("\\\n", " ").splitlines():
            line = re.split(r"\s+#\s", line)[0].strip()
            if "backchannel " in line:
                line = line[line.index("backchannel ") :] if "&&" in line else line
                found.append(Documented(str(page.relative_to(ROOT)), " ".join(line.split())))
    return found


def setup_lines(page: Path) -> list[str]:
    """The page's ``printf ... > FILE`` lines: they write the files its commands then read."""
    found = []
    for block in re.findall(r"```bash\n(.*?)```", page.read_text(), flags=re.S):
        found += [line.strip() for line in block.splitlines() if line.startswith("printf ")]
    return found


def run(command: Documented, folder: Path) -> Result:
    """Run ``command`` in ``folder`` (already the working directory); ``> FILE`` writes
    the output there."""
    args, target = command.args, None
    if ">" in args:
        at = args.index(">")
        args, target = args[:at], args[at + 1]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    if target is not None:
        (folder / target).write_text(result.stdout)
    return result
