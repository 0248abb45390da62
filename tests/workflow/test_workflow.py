"""Real Snakemake runs of the workflow: a small study to the HTML report, and bad input failing up front."""

from __future__ import annotations

import base64
import glob
import hashlib
import html
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
import yaml
from PIL import Image
from torchvision.models import vgg19_bn

from ablation.core import figure_spec, html_table
from ablation.mnist import registry as mnist_registry
from ablation.mnist.network import MLP
from ablation.mnist.registry import FIGURES
from ablation.models import registry as model_registry
from ablation.models.registry import FIGURES as MODEL_FIGURES
from ablation.report import home
from ablation.vgg import registry as vgg_registry
from ablation.vgg.images import ImageSet
from ablation.vgg.registry import FIGURES as VGG_FIGURES
from helpers import (
    REPO,
    SHARED_AUTHORS,
    SHARED_IMAGENET,
    SHARED_MNIST,
    SNAKEMAKE,
    default_config,
    small_study,
    small_vgg,
    snakemake,
)


def test_study_produces_the_tidy_table_and_every_figure(study):
    table = pd.read_csv(study / "results/mnist/ablations.csv", dtype={"class": str, "units": str})
    assert {"network", "layer", "units", "class", "accuracy"} <= set(table.columns)
    assert sorted(table.network.unique()) == ["external", "net00", "net01", "net02"]
    assert len(table) == 4 * 221 * 11
    assert {"none", "12", "5+10"} <= set(table.units)
    assert table.accuracy.between(0, 100).all()
    for figure in FIGURES:
        assert (study / f"results/mnist/figures/{figure}.png").stat().st_size > 10_000, figure
    assert len(list((study / "results/mnist/figures/units").glob("extra_unit_*.png"))) == 30
    # A figure's provenance: the data, and the machines of the jobs it draws from (Fig. 8: networks, Mann-Whitney).
    data = json.loads((study / "results/mnist/data.json").read_text())["data"]
    for figure, jobs in (("fig01_tsne", {"mnist_tsne"}),
                         ("fig08_weights_before_after", {"mnist_train_chunk0", "mnist_train_chunk1", "mnist_ablation",
                                                         "mnist_statistics"})):
        described = json.loads(Image.open(study / f"results/mnist/figures/{figure}.png").text["Description"])
        assert described["data"] == data and set(described["machines"]) == jobs, (figure, set(described["machines"]))
    # Not all of MNIST: tsne_map auto computes the map.
    assert set(pd.read_csv(study / "results/mnist/tsne.csv")["map"]) == {"computed"}
    # Every pair of every network tested against its singles; the interaction is the table's pair minus singles.
    tests = pd.read_csv(study / "results/mnist/statistics/pair_tests.csv", dtype={"units": str})
    assert len(tests) == 4 * 190 and tests.q.between(0, 1).all() and (tests.q >= tests.p - 1e-12).all()
    drops = pd.read_csv(study / "results/mnist/statistics/drops.csv", dtype={"class": str, "units": str})
    assert len(drops) == 4 * 220 * 11 and ((drops.ci_low <= drops["drop"]) & (drops["drop"] <= drops.ci_high)).all()
    pair = tests.iloc[0]
    overall = table[(table["class"] == "all") & table.layer.isin([pair.layer, "none"])].set_index(
        ["network", "units"]).accuracy
    first, second = pair.units.split("+")
    expected = (overall[pair.network, first] + overall[pair.network, second] - overall[pair.network, "none"]
                - overall[pair.network, pair.units])
    assert pair.interaction == pytest.approx(expected, abs=1e-9)
    # Every unit figure names its units; the Fig. A.2 set is the network's negligible units (or the Fig. 5 unit).
    featured = pd.read_csv(study / "results/mnist/featured.csv", dtype=str).set_index("figure")
    assert set(featured.index) == {f for f in FIGURES if f.startswith(("fig0", "fig1", "figA"))} - {
        "fig01_tsne", "fig02_intact_network", "fig08_weights_before_after", "fig09_weight_change_vs_drop",
        "fig10_coefficient_distribution", "fig11_class_selectivity"}
    singles = table[(table.network == "net01") & (table.layer == "hidden1") & (table["class"] == "all")
                    & ~table.units.str.contains(r"\+")].set_index("units").accuracy
    intact = table[(table.network == "net01") & (table.units == "none") & (table["class"] == "all")].accuracy.item()
    negligible = [u for u in singles.index if abs(intact - singles[u]) <= 0.5]
    assert featured.units["figA2_negligible_set"] == ("+".join(negligible) or featured.units["fig05_negligible"])
    comparison = pd.read_csv(study / "results/paper_comparison.csv")
    assert list(comparison.columns) == ["figure", "claim", "paper", "value", "measured_as", "other", "tolerance",
                                        "verdict"]
    assert len(comparison) >= 20 and {"Figs. 14, 15", "Figs. 19, 20", "Figs. 21, 22"} <= set(comparison.figure)
    places = comparison[comparison.claim.str.contains("of the t-SNE map")]
    assert list(places.figure) == ["Fig. 3", "Fig. A.1"] and (places.verdict == "not comparable here").all()
    assert places.value.isna().all()  # a share on a computed map says nothing about the paper's places
    # Every single, pair and the Fig. A.2 set under each semantics; zero's are the ablation table's.
    semantics = pd.read_csv(study / "results/mnist/semantics/ablations.csv", dtype={"class": str, "units": str})
    assert list(semantics.semantics.unique()) == ["zero", "mean", "resample"]
    zero = semantics[(semantics.semantics == "zero") & semantics.units.isin(table.units)].drop(columns="semantics")
    assert zero.reset_index(drop=True).equals(table.reset_index(drop=True))
    assert featured.units["figA2_negligible_set"] in set(semantics.units)
    for name in ("mean", "resample"):
        assert not semantics[semantics.semantics == name].accuracy.reset_index(drop=True).equals(
            semantics[semantics.semantics == "zero"].accuracy.reset_index(drop=True)), name
    rankings = pd.read_csv(study / "results/mnist/semantics/rankings.csv")
    assert len(rankings) == 2 * 3 and (rankings.networks == 4).all() and set(rankings.reference) == {"zero"}
    assert rankings.spearman.between(-1, 1).all() and rankings.overlap.between(0, 1).all()
    assert {"which hidden1 units matter most does not depend on what ablate means"} <= set(comparison.claim)
    history = pd.read_csv(study / "results/mnist/training_history.csv")
    assert len(history) == 3 * 3  # three trained networks, three epochs; the imported one has no history


