"""``backchannel scenarios`` reads the files without compiling them: it must still agree."""

from __future__ import annotations

from importlib import resources

from typer.testing import CliRunner

from backchannel.cli.main import app
from backchannel.cli.scenarios import (
    LISTING_FILE,
    bundled_listings,
    listing_document,
    listings_from_files,
)
from backchannel.scenario.loader import bundled_names, load_scenario


def test_the_quick_listing_agrees_with_the_compiled_scenarios() -> None:
    listings = bundled_listings()
    assert [row.name for row in listings] == bundled_names()
    for row in listings:
        scenario = load_scenario(row.name)
        assert row.title == scenario.title
        assert row.parties == tuple(p.name for p in scenario.parties)
        assert row.issues == len(scenario.space.issues)
        assert row.outcomes == scenario.space.size
        assert row.intermediaries == tuple(i.name for i in scenario.channel.intermediaries)


def test_the_listing_file_is_the_one_the_yaml_files_give() -> None:
    """After adding or editing a bundled scenario, write the file again:
    ``python -c "from backchannel.cli.scenarios import write_listing_file; write_listing_file()"``.
    """
    fix = (
        "write it again: python -c 'from backchannel.cli.scenarios import write_listing_file; "
        "write_listing_file()'"
    )
    assert bundled_listings() == listings_from_files(), fix
    folder = resources.files("backchannel") / "scenario" / "bundled"
    written = (folder / LISTING_FILE).read_text("utf-8")
    assert written == listing_document(listings_from_files()), fix


def test_scenarios_lists_every_bundled_one() -> None:
    result = CliRunner().invoke(app, ["scenarios"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for name in bundled_names():
        assert name in result.output
    assert "55,296" in result.output  # the flagship's outcome count
