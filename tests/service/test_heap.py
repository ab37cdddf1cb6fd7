"""The server settles its heap before the first request: what start-up built is frozen out of
the cycle collector's walks, and full collections are rarer (they paused every request)."""

from __future__ import annotations

import gc
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from typer.testing import CliRunner

from backchannel.cli.main import app
from backchannel.service import heap


@pytest.fixture
def restored_collector() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_settle_freezes_what_exists_and_makes_full_collections_rarer(
    restored_collector: None,
) -> None:
    gc.unfreeze()
    heap.settle()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold()[2] == heap.YOUNG_COLLECTIONS_PER_FULL


def test_serve_settles_the_heap_before_it_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, restored_collector: None
) -> None:
    gc.unfreeze()
    seen: dict[str, object] = {}

    def run(self, sockets=None):  # type: ignore[no-untyped-def]
        seen["frozen"] = gc.get_freeze_count()
        seen["threshold"] = gc.get_threshold()
        for listener in sockets or []:
            listener.close()

    monkeypatch.setattr(uvicorn.Server, "run", run)
    monkeypatch.setenv("BACKCHANNEL_DATA_DIR", str(tmp_path / "data"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = CliRunner().invoke(
        app,
        ["serve", "--port", str(port), "--database-url", f"sqlite:///{tmp_path / 'db.sqlite'}"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert seen["frozen"] > 0  # type: ignore[operator]
    assert seen["threshold"] == (*gc.get_threshold()[:2], heap.YOUNG_COLLECTIONS_PER_FULL)


def test_each_of_several_server_processes_settles_its_heap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, restored_collector: None
) -> None:
    from backchannel.service.app import SETTINGS_ENVIRONMENT, create_app_from_environment
    from backchannel.service.settings import Settings

    gc.unfreeze()
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", data_dir=tmp_path / "data"
    )
    monkeypatch.setenv(SETTINGS_ENVIRONMENT, settings.model_dump_json())
    create_app_from_environment()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold()[2] == heap.YOUNG_COLLECTIONS_PER_FULL