def test_vgg_study_produces_its_table_recovery_runs_and_figures(study):
    table = pd.read_csv(study / "results/vgg/ablations.csv", dtype={"class": str})
    ablated = table[table.layer != "none"]
    assert set(ablated.layer) == set(small_vgg()["ablation"]["layers"])
    assert set(ablated.grouping) == {"similarity", "random", "l1"}
    # Every semantics by default, the same groups: per semantics and layer 2 ratios x (2 similarity + 2 random + 1 l1
    # groups); plus the intact network; x (all + 10 classes).
    assert list(table.semantics.unique()) == ["literal", "activation", "mean", "resample"]
    assert len(table) == 4 * (4 * 2 * 5 + 1) * 11
    by_semantics = {name: part.reset_index(drop=True) for name, part in table.groupby("semantics")}
    for name in ("mean", "resample"):  # the intact network is the same; the ablations differ from zeroing's
        assert by_semantics[name][by_semantics[name].layer == "none"].top1.equals(
            by_semantics["activation"][by_semantics["activation"].layer == "none"].top1)
        assert not by_semantics[name].top1.equals(by_semantics["activation"].top1), name
    rankings = pd.read_csv(study / "results/vgg/statistics/semantics_rankings.csv")
    assert len(rankings) == 3 * 2 * 2 and set(rankings.reference) == {"literal"}  # 3 others x 2 rankings x 2 ratios
    assert (rankings["items"][rankings.ranking == "layers"] == 4).all()
    assert ((rankings.spearman_low <= rankings.spearman + 1e-9) | rankings.spearman_low.isna()).all()
    # `mean` averages over held-out images: training digits, none of them an evaluation image.
    held_out, evaluated = (ImageSet.load(study / f"results/vgg/{name}.pt") for name in ("held_out_images",
                                                                                          "test_images"))
    assert len(held_out) == 1000 and len(evaluated) == 300
    evaluated_bytes = {image.numpy().tobytes() for image in evaluated.images}
    assert not any(image.numpy().tobytes() in evaluated_bytes for image in held_out.images)
    table = table[table.semantics.isin(["literal", "activation"])]  # the null and class tests: zeroing's
    literal, activation = (table[table.semantics == name].reset_index(drop=True) for name in ("literal", "activation"))
    assert literal[["layer", "group", "class", "images"]].equals(activation[["layer", "group", "class", "images"]])
    assert not literal.top5.equals(activation.top5), "BatchNorm's constant makes the semantics differ"
    assert table.top1.between(0, 100).all() and (table.top5 >= table.top1).all()
    # Every similarity and L1 group against random groups of its size and layer: its drop as the table's, a p-value
    # no smaller than the draws allow, q over the groups of a semantics.
    null = pd.read_csv(study / "results/vgg/statistics/null.csv")
    overall = table[(table["class"] == "all") & table.grouping.isin(["similarity", "l1"])]
    assert len(null) == len(overall) == 2 * 4 * 2 * 3
    max_draws = small_vgg()["ablation"]["null_groups"]["max_random_groups"]
    # The smallest p-value the draws allow, 1 / (1 + draws), up to the table's 6 significant digits.
    assert null.draws.between(1, max_draws).all() and (null.p >= (1 - 1e-5) / (1 + null.draws)).all()
    assert null.p.between(0, 1).all() and (null.q >= null.p - 1e-12).all()
    intact = table[(table.layer == "none") & (table["class"] == "all")].set_index("semantics")[null.metric.iloc[0]]
    merged = null.merge(overall, on=["semantics", "layer", "ratio", "grouping", "group"])
    assert merged["drop"].to_numpy() == pytest.approx(
        (intact[merged.semantics].to_numpy() - merged[null.metric.iloc[0]].to_numpy()), abs=1e-4)
    draws = pd.read_csv(study / "results/vgg/statistics/null_draws.csv")
    drawn = draws.groupby(["semantics", "layer", "ratio"]).size()
    assert (null.groupby(["semantics", "layer", "ratio"]).draws.first() == drawn).all()
    # Every drop, both metrics, with its paired interval; every recovery gap with its interval.
    drops = pd.read_csv(study / "results/vgg/statistics/drops.csv", dtype={"class": str})
    assert len(drops) == 2 * len(ablated) and ((drops.ci_low <= drops["drop"]) & (drops["drop"] <= drops.ci_high)).all()
    gaps = pd.read_csv(study / "results/vgg/statistics/recovery_gaps.csv", dtype={"pass": str, "iteration": str})
    # Per metric and layer: experiment 1 its 2 passes and their mean, experiment 2 its 2 iterations.
    assert len(gaps) == 2 * 2 * (3 + 2) and ((gaps.ci_low <= gaps.gap) & (gaps.gap <= gaps.ci_high)).all()
    changes = pd.read_csv(study / "results/vgg/statistics/class_changes.csv", dtype={"class": str})
    assert len(changes) == 4 * 4 * 2 * 5 * 10 and changes.q.between(0, 1).all()  # every semantics
    # Experiment 1: one epoch per pass; experiment 2: two an iteration (the stopping rule looks at the last two).
    for experiment, step, steps in ((1, "pass", [0, 1, 1, 2, 2]), (2, "iteration", [0, 1, 1, 1, 2, 2, 2])):
        recovery = pd.read_csv(study / f"results/vgg/recovery/experiment{experiment}.csv")
        assert recovery.layer.nunique() == 2 and set(recovery.layer) <= set(small_vgg()["ablation"]["layers"])
        assert list(recovery[recovery.layer == recovery.layer.iloc[0]][step]) == steps
        assert not list((study / "results/vgg/recovery").rglob("*.checkpoint.pt")), "finished jobs leave none"
    # Experiment 2 draws 25 % of all filters again each iteration: the ablated set grows, by at most 25 %.
    for _, part in recovery[recovery.iteration > 0].groupby("layer"):
        shares = part.groupby("iteration").ablated_filters.first() / part.layer_filters.iloc[0]
        assert shares.iloc[0] == 0.25 and 0.25 <= shares.iloc[1] <= 0.5
    for figure in VGG_FIGURES:
        assert (study / f"results/vgg/figures/{figure}.png").stat().st_size > 10_000, figure
    assert "embedded VGG19-BN" in (study / "results/vgg/provenance.json").read_text()


