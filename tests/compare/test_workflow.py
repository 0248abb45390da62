"""The comparison workflow (workflow/compare/Snakefile) on real runs of the small study: the clean evaluation
against the as-published one, a run against itself, a run on another instruction set, and a truncated run folder.

The comparisons are slow tests (about 2 minutes beyond the small study: the as-published rerun, three runs compared
and the report); the default run keeps the checks of bad run folders and the lint."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from ablation.compare import figures, tables
from ablation.mnist.outcomes import Outcomes
from helpers import REPO, snakemake


def compare(workdir: Path, runs: list[Path], *arguments: str) -> subprocess.CompletedProcess:
    """The README's command: every run compared with the first, ending in comparison/report.html."""
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "-s", str(REPO / "workflow" / "compare" / "Snakefile"), "--cores", "2",
         "--directory", str(workdir), "--config", f"runs={[str(run) for run in runs]}", *arguments,
         "--report", str(workdir / "comparison" / "report.html"), "--report-after-run"],
        capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def as_published(study, tmp_path_factory) -> Path:
    """The small study with the MNIST ablations evaluated as published: a copy of `study` (times kept, so Snakemake
    redoes only what the evaluation changes)."""
    folder = tmp_path_factory.mktemp("copies") / "as_published"
    shutil.copytree(study, folder, symlinks=True)
    config = yaml.safe_load((folder / "config.yaml").read_text())
    config["mnist"]["analysis"]["evaluation"] = "as_published"
    result = snakemake(folder, config)
    assert result.returncode == 0, result.stderr[-3000:]
    return folder


@pytest.fixture(scope="module")
def compared(study, as_published, tmp_path_factory) -> Path:
    workdir = tmp_path_factory.mktemp("comparison")
    result = compare(workdir, [study, as_published, study])
    assert result.returncode == 0, result.stderr[-3000:]
    return workdir / "comparison"


@pytest.mark.slow
def test_the_first_page_names_the_one_setting_that_differs(study, compared):
    found = pd.read_csv(compared / "runs.csv", keep_default_na=False)
    times = found[found.what == "time"]
    assert len(times) == 3 and times.iloc[:, 2:].map(lambda value: float(value) > 0).all().all()
    differing = found[~found.item.str.startswith("(") & (found.what != "time")]
    assert differing[["what", "item"]].values.tolist() == [["settings", "mnist.analysis.evaluation"]]
    assert differing.iloc[0, 2:].tolist() == ["clean", "as_published", "clean"]
    assert list(found.columns[2:]) == [study.name, "as_published", f"{study.name} (3)"]


@pytest.mark.slow
def test_clean_against_as_published_differs_where_the_evaluation_enters(study, as_published, compared):
    found = pd.read_csv(compared / "tables.csv")
    verdicts = found[(found.column == "(table)") & (found.run == "as_published")].set_index("table").verdict
    assert set(verdicts.index) == set(tables.found(study / "results"))
    # The VGG study and the other models do not read the MNIST evaluation.
    other_studies = verdicts[verdicts.index.str.startswith(("vgg/", "models/"))]
    assert len(other_studies) > 20 and (other_studies == tables.IDENTICAL).all()
    # The accuracy rows that differ are exactly those whose values differ in the two tables.
    first, second = (pd.read_csv(folder / "results/mnist/ablations.csv", dtype={"class": str})
                     for folder in (study, as_published))
    differing = int((first.accuracy != second.accuracy).sum())
    row = found[(found.run == "as_published") & (found.table == "mnist/ablations.csv") & (found.column == "accuracy")]
    assert row.rows_differing.item() == differing and differing > 0
    assert verdicts["mnist/ablations.csv"] == tables.DIFFERS
    # Intact rows are evaluated on the original digits under both evaluations.
    intact = first.units == "none"
    assert (first.accuracy[intact] == second.accuracy[intact]).all()
    assert "mnist.analysis.evaluation" in json.dumps(pd.read_csv(compared / "runs.csv").values.tolist())


@pytest.mark.slow
def test_outcome_flips_count_every_item_that_changes(study, as_published, compared):
    flips = pd.read_csv(compared / "outcome_flips.csv", dtype={"class": str, "units": str})
    first, second = (Outcomes.load(folder / "results/mnist/outcomes.npz") for folder in (study, as_published))
    part = flips[(flips.run == "as_published") & (flips.matrix == "outcomes.npz".join(["mnist/", ""]))]
    overall = part[part["class"] == "all"]
    assert overall.flips.sum() == (first.correct != second.correct).sum()
    assert overall.became_right.sum() == (~first.correct & second.correct).sum()
    per_class = part[part["class"] != "all"]
    assert per_class.flips.sum() == overall.flips.sum()
    assert "outcomes flip" in (compared / "outcome_flips.html").read_text()


