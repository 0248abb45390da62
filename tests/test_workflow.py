"""Real Snakemake runs of the workflow: a small study to the HTML report, and bad input failing up front."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import torch
import yaml

from ablation.figures import FIGURES
from ablation.mlp import MLP

from conftest import REPO, SHARED_MNIST

SNAKEMAKE = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--cores", "2"]


def snakemake(workdir: Path, config: dict, *arguments: str) -> subprocess.CompletedProcess:
    (workdir / "config.yaml").write_text(yaml.safe_dump(config))
    return subprocess.run([*SNAKEMAKE, "--directory", str(workdir), "--configfile", str(workdir / "config.yaml"),
                           *arguments], capture_output=True, text=True, timeout=1200)


def small_config(workdir: Path) -> dict:
    """Real MNIST (a subset) where available, else the bundled digits; two training jobs and an imported net."""
    torch.manual_seed(123)
    network = MLP()
    torch.save(network.state_dict(), workdir / "external initial.pt")  # a path with a space
    torch.save({k: v * 1.5 for k, v in network.state_dict().items()}, workdir / "external trained.pt")
    mnist = ({"source": "path", "path": str(SHARED_MNIST), "max_train_items": 6000, "max_test_items": 1000}
             if SHARED_MNIST.is_dir() else {"source": "bundled"})
    return {
        "mnist": mnist,
        "mlp": {"networks": 3, "networks_per_job": 2, "epochs": 3,
                "import": {"name": "external", "trained": str(workdir / "external trained.pt"),
                           "initial": str(workdir / "external initial.pt")}},
        "analysis": {"bootstrap_resamples": 200, "focus_network": "net01"},
    }


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> Path:
    workdir = tmp_path_factory.mktemp("study")
    result = snakemake(workdir, small_config(workdir))
    assert result.returncode == 0, result.stderr[-3000:]
    return workdir


def test_study_produces_the_tidy_table_and_every_figure(study):
    table = pd.read_csv(study / "results/mlp/ablations.csv", dtype={"class": str, "units": str})
    assert {"network", "layer", "units", "class", "accuracy"} <= set(table.columns)
    assert sorted(table.network.unique()) == ["external", "net00", "net01", "net02"]
    assert len(table) == 4 * 221 * 11
    assert {"none", "12", "5+10"} <= set(table.units)
    assert table.accuracy.between(0, 100).all()
    for figure in FIGURES:
        assert (study / f"results/mlp/figures/{figure}.png").stat().st_size > 10_000, figure
    assert len(list((study / "results/mlp/figures/units").glob("*.png"))) == 30
    history = pd.read_csv(study / "results/mlp/training_history.csv")
    assert len(history) == 3 * 3  # three trained networks, three epochs; the imported one has no history


def test_report_holds_every_figure_and_names_the_data(study):
    # As the README runs it: no --cores.
    result = subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"),
                             "--directory", str(study), "--configfile", str(study / "config.yaml"),
                             "--report", str(study / "report.html")], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    html = (study / "report.html").read_text()
    for figure in FIGURES:
        assert f"{figure}.png" in html, figure
    assert "hidden2_unit10.png" in html
    assert ("local folder" if SHARED_MNIST.is_dir() else "bundled 5,000") in html


def test_rerun_has_nothing_to_do(study):
    result = snakemake(study, yaml.safe_load((study / "config.yaml").read_text()), "--dry-run")
    assert result.returncode == 0 and "Nothing to be done" in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"mlp": {"netwroks": 3}}, "Bad config: mlp: Additional properties are not allowed ('netwroks'"),
        ({"mlp": {"epochs": "many"}}, "Bad config: mlp.epochs: 'many' is not of type 'integer'"),
        ({"mlp": {"epochs": 0}}, "0 is less than the minimum of 1"),
        ({"mlp": {"networks": 0}}, "mlp.networks is 0 and no mlp.import"),
        ({"mnist": {"source": "path"}}, "mnist.path is empty"),
        ({"mnist": {"path": "/no/such/folder"}}, "mnist.path '/no/such/folder' is not a folder"),
        ({"mlp": {"import": {"name": "x", "trained": "/no/net.pt", "initial": "/no/net.pt"}}}, "does not exist"),
        ({"analysis": {"focus_network": "net99"}}, "analysis.focus_network 'net99' is not one of the networks"),
    ],
)
def test_bad_config_fails_before_any_job(tmp_path, change, message):
    result = snakemake(tmp_path, change, "--dry-run")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert message in output, output[-2000:]
    assert "Bad " in output and "schema" not in output
    assert not (tmp_path / "results").exists()