def test_shapley_tables_are_complete_and_agree_with_the_ablation_table(study):
    """Every network's exact Shapley values and interactions (4 networks; 20 + 10 units; all + 10 classes); the
    single drops inside them equal the ablation job's, computed by the direct evaluation; efficiency holds."""
    shapley = study / "results/mnist/shapley"
    values = pd.read_csv(shapley / "values.csv", dtype={"class": str, "unit": str})
    interactions = pd.read_csv(shapley / "interactions.csv", dtype={"class": str})
    games = pd.read_csv(shapley / "games.csv", dtype={"class": str})
    assert len(values) == 4 * 30 * 11 and (values.method == "exact").all()
    assert len(interactions) == 4 * (190 + 45) * 11
    assert (games[games.layer == "hidden1"].lesion_sets == 2**20).all()
    table = pd.read_csv(study / "results/mnist/ablations.csv", dtype={"class": str, "units": str})
    intact = table[table.units == "none"].set_index(["network", "class"]).accuracy
    singles = table[(table.units != "none") & ~table.units.str.contains(r"\+")]
    expected = intact.reindex(pd.MultiIndex.from_frame(singles[["network", "class"]])).to_numpy() - singles.accuracy
    merged = values.merge(singles.assign(expected=expected.to_numpy()).rename(columns={"units": "unit"}),
                          on=["network", "layer", "unit", "class"])
    assert len(merged) == len(values)
    # The ablation table comes from float32, which may decide an item within its rounding of a tie either way
    # (about 7 in 100 million decisions, benchmarks/shapley_benchmark.py): allow one item in a few rows.
    items = table[table.units == "none"].set_index(["network", "class"])["items"]
    one_item = 100.0 / items.reindex(pd.MultiIndex.from_frame(merged[["network", "class"]])).to_numpy()
    off = np.abs(merged.single_drop - merged.expected).to_numpy()
    assert (off <= one_item + 1e-3).all() and (off > 1e-3).mean() < 0.01  # the table has 4 decimals
    sums = values.groupby(["network", "layer", "class"]).value.sum()
    ends = games.set_index(["network", "layer", "class"])
    assert np.allclose(sums, (ends.intact - ends.all_lesioned).reindex(sums.index), atol=1e-6)
    correlations = pd.read_csv(shapley / "correlations.csv")
    assert set(correlations[correlations.network == "mean"].comparison) == {
        "shapley_vs_single_drop", "shapley_vs_weight_change_p", "single_drop_vs_weight_change_p",
        "shapley_minus_drop_vs_interactions", "interaction_vs_pair_excess"}


def test_report_holds_every_figure_and_names_the_data(study):
    # As the README runs it: no --cores.
    result = subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"),
                             "--directory", str(study), "--configfile", str(study / "config.yaml"),
                             "--report", str(study / "report.html")], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    html = (study / "report.html").read_text()
    for figure in [*FIGURES, *VGG_FIGURES]:
        assert f"{figure}.png" in html, figure
    assert "extra_unit_hidden2_10.png" in html and "grouping_comparison.csv" in html
    assert "vgg.recovery.seed" in html
    categories, results = report_data(html)
    # Categories in reading order as the report sorts them (as text), every entry labelled, none by its path alone.
    assert sorted(categories) == [
        figure_spec.COMPARISON, figure_spec.SUMMARY, *dict.fromkeys(
            spec.category for spec in [*FIGURES.values(), *VGG_FIGURES.values()] if spec.paper),
        mnist_registry.EXTRA, mnist_registry.UNITS, vgg_registry.EXTRA, "14 Other models: resnet_digits"]
    # The embedded ResNet's category: every figure of the model, its units table and grouping comparison.
    model = categories["14 Other models: resnet_digits"]["Other"]
    assert sorted(Path(path).name for path in model) == sorted(
        [f"{figure}.png" for figure in MODEL_FIGURES] + ["units.csv", "grouping_comparison.csv"])
    assert results["results/models/resnet_digits/units.csv"]["labels"]["study"] == "resnet_digits"
    assert all(results[path]["labels"] for entries in categories.values() for paths in entries.values()
               for path in paths)
    assert results["results/mnist/figures/fig12_super_additive_pair.png"]["labels"] == {
        "figure": "Fig. 12", "title": "Super-additive pair", "study": "MNIST MLP",
        "file": "fig12_super_additive_pair.png"}
    assert results["results/mnist/figures/fig08_weights_before_after.png"]["labels"]["figure"] == "Fig.  8"
    assert results["results/vgg/figures/extra_vgg_shapley.png"]["labels"]["figure"] == figure_spec.NOT_IN_PAPER
    assert categories[mnist_registry.UNITS]["every unit of hidden2"][-1].endswith("extra_unit_hidden2_10.png")
    assert results["results/mnist/figures/units/extra_unit_hidden2_07.png"]["labels"] == {
        "layer": "hidden2", "unit": " 7", "study": "MNIST MLP"}
    assert all(toggles(results, paths) != 1 for entries in categories.values() for paths in entries.values())
    # The paper comparison and the run summary: a page each, its CSV beside it; the run's time and memory beside the
    # summary.
    assert categories[figure_spec.SUMMARY][figure_spec.RUN_TIMES] == ["results/run_times.csv", "results/run_times.html"]
    for category, name in ((figure_spec.COMPARISON, "paper_comparison"), (figure_spec.SUMMARY, "run_summary")):
        assert categories[category]["Other"] == [f"results/{name}.csv", f"results/{name}.html"]
        assert results[f"results/{name}.html"]["mime_type"] == "text/html"
        page = base64.b64decode(results[f"results/{name}.html"]["data_uri"].split("base64,")[1]).decode()
        assert page.startswith("<!DOCTYPE html>") and "<script" not in page and "src=" not in page
    comparison = html_table.read(study / "results/paper_comparison.csv")
    page = (study / "results/paper_comparison.html").read_text()
    assert page.count("<td class=") == (comparison.verdict != "").sum()
    assert page.count("<tbody>") == comparison.figure.nunique()
    assert all(f'<td class="{kind}">' in page for kind in set(html_table.MARKS) - {html_table.WITHIN})
    assert "<th>measured_as</th>" in page and "<th>tolerance</th>" in page
    # The home page: the run's verdicts by study, counted from the comparison table; the details folded away.
    description = json.loads(re.search(r"var workflow_desc = (\".*\");", html).group(1))
    counts = home.verdicts(comparison)
    cells = re.findall(r"<tr>\s*<td>([^<]+)</td>((?:\s*<td>\d+</td>){4})", description)
    assert {study: [int(n) for n in re.findall(r"\d+", numbers)] for study, numbers in cells} == {
        study: list(counts.loc[study]) for study in counts.index}
    assert f"checks {counts.drop(index=home.BEYOND, errors='ignore').to_numpy().sum()} of the paper's" in description
    assert "<details>" in description and "#rulegraph { display: none; }" in description
    # The run summary, embedded as a data URI: the data, the machine of every computing job, the versions.
    encoded = re.search(r"filename=run_summary\.csv;base64,([A-Za-z0-9+/=]+)", html).group(1)
    summary = pd.read_csv(io.StringIO(base64.b64decode(encoded).decode())).set_index("item").value
    assert list(summary.index) == ["mnist data", "vgg data", "computed on", "versions", "MNIST evaluation"]
    assert ("local folder" if SHARED_MNIST.is_dir() else "bundled 5,000") in summary["mnist data"]
    assert "padded to 32x32" in summary["vgg data"] and "torch 2.14.1" in summary["versions"]
    capability = torch.backends.cpu.get_cpu_capability()
    assert f"ATen {capability} kernels" in summary["computed on"]
    assert "mnist_train_chunk1" in summary["computed on"] and "vgg_recovery_experiment2" in summary["computed on"]
    for name, jobs in (("mnist", {"mnist_train_chunk0", "mnist_ablation", "mnist_featured", "mnist_tsne",
                                  "mnist_statistics"}),
                       ("vgg", {"vgg_network", "vgg_ablation_literal_features.0", "vgg_ablation_activation_features.46",
                                "vgg_recovery_experiment1", "vgg_recovery_experiment2"})):
        machines = json.loads((study / f"results/{name}/provenance.json").read_text())["machines"]
        # Recovery jobs are named after their layer and part: experiment1_<layer>_pass1, experiment2_<layer>_passes.
        assert {job for job in jobs if not any(m.startswith(job) for m in machines)} == set(), set(machines)
        assert all(m["aten_cpu_capability"] == capability for m in machines.values())


