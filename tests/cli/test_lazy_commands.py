"""``main`` registers only the module of the command it runs: the table it uses must name every
command, and each command's module alone must give that command exactly as the full app does."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import typer

from backchannel.cli.main import COMMAND_MODULES, MODULES, app, build_app, command_in


def _commands(application: typer.Typer) -> dict[str, typer.core.TyperCommand]:
    return typer.main.get_command(application).commands  # type: ignore[attr-defined]


def test_the_table_names_every_command_of_the_full_app_in_listing_order() -> None:
    full = list(_commands(app))
    assert sorted(full) == sorted(COMMAND_MODULES)
    listed = [COMMAND_MODULES[name] for name in full]
    assert sorted(set(listed), key=listed.index) == list(MODULES)


@pytest.mark.parametrize("name", sorted(COMMAND_MODULES))
def test_a_command_alone_is_the_same_command(name: str) -> None:
    alone = _commands(build_app([name]))
    module = COMMAND_MODULES[name]
    assert sorted(alone) == sorted(n for n, m in COMMAND_MODULES.items() if m == module)
    full = _commands(app)[name]
    assert alone[name].callback.__wrapped__ is full.callback.__wrapped__  # type: ignore[union-attr]
    assert [p.name for p in alone[name].params] == [p.name for p in full.params]


@pytest.mark.parametrize(
    ("args", "command"),
    [
        (["analyze", "x.yaml"], "analyze"),
        (["--version"], None),
        (["--help"], None),
        ([], None),
        (["anlyze"], None),  # a typo gets every command, so the suggestion can name the right one
        (["import-genius", "--help"], "import-genius"),
    ],
)
def test_the_command_is_the_first_word_that_is_not_a_flag(
    args: list[str], command: str | None
) -> None:
    assert command_in(args) == command


def test_running_analyze_imports_no_other_command_module() -> None:
    probe = (
        "import sys\n"
        "sys.argv = ['backchannel', 'analyze', '--help']\n"
        "from backchannel.cli.main import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "import json\n"
        "print(json.dumps([m for m in sys.modules if m.startswith('backchannel.cli.')]), "
        "file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    loaded = json.loads(done.stderr.strip().splitlines()[-1])
    others = {f"backchannel.cli.{m}" for m in MODULES} - {"backchannel.cli.analyze"}
    assert others.isdisjoint(loaded), loaded


def test_main_freezes_the_objects_it_made_before_the_process_ends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gc

    from backchannel.cli.main import main

    monkeypatch.setattr(sys, "argv", ["backchannel", "--version"])
    try:
        with pytest.raises(SystemExit):
            main()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


@pytest.mark.parametrize(("given", "kept"), [(None, "1"), ("2", "2")])
def test_main_starts_numpy_without_blas_threads_unless_told(
    given: str | None, kept: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from backchannel.cli.main import main

    if given is None:
        monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    else:
        monkeypatch.setenv("OPENBLAS_NUM_THREADS", given)
    monkeypatch.setattr(sys, "argv", ["backchannel", "--version"])
    try:
        with pytest.raises(SystemExit):
            main()
        assert os.environ["OPENBLAS_NUM_THREADS"] == kept
    finally:
        import gc

        gc.unfreeze()


def test_the_version_alone_imports_no_command_module() -> None:
    probe = (
        "import json, sys\n"
        "sys.argv = ['backchannel', '--version']\n"
        "from backchannel.cli.main import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps([m for m in sys.modules if m.startswith('backchannel.cli.')]), "
        "file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.stdout.startswith("backchannel ")
    loaded = json.loads(done.stderr.strip().splitlines()[-1])
    assert {f"backchannel.cli.{m}" for m in MODULES}.isdisjoint(loaded), loaded
