"""The README's Python examples run as written."""

import pathlib
import re

import matplotlib

matplotlib.use("Agg")

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_blocks_run():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 2
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
    assert "results" in namespace and len(namespace["results"].summary) == 11
    assert namespace["shares"]["generation"].max() == 500
    lived = namespace["lived"]
    assert len(lived.metrics) == 100 * 3 and len(lived.agents) == 100_000
    assert namespace["state"].round == 3