def report_data(html: str) -> tuple[dict[str, dict[str, list[str]]], dict[str, dict]]:
    """The report's data: category -> subcategory -> paths, and path -> entry (labels, mime type, data URI, ...)."""
    decoder = json.JSONDecoder()
    found = [decoder.raw_decode(html, re.search(rf"var {name} = (?=\{{)", html).end())[0]
             for name in ("categories", "results")]
    return found[0], found[1]


def toggles(results: dict[str, dict], paths: list[str]) -> int:
    """How many labels the report would offer as a toggle instead of a column in a table of these entries: one but
    the first with two values, each on half of them (the report shows a single one, breaking its table's rows)."""
    labels = list(dict.fromkeys(key for path in paths for key in results[path]["labels"]))
    values = {label: [results[path]["labels"].get(label) for path in paths] for label in labels[1:]}
    return sum(len(set(found)) == 2 and all(2 * found.count(value) == len(paths) for value in set(found))
               for found in values.values())


def test_authors_config_reproduces_the_papers_numbers_from_their_network(mnist_raw, tmp_path):
    """config/authors.yaml as shipped (fewer, shorter-trained networks of our own beside the authors' one)."""
    from ablation.mnist import authors, roles

    if not (SHARED_AUTHORS / authors.FILES["trained"][0]).exists():
        pytest.skip(f"the authors' network not found at {SHARED_AUTHORS}")
    config = yaml.safe_load((REPO / "config/authors.yaml").read_text())
    for role, key in (("trained", "trained"), ("initial", "initial")):  # as if downloaded before
        target = tmp_path / config["mnist"]["import"][key]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SHARED_AUTHORS / authors.FILES[role][0], target)
    config["mnist"]["data"] = {"source": "path", "path": str(mnist_raw)}
    config["mnist"]["training"].update(networks=2, epochs=1)
    config["mnist"]["analysis"]["bootstrap_resamples"] = 100
    # The Shapley games on 10,000 digits (two minutes here) state none of the paper's numbers; the study fixture and
    # tests/mnist/test_shapley.py (the authors' network, all 2^20 lesion sets) test them.
    config["mnist"]["analysis"]["shapley"] = {"enabled": False}
    result = snakemake(tmp_path, config)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "mnist_fetch_authors" not in result.stderr, "files already there are not downloaded again"
    featured = roles.read(tmp_path / "results/mnist/featured.csv")
    assert {figure: (f.units, f.class_name) for figure, f in featured.items()} == roles.PAPER
    comparison = pd.read_csv(tmp_path / "results/paper_comparison.csv")
    numbers = comparison[comparison.tolerance.str.startswith("exact to the paper's 2 decimals", na=False)]
    assert len(numbers) == 13 and (numbers.verdict == "agrees").all(), numbers.to_string()
    assert comparison.set_index("figure").verdict["Fig. A.3"] == "holds"
    places = comparison[comparison.claim.str.contains("of the t-SNE map")]
    assert len(places) == 2 and (places.verdict == "holds").all(), places.to_string()
    assert (tmp_path / "results/mnist/figures/figA2_negligible_set.png").stat().st_size > 10_000
    # The figures are drawn on the authors' own t-SNE map, as the paper's.
    tsne = pd.read_csv(tmp_path / "results/mnist/tsne.csv")
    assert set(tsne["map"]) == {"authors"} and np.abs(tsne[["x", "y"]].to_numpy() - authors.tsne_map()).max() <= 5e-6


