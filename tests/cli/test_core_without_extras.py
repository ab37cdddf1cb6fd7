"""The core commands work with the core install alone (`pip install -e .`, no extras)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXTRAS = (
    "fastapi",
    "uvicorn",
    "sqlalchemy",
    "alembic",
    "pydantic_settings",
    "jinja2",
    "pyarrow",
    "ray",
    "playwright",
    "negmas",
)

SCRIPT = """
import sys
for name in {extras!r}:
    sys.modules[name] = None  # any import of an optional extra now fails
from typer.testing import CliRunner
from backchannel.cli.main import app
result = CliRunner().invoke(app, ["run", {scenario!r}], catch_exceptions=False)
assert result.exit_code == 0, result.output
assert "Agreement" in result.output or "No agreement" in result.output
parquet = CliRunner().invoke(app, ["compare", {scenario!r}, "-n", "2", "--out", {out!r}])
assert parquet.exit_code == 2 and "pyarrow" in parquet.output, parquet.output
print("ok")
"""


def test_run_and_compare_need_no_optional_extra(fixtures: Path, tmp_path: Path) -> None:
    code = SCRIPT.format(
        extras=EXTRAS, scenario=str(fixtures / "split.yaml"), out=str(tmp_path / "r.parquet")
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("ok")
