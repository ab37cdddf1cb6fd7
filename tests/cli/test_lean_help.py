"""Help is drawn by Typer's renderer imported without Markdown and tracebacks: the same screens,
fewer modules, and the real classes still there for whoever uses them."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

SKIPPED = ("rich.markdown", "rich.traceback", "markdown_it", "rich.pretty")
ENTRY = "from backchannel.cli.main import main\ntry:\n    main()\nexcept SystemExit:\n    pass\n"


def _run(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "100"},
    )


@pytest.mark.parametrize("args", [["--help"], ["analyze", "--help"], []])
def test_help_is_the_screen_typer_draws_without_loading_markdown(args: list[str]) -> None:
    loaded = f"[m for m in {list(SKIPPED)!r} if m in sys.modules]"
    lean = _run(ENTRY + f"import json, sys\nprint(json.dumps({loaded}), file=sys.stderr)", *args)
    assert json.loads(lean.stderr.strip().splitlines()[-1]) == []
    # With rich.markdown already imported the renderer is Typer's own, imported as usual.
    usual = _run("import rich.markdown\n" + ENTRY, *args)
    assert lean.stdout == usual.stdout
    assert "analyze" in lean.stdout or "SCENARIO" in lean.stdout


def test_the_stand_ins_give_the_real_classes() -> None:
    probe = (
        "import json, sys\n"
        "from backchannel.cli.lean_help import import_lean_renderer\n"
        "import_lean_renderer()\n"
        "from typer import rich_utils\n"
        "loaded_early = 'rich.markdown' in sys.modules\n"
        "made = rich_utils.Markdown('*x*')\n"
        "import rich.markdown, rich.traceback\n"
        "try:\n"
        "    1 / 0\n"
        "except ZeroDivisionError as error:\n"
        "    trace = rich_utils.Traceback.from_exception(type(error), error, None)\n"
        "print(json.dumps({'loaded_early': loaded_early,\n"
        "    'markdown': type(made) is rich.markdown.Markdown,\n"
        "    'module_is_real': rich.markdown.Markdown is not rich_utils.Markdown,\n"
        "    'traceback': type(trace) is rich.traceback.Traceback}))"
    )
    done = _run(probe)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {
        "loaded_early": False,
        "markdown": True,
        "module_is_real": True,
        "traceback": True,
    }