def test_rerun_has_nothing_to_do(study):
    result = snakemake(study, yaml.safe_load((study / "config.yaml").read_text()), "--dry-run")
    assert result.returncode == 0 and "Nothing to be done" in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"mnist": {"training": {"netwroks": 3}}},
         "Bad config: mnist.training: Additional properties are not allowed ('netwroks'"),
        ({"mnist": {"training": {"epochs": "many"}}},
         "Bad config: mnist.training.epochs: 'many' is not of type 'integer'"),
        ({"mnist": {"training": {"epochs": 0}}}, "0 is less than the minimum of 1"),
        ({"mnist": {"training": {"networks": 0}}}, "mnist.training.networks is 0 and no mnist.import"),
        ({"mnist": {"data": {"source": "path"}}}, "mnist.data.path is empty"),
        ({"mnist": {"data": {"path": "/no/such/folder"}}}, "mnist.data.path '/no/such/folder' is not a folder"),
        ({"mnist": {"import": {"name": "x", "trained": "/no/net.pt", "initial": "/no/net.pt"}}}, "does not exist"),
        ({"mnist": {"analysis": {"focus_network": "net99"}}},
         "mnist.analysis.focus_network 'net99' is not one of the networks"),
        ({"mlp": {"networks": 3}}, "Bad config: config: Additional properties are not allowed ('mlp'"),
        ({"vgg": {"ablation": {"ratios": [0.1, 1.5]}}},
         "vgg.ablation.ratios.1: 1.5 is greater than or equal to the maximum of 1"),
        ({"vgg": {"ablation": {"ratios": [0]}}}, "vgg.ablation.ratios.0: 0 is less than or equal to the minimum of 0"),
        ({"vgg": {"ablation": {"layers": ["features.34"]}}}, "vgg.ablation.layers: unknown layer 'features.34'"),
        ({"vgg": {"recovery": {"layers": ["features.3"]}, "ablation": {"layers": ["features.0"]},
                  "figures": {"class_layers": ["features.0", "features.0"]}}},
         "layer 'features.3' is not in vgg.ablation.layers"),
        ({"vgg": {"ablation": {"semantics": ["zero"]}}}, "vgg.ablation.semantics.0: 'zero' is not one of"),
        ({"vgg": {"ablation": {"semantics": ["mean", "literal"]}}},
         "vgg.ablation.semantics starts with 'mean'; the paper's figures, recovery"),
        ({"mnist": {"analysis": {"semantics": ["resample", "zero"]}}},
         "mnist.analysis.semantics starts with 'resample'; the paper's figures are zeroing's: list zero first"),
        ({"vgg": {"model": "vgg19_bn", "imagenet": {"val": "."}, "recovery": {"experiments": []}}},
         "vgg.ablation.semantics lists mean, which averages over held-out images: set vgg.imagenet.train"),
        ({"vgg": {"figures": {"class_layers": ["features.99"]}}},
         "vgg.figures.class_layers: unknown layer 'features.99'; the conv layers are features.0, features.3"),
        ({"vgg": {"figures": {"class_layers": ["features.0"]}}},
         "vgg.figures.class_layers names 1 layer(s): features.0; give two"),
        ({"vgg": {"statistics": {"metric": "top3"}}}, "vgg.statistics.metric: 'top3' is not one of"),
        ({"vgg": {"ablation": {"null_groups": {"ratios": [0.3]}}}},
         "vgg.ablation.null_groups.ratios: 0.3 is not one of vgg.ablation.ratios (0.01, 0.05, 0.1, 0.25)"),
        ({"vgg": {"model": "vgg19_bn"}}, "vgg.imagenet.val is empty"),
        ({"vgg": {"model": "vgg19_bn", "imagenet": {"val": "/no/such/val"}}},
         "vgg.imagenet.val '/no/such/val' is not a folder"),
        ({"models": {"r": {"model": "resnet81"}}}, "models.r.model: unknown model 'resnet81'; give a torchvision"),
        ({"models": {"r": {"model": "no_such_package.models:Net", "weights": "net.pt"}}},
         "models.r.model: 'no_such_package.models' is not an importable module; put it on PYTHONPATH"),
        ({"models": {"r": {"model": "ablation.models.network:EmbeddedResNet"}}},
         "models.r.weights: your own model 'ablation.models.network:EmbeddedResNet' needs its state_dict file"),
        ({"models": {"r": {"model": "resnet18", "weights": "/no/such/weights.pt"}}},
         "models.r.weights: '/no/such/weights.pt' does not exist"),
        ({"models": {"r": {"model": "resnet18", "layers": "conv1"}}},
         "Bad config: models.r.layers: 'conv1' is not of type 'array', 'null'"),
    ],
)
def test_bad_config_fails_before_any_job(tmp_path, change, message):
    result = snakemake(tmp_path, change, "--dry-run")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert message in output, output[-2000:]
    assert "Bad " in output and "schema" not in output
    assert not (tmp_path / "results").exists()


# A quick run around the check that fails: bundled digits, one network, one epoch.
QUICK = {"data": {"source": "bundled", "max_train_items": 1000, "max_test_items": 300},
         "training": {"networks": 1, "epochs": 1}}


def first_job_fails(workdir: Path, config: dict, check_rule: str, message: str) -> None:
    """The whole workflow started: `check_rule` starts among the first jobs (before any job has finished), fails
    with one line naming the problem, and nothing long starts after it."""
    result = snakemake(workdir, config)
    output = result.stdout + result.stderr
    started = re.findall(r"^(?:local)?rule (\w+):", output, re.MULTILINE)
    check = re.search(rf"^(?:local)?rule {check_rule}:", output, re.MULTILINE)
    assert result.returncode != 0 and check and check.start() < output.index("Finished jobid"), output[-3000:]
    assert "Bad input: " in output and message in output and "Traceback" not in result.stderr, output[-3000:]
    assert not {"mnist_ablation", "vgg_ablation", "vgg_recovery"} & set(started), started


def test_imagenet_folder_without_images_fails_in_the_first_job(tmp_path):
    (tmp_path / "val" / "n01440764").mkdir(parents=True)
    (tmp_path / "val" / "n01440764" / "notes.txt").write_text("no images here")
    val = str(tmp_path / "val")
    config = {"mnist": QUICK, "vgg": {"model": "vgg19_bn", "imagenet": {"val": val, "train": val}}}
    first_job_fails(tmp_path, config, "vgg_check_inputs", "holds no images")


