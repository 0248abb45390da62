"""A user's own model, as the README's worked example writes it: traced into the units and the stream the README
says, and run through the workflow by its import path with its state_dict."""

from __future__ import annotations

import re
import sys

import pandas as pd
import pytest
import torch

from ablation.core.graph import trace
from ablation.models.steps import units_table
from helpers import REPO, small_study, snakemake


def readme_example() -> str:
    """The Python of the README's worked example (the indented block that defines SmallResNet)."""
    text = (REPO / "README.md").read_text()
    block = re.search(r"\n    # mynets/small\.py.*?\n\n(?=    # mine\.yaml)", text, re.DOTALL)
    assert block, "the README's worked example is gone"
    return "\n".join(line[4:] for line in block.group(0).splitlines())


def test_the_readme_example_traces_to_the_units_it_names(tmp_path):
    namespace: dict = {}
    exec(readme_example(), namespace)
    units = units_table(trace(namespace["SmallResNet"]().eval(), torch.zeros(2, 3, 32, 32))).set_index("layer")
    assert list(units.index) == ["stem.0", "block.0", "block.3", "stream-stem.0"]
    assert units.kind["stream-stem.0"] == "stream" and units.coupled_with["stream-stem.0"] == "stem.0 block.3"
    assert units.stream["block.0"] == "" and units.stream["block.3"] == "stem.0"


@pytest.mark.slow  # about a minute: a Snakemake run of its own
def test_your_own_model_runs_by_its_import_path(tmp_path, monkeypatch):
    package = tmp_path / "code" / "mynets"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "small.py").write_text(readme_example())
    sys.path.insert(0, str(tmp_path / "code"))
    try:
        from mynets.small import SmallResNet

        torch.manual_seed(0)
        torch.save(SmallResNet().state_dict(), tmp_path / "small_resnet.pt")
    finally:
        sys.path.remove(str(tmp_path / "code"))
    monkeypatch.setenv("PYTHONPATH", f"{tmp_path / 'code'}:{REPO / 'src'}")
    workdir = tmp_path / "run"
    config = small_study(workdir)
    config["models"] = {"resnet_digits": None,
                        "mine": {"model": "mynets.small:SmallResNet", "weights": str(tmp_path / "small_resnet.pt")}}
    config["vgg"]["ablation"]["semantics"] = ["literal", "resample"]
    config["vgg"]["jobs"] = "per_semantics"
    result = snakemake(workdir, config, "results/models/mine/ablations.csv")
    assert result.returncode == 0, result.stderr[-3000:]
    table = pd.read_csv(workdir / "results/models/mine/ablations.csv", dtype={"class": str})
    assert set(table.layer) == {"none", "stem.0", "block.0", "block.3", "stream-stem.0"}
    assert list(table.semantics.unique()) == ["literal", "resample"]
