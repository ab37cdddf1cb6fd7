"""The Python example of docs/how-to/experiments.md runs as written."""

import re
from pathlib import Path

HOWTO = Path(__file__).parents[2] / "docs" / "how-to" / "experiments.md"


def test_the_howto_python_example_runs(tmp_path, monkeypatch):
    blocks = re.findall(r"```python\n(.*?)```", HOWTO.read_text(), flags=re.S)
    assert blocks
    monkeypatch.chdir(tmp_path)
    for block in blocks:
        exec(compile(block, str(HOWTO), "exec"), {"__name__": "howto"})
    assert (tmp_path / "draws.csv").exists()


def test_the_howto_yaml_example_is_a_valid_uncertainty_block():
    import yaml

    from backchannel.scenario.schema import UncertaintySpec

    block = re.search(r"```yaml\n(uncertainty:.*?)```", HOWTO.read_text(), flags=re.S)
    assert block
    UncertaintySpec.model_validate(yaml.safe_load(block.group(1))["uncertainty"])