@pytest.mark.parametrize(("damage", "message"), [
    ("truncated", "is not a loadable PyTorch state_dict"),
    ("non-finite", "fc1.weight holds 1 NaN or infinite values"),
])
def test_broken_imported_weights_fail_in_the_first_job(tmp_path, damage, message):
    state = MLP().state_dict()
    torch.save(state, tmp_path / "initial.pt")
    if damage == "truncated":  # an interrupted copy that wrote nothing yet
        (tmp_path / "trained.pt").write_bytes(b"")
    else:
        state["fc1.weight"][4, 100] = float("nan")
        torch.save(state, tmp_path / "trained.pt")
    imported = {"name": "x", "trained": str(tmp_path / "trained.pt"), "initial": str(tmp_path / "initial.pt")}
    first_job_fails(tmp_path, {"mnist": {**QUICK, "import": imported}, "vgg": {"enabled": False}},
                    "mnist_check_import", message)


@pytest.mark.parametrize(("damage", "message"), [
    ("swapped", "it is MNIST's train-labels-idx1-ubyte.gz, so two files are swapped"),
    ("no test files", "MNIST file t10k-images-idx3-ubyte(.gz) is missing"),
])
def test_broken_mnist_folder_fails_in_the_first_job_with_one_line(mnist_copy, tmp_path, damage, message):
    """Found inside a job: one line naming the problem and the fix, in the job's log and on the terminal."""
    if damage == "swapped":
        images, labels = mnist_copy / "train-images-idx3-ubyte.gz", mnist_copy / "train-labels-idx1-ubyte.gz"
        images.rename(tmp_path / "images")
        labels.rename(images)
        (tmp_path / "images").rename(labels)
    else:
        for stem in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
            (mnist_copy / f"{stem}.gz").unlink()
    workdir = tmp_path / "run"
    workdir.mkdir()
    result = snakemake(workdir, {"mnist": {"data": {"source": "path", "path": str(mnist_copy)}}},
                       "results/mnist/data.pt")
    assert result.returncode != 0
    log = (workdir / "logs/mnist/data.log").read_text()
    reported = [line for line in log.splitlines() if "Bad input: " in line]
    assert len(reported) == 1 and message in reported[0] and "Traceback" not in log, log
    assert reported[0].split("Bad input: ")[1] in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_imagenet_path_with_random_vgg19_bn_weights(tmp_path):
    """torchvision's vgg19_bn (random weights from a local file) on the 1,000 real ImageNet JPEGs, at 56x56."""
    if not (SHARED_IMAGENET / "val").is_dir():
        pytest.skip(f"ImageNet sample not found at {SHARED_IMAGENET}")
    torch.manual_seed(0)
    torch.save(vgg19_bn().state_dict(), tmp_path / "random vgg19_bn.pt")
    val = str(SHARED_IMAGENET / "val")
    config = {
        "vgg": {
            "model": "vgg19_bn", "weights": str(tmp_path / "random vgg19_bn.pt"), "device": "cpu",
            "imagenet": {"val": val, "train": val, "resize": 64, "crop": 56, "workers": 2},
            "ablation": {"layers": ["features.40", "features.46", "features.49"], "ratios": [0.25],
                         "groupings": ["similarity", "l1"], "groups_per_ratio": 1, "null_groups": {"ratios": None}},
            "recovery": {"experiments": [1], "layers": ["features.49"], "experiment1": {"passes": 1, "epochs": 1},
                         "batch_size": 16},
            "figures": {"class_layers": ["features.46", "features.49"]},
            # Every figure's provenance names the Shapley job's machine, so it runs too: cut to a few ablations.
            "shapley": {"layers": ["features.49"], "groups": 2, "permutations": 2},
        },
    }
    targets = ["results/vgg/figures/fig16_class_drops_first_layer.png", "results/vgg/recovery/experiment1.csv"]
    result = snakemake(tmp_path, config, *targets)
    assert result.returncode == 0, result.stderr[-3000:]
    table = pd.read_csv(tmp_path / "results/vgg/ablations.csv", dtype={"class": str})
    assert len(table) == 4 * (3 * 2 + 1) * 1001 and set(table[table["class"] == "all"].images) == {1000}
    names = pd.read_csv(tmp_path / "results/vgg/classes.csv")
    assert list(names.name[:2]) == ["tench", "goldfish"]  # torchvision's class names, in the wnid order
    assert "ImageNet images from" in (tmp_path / "logs/vgg/test_images.log").read_text()
    recovery = pd.read_csv(tmp_path / "results/vgg/recovery/experiment1.csv")
    assert list(recovery.epoch) == [0, 0, 1] and recovery.ablated_filters.max() == 128
    shapley = pd.read_csv(tmp_path / "results/vgg/shapley/values.csv")
    assert len(shapley) == 2 * 2 and sum(len(f.split()) for f in shapley[shapley.metric == "top5"].filters) == 512


@pytest.mark.slow
def test_resnet18_and_mobilenet_v3_small_on_the_imagenet_sample_under_every_semantics(tmp_path):
    """The filter study on two torchvision classifiers with random weights, every layer and stream tracing finds, on
    the 1,000 real ImageNet JPEGs at 56x56: every semantics, every figure of each model's sweep."""
    if not (SHARED_IMAGENET / "val").is_dir():
        pytest.skip(f"ImageNet sample not found at {SHARED_IMAGENET}")
    val = str(SHARED_IMAGENET / "val")
    models = {"resnet18": {"model": "resnet18"}, "mobilenet": {"model": "mobilenet_v3_small"}}
    config = {
        "vgg": {"enabled": False, "model": "vgg19_bn", "jobs": "per_semantics", "device": "cpu",
                "imagenet": {"val": val, "train": val, "resize": 64, "crop": 56, "workers": 2},
                "ablation": {"ratios": [0.25], "groupings": ["similarity", "l1"], "groups_per_ratio": 1,
                             "held_out_images": 100, "null_groups": {"ratios": None}}},
        "models": models,
    }
    # Every figure this configuration makes (Shapley values and recovery training are off for these models: on
    # 1,000 full-size images they take most of an hour on two cores).
    skipped = {*model_registry.SHAPLEY_FIGURES, *(f for ids in model_registry.RECOVERY_FIGURES.values() for f in ids)}
    targets = [f"results/models/{name}/figures/{figure}.png" for name in models for figure in MODEL_FIGURES
               if figure not in skipped]
    result = snakemake(tmp_path, config, *targets)
    assert result.returncode == 0, result.stderr[-3000:]
    for name, streams in (("resnet18", 4), ("mobilenet", 4)):
        units = pd.read_csv(tmp_path / f"results/models/{name}/units.csv")
        table = pd.read_csv(tmp_path / f"results/models/{name}/ablations.csv", dtype={"class": str})
        assert (units.kind == "stream").sum() == streams and set(table.layer) == {"none", *units.layer}
        assert list(table.semantics.unique()) == ["literal", "activation", "mean", "resample"]
        # Per semantics: the intact network and two groups (similarity, l1) per layer, 1,001 rows each.
        assert len(table) == 4 * (1 + 2 * len(units)) * 1001 and set(table[table["class"] == "all"].images) == {1000}
        assert "random weights (seed 0)" in (tmp_path / f"results/models/{name}/provenance.json").read_text()