@pytest.mark.slow
def test_a_run_against_itself_is_identical_everywhere(study, compared):
    label = f"{study.name} (3)"
    found = pd.read_csv(compared / "tables.csv")
    assert (found[found.run == label].verdict == tables.IDENTICAL).all()
    flips = pd.read_csv(compared / "outcome_flips.csv")
    assert (flips[flips.run == label].flips == 0).all() and (flips.run == label).any()
    drawn = pd.read_csv(compared / "figures.csv")
    assert (drawn[drawn.run == label].pixels == figures.SAME).all()
    assert set(drawn.figure) == set(figures.found(study / "results"))
    assert {path.stem for path in (compared / "figures").glob("*.html")} == set(drawn.figure)
    paper = pd.read_csv(compared / "paper_comparison.csv", dtype=str, keep_default_na=False)
    assert paper[f"verdict: {study.name}"].tolist() == paper[f"verdict: {label}"].tolist()
    assert paper[f"value: {study.name}"].tolist() == paper[f"value: {label}"].tolist()


@pytest.mark.slow
def test_the_report_holds_every_page(compared):
    text = (compared / "report.html").read_text()
    for category in ("What differs", "Tables", "Paper comparison", "Test items that flip", "Figures side by side"):
        assert category in text


def test_the_comparison_workflow_lints_clean(study, tmp_path):
    result = subprocess.run([sys.executable, "-m", "snakemake", "-s", str(REPO / "workflow" / "compare" / "Snakefile"),
                             "--directory", str(tmp_path), "--config", f"runs={[str(study)] * 2}", "--lint"],
                            capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 0 and "Congratulations, your workflow is in a good condition" in output, output[-3000:]


def test_a_truncated_run_folder_is_one_clear_line(study, tmp_path):
    truncated = tmp_path / "truncated"
    shutil.copytree(study / "results" / "mnist", truncated / "results" / "mnist")
    result = compare(tmp_path, [study, truncated])
    assert result.returncode != 0 and not (tmp_path / "comparison").exists()
    message = f"{truncated} is not a finished run (results/run_summary.csv is missing)"
    lines = [line for line in result.stderr.splitlines() if message in line]
    assert len(lines) == 1, result.stderr[-2000:]


@pytest.mark.slow
def test_a_run_on_another_instruction_set_lands_within_the_stated_tolerances(study, tmp_path):
    """The small study under ATen's and oneDNN's and MKL's most basic kernels (SSE4.1), the layers the reference
    chose named, against the reference run: every table identical or within the tolerances measured on the small
    study (benchmarks/cross_isa.py, over every pair of three instruction sets)."""
    capped = [name for name in ("ATEN_CPU_CAPABILITY", "ONEDNN_MAX_CPU_ISA", "MKL_ENABLE_INSTRUCTIONS")
              if os.environ.get(name)]
    if capped:  # the tolerances were measured against an uncapped reference, the shared study is this one
        pytest.skip(f"the reference run is capped ({', '.join(capped)}): the stated tolerances compare with an "
                    "uncapped one")
    other = tmp_path / "default_isa"
    other.mkdir()
    shutil.copytree(study / ".test", other / ".test")
    config = yaml.safe_load((study / "config.yaml").read_text())
    chosen = json.loads((study / "results/vgg/choices.json").read_text())
    for key, section in (("recovery_layers", "recovery"), ("shapley_layers", "shapley"), ("class_layers", "figures")):
        config["vgg"].setdefault(section, {})["layers" if section != "figures" else "class_layers"] = chosen[key]
    environment = {**os.environ, "ATEN_CPU_CAPABILITY": "default", "ONEDNN_MAX_CPU_ISA": "SSE41",
                   "MKL_ENABLE_INSTRUCTIONS": "SSE4_2"}
    result = snakemake(other, config, env=environment)
    assert result.returncode == 0, result.stderr[-3000:]
    workdir = tmp_path / "compared"
    result = compare(workdir, [study, other], "tolerances=small")
    assert result.returncode == 0, result.stderr[-3000:]
    found = pd.read_csv(workdir / "comparison" / "tables.csv")
    verdicts = found[found.column == "(table)"]
    beyond = verdicts[~verdicts.verdict.isin([tables.IDENTICAL, tables.WITHIN])]
    assert beyond.empty, found[found.table.isin(beyond.table) & (found.verdict != tables.IDENTICAL)].to_string()
    machines = pd.read_csv(workdir / "comparison" / "runs.csv", keep_default_na=False)
    assert "aten default kernels" in " ".join(machines[machines.what == "machines"].iloc[:, -1]).lower()
    assert np.isfinite(found.largest_abs_difference.fillna(0)).all()