def kill_when(workdir: Path, target: str, marker: Path, text: str | None = None, timeout: float = 600) -> None:
    """Start the workflow towards `target` and SIGKILL it with all its jobs as soon as a file matching `marker`
    (holding `text`) appears, as a crash or a pulled plug would."""
    command = [*SNAKEMAKE, target, "--directory", str(workdir), "--configfile", str(workdir / "config.yaml")]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + timeout
    while time.time() < deadline and process.poll() is None:
        found = next(iter(glob.glob(str(marker))), None)  # `marker` may be a pattern: a layer chosen by the sweep
        if found and (text is None or text in Path(found).read_text(errors="ignore")):
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return
        time.sleep(0.005)
    process.kill()
    pytest.fail(f"the run ended (or timed out) before {marker.name} showed {text!r}")


def checksums(workdir: Path) -> dict[str, str]:
    return {str(path.relative_to(workdir)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted((workdir / "results").rglob("*.csv"))}


def kill_after_the_output_is_written(workdir: Path, output: str, attempts: int = 3) -> None:
    """SIGKILL the run while a job has written its output but not yet finished (Snakemake still marks the output
    incomplete): the window in which a rerun without --rerun-incomplete stops with IncompleteFilesException."""
    for _ in range(attempts):
        kill_when(workdir, output, workdir / output)
        plain = subprocess.run([*(part for part in SNAKEMAKE if part != "--rerun-incomplete"), output, "--dry-run",
                                "--directory", str(workdir), "--configfile", str(workdir / "config.yaml")],
                               capture_output=True, text=True, timeout=600)
        if "IncompleteFilesException" in plain.stdout + plain.stderr:
            return
        (workdir / output).unlink()  # the job had finished already: try again
    pytest.fail(f"never killed inside the window after {output} was written")


def test_only_the_main_process_clears_stale_locks(tmp_path):
    """A cluster job parses the workflow again in its own process (Snakemake's remote mode), maybe on a node whose
    file system does not share the live run's OS lock: it leaves the lock files alone. The README's command, a main
    process that no live run blocks, clears them (what a killed run left)."""
    locks = tmp_path / ".snakemake" / "locks"
    locks.mkdir(parents=True)
    (locks / "0.output.lock").write_text("results/mnist/data.pt\n")
    job = snakemake(tmp_path, default_config(), "--mode", "remote", "--list-rules", cores=False)
    assert job.returncode == 0 and "mnist_ablation" in job.stdout, job.stderr[-3000:]
    assert (locks / "0.output.lock").exists(), "a job removed the run's locks"
    main = snakemake(tmp_path, default_config(), "--list-rules", cores=False)
    assert main.returncode == 0 and not locks.exists(), main.stderr[-3000:]


@pytest.mark.slow  # a second small study, killed and resumed three times: minutes, in CI's slow run
def test_killed_runs_resume_and_every_table_is_bit_identical(study, tmp_path_factory):
    """SIGKILL after training wrote its output but before its job ended, and in the middle of training, of the VGG
    sweep and of recovery training; rerunning the README's command completes each time, recovery training resumes
    from its epoch checkpoint, and every table these runs made (training histories, both ablation tables, the filter
    groups, recovery) equals the uninterrupted run's (`study`, same config) byte for byte: the same config and seeds
    give the same numbers."""
    workdir = tmp_path_factory.mktemp("killed")
    config = small_study(workdir)
    (workdir / "config.yaml").write_text(yaml.safe_dump(config))
    kill_after_the_output_is_written(workdir, "results/mnist/networks/chunk1.pt")
    rerun = snakemake(workdir, config, "results/mnist/networks/chunk1.pt")
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    stages = [
        ("results/mnist/ablations.csv", workdir / "logs/mnist/train_chunk0.log", "epoch   1/",
         "results/mnist/networks/chunk0.pt"),
        ("results/vgg/ablations.csv", workdir / "logs/vgg/ablation/literal_features.20.log", "ablations in",
         "results/vgg/ablations.csv"),
        ("results/vgg/recovery/experiment2.csv", workdir / "results/vgg/recovery/experiment2/*/passes.checkpoint.pt",
         None, "results/vgg/recovery/experiment2.csv"),
    ]
    for target, marker, text, unfinished in stages:
        kill_when(workdir, target, marker, text)
        assert not (workdir / unfinished).exists(), f"killed too late: {unfinished} was already written"
        rerun = snakemake(workdir, config, target)
        assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert any("resuming from" in log.read_text() for log in (workdir / "logs/vgg/recovery").glob("experiment2_*"))
    got = checksums(workdir)
    assert len(got) >= 6 and got == {path: checksums(study)[path] for path in got}, "tables differ"


# Runs inside the report page as a reader would use it: measures the home page, then clicks through every category
# (home, category, its first subcategory, the first entry that opens in the page) and records what opened; decodes
# every embedded image. `open` (a category) leaves that category's first entry open, for a screenshot.
BROWSER_CHECK = """<script>
const open = OPEN;
window.addEventListener("load", async () => {
  const pause = () => new Promise(done => setTimeout(done, 300));
  const byText = text => [...document.querySelectorAll("a")].find(a => a.textContent.trim() === text);
  const sorted = names => [...names].sort((a, b) => a.localeCompare(b));
  const content = () => document.querySelector("#app .justify-center.h-screen");  // beside the navigation
  await pause();
  const box = content();
  const found = {home: {height: box.clientHeight, used: box.firstElementChild.offsetHeight, text: box.innerText,
                        rulegraph: document.querySelector("#rulegraph")?.offsetHeight ?? 0}, opened: {}};
  for (const category of open ? [open] : sorted(Object.keys(categories))) {
    document.querySelector("nav ol a").click(); await pause();  // the home breadcrumb: the menu again
    byText(category).click(); await pause();
    const subcategories = sorted(Object.keys(categories[category]));
    if (subcategories.length > 1) { byText(subcategories[0]).click(); await pause(); }
    const header = [...document.querySelectorAll("table.table-auto thead th")].map(th => th.textContent)
      .filter(Boolean);  // the category's entry table
    const view = [...document.querySelectorAll('div[role="group"]')].map(group => group.querySelector("a"))
      .find(a => a.getAttribute("href") === "#");  // a view button; a CSV's is a download link
    const opened = {header, subcategory: subcategories[0]};
    if (view) {
      view.click(); await pause();
      const img = content().querySelector("img"), frame = content().querySelector("iframe");
      if (img && !img.complete) await new Promise(done => { img.onload = img.onerror = done; });
      if (img) opened.image = img.naturalWidth;
      if (frame) {
        const page = new DOMParser().parseFromString(await (await fetch(frame.src)).text(), "text/html");
        opened.table = {rows: page.querySelectorAll("tbody tr").length, title: page.title, shown: frame.offsetHeight,
                        columns: page.querySelectorAll("thead th").length};
      }
    }
    found.opened[category] = opened;
  }
  if (open) return;
  const images = Object.entries(results).filter(([, r]) => r.mime_type.startsWith("image/"));
  found.widths = Object.fromEntries(await Promise.all(images.map(([path, r]) => new Promise(done => {
    const img = new Image();
    img.onload = () => done([path, img.naturalWidth]);
    img.onerror = () => done([path, 0]);
    img.src = r.data_uri;
  }))));
  const out = document.createElement("pre");
  out.id = "browser-check";
  out.textContent = JSON.stringify(found);
  document.body.appendChild(out);
});
</script>"""
WINDOW = (1400, 1000)


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    pytest.skip("no headless Chromium (apt-get install chromium)")


def test_report_browsed_in_headless_chromium(study):
    """The report as a reader browses it at 1400 x 1000: the home page fits the screen, every category opens, one entry
    of each shows its figure or table; every embedded image decodes. Screenshots of the home page and of the paper
    comparison are kept (`ARTIFACTS`, default test-artifacts/)."""
    browser = chromium()
    report = study / "report.html"
    if not report.exists():
        test_report_holds_every_figure_and_names_the_data(study)
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files",
             "--virtual-time-budget=60000", f"--window-size={WINDOW[0]},{WINDOW[1]}"]

    def page(name: str, open_category: str | None) -> Path:
        path = study / name
        script = BROWSER_CHECK.replace("OPEN", json.dumps(open_category))
        before, after = report.read_text().rsplit("</body>", 1)  # the page's own, not one in a script's text
        path.write_text(before + script + "</body>" + after)
        return path

    dom = subprocess.run([browser, *flags, "--dump-dom", page("report_checked.html", None).as_uri()],
                         capture_output=True, text=True, timeout=300).stdout
    found = re.search(r'<pre id="browser-check">(.*?)</pre>', dom, re.DOTALL)
    assert found, "the check script did not finish: the report page did not load or a click failed"
    check = json.loads(html.unescape(found.group(1)))
    # The home page: one screen, saying how the run compares with the paper; no rule graph beside it.
    assert check["home"]["used"] <= check["home"]["height"] and check["home"]["rulegraph"] == 0, check["home"]
    assert "Against the paper." in check["home"]["text"] and "Where to start." in check["home"]["text"]
    categories, results = report_data(report.read_text())
    assert list(check["opened"]) == sorted(categories)
    for category, opened in check["opened"].items():
        paths = categories[category][opened["subcategory"]]
        assert opened["header"][:1] == [next(iter(results[paths[0]]["labels"]))], category  # labelled, not paths
        shown = [results[path]["mime_type"] for path in paths]
        if any(mime.startswith("image/") or mime == "text/html" for mime in shown):
            assert opened.get("image", 0) > 100 or opened.get("table", {}).get("rows", 0) > 0, (category, opened)
    comparison = check["opened"][figure_spec.COMPARISON]["table"]
    assert comparison["title"] == "Paper comparison" and comparison["columns"] == 7 and comparison["shown"] > 500
    assert comparison["rows"] == len(pd.read_csv(study / "results/paper_comparison.csv")) + len(
        set(pd.read_csv(study / "results/paper_comparison.csv").figure))  # a heading row per figure
    assert check["opened"][figure_spec.SUMMARY]["table"]["rows"] == len(pd.read_csv(study / "results/run_summary.csv"))
    figures = ([f"results/mnist/figures/{f}.png" for f in FIGURES]
               + [f"results/vgg/figures/{f}.png" for f in VGG_FIGURES])
    figures += [f"results/mnist/figures/units/extra_unit_hidden{layer}_{unit:02d}.png"
                for layer, width in ((1, 20), (2, 10)) for unit in range(1, width + 1)]
    assert set(figures) <= set(check["widths"]), set(figures) - set(check["widths"])
    assert all(check["widths"][figure] > 100 for figure in figures), "every figure decodes to an image"
    # What a person sees first, and the comparison as it opens in the report, kept for CI's artifacts.
    artifacts = Path(os.environ.get("ARTIFACTS", REPO / "test-artifacts"))
    artifacts.mkdir(parents=True, exist_ok=True)
    for name, shown in (("report_home.png", report), ("report_comparison.png",
                                                      page("shot_comparison.html", figure_spec.COMPARISON))):
        subprocess.run([browser, *flags, f"--screenshot={artifacts / name}", shown.as_uri()], capture_output=True,
                       timeout=300)
        assert (artifacts / name).stat().st_size > 10_000, name
