"""Every figure legible (ablation.core.legibility): each figure of both studies and a few of the per-unit gallery,
drawn by the study's `make` from the small study's results with the inputs and options the run's figure jobs were
given (as Snakemake recorded them), kept instead of saved; and the checker itself on hand-made figures."""

from __future__ import annotations

import ast
import base64
import fnmatch
import importlib
import inspect
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from ablation.core import style
from ablation.core.legibility import legibility_problems
from ablation.core.style import Figure, plt
from ablation.mnist import registry as mnist_registry
from ablation.models import registry as model_registry
from ablation.vgg import registry as vgg_registry

# The result files a figure may read, by the keys of the registries' `inputs`: RESULT_FILES of
# workflow/rules/common.smk, as patterns where the config picks the file. Each figure's are matched against the
# inputs Snakemake recorded for its job, so a file that moves there fails here by name.
RESULT_FILES = {
    "mnist": {
        "table": "results/mnist/ablations.csv",
        "featured": "results/mnist/featured.csv",
        "featured_run": "results/mnist/featured/*.npz",  # mnist.analysis.evaluation's
        "outcomes": "results/mnist/outcomes.npz",
        "tsne": "results/mnist/tsne.csv",
        "networks": "results/mnist/networks.pt",
        "history": "results/mnist/training_history.csv",
        "semantics_table": "results/mnist/semantics/ablations.csv",
        "semantics_rankings": "results/mnist/semantics/rankings.csv",
        **{name: f"results/mnist/statistics/{name}.csv" for name in (
            "mann_whitney", "correlations", "per_network_correlations", "selectivity", "pair_interactions",
            "class_gains")},
        **{f"shapley_{name}": f"results/mnist/shapley/{name}.csv" for name in mnist_registry.SHAPLEY_TABLES},
    },
    "vgg": {
        "table": "results/vgg/ablations.csv",
        "classes": "results/vgg/classes.csv",
        "selectivity": "results/vgg/statistics/class_selectivity.csv",
        "class_changes": "results/vgg/statistics/class_changes.csv",
        "recovery1": "results/vgg/recovery/experiment1.csv",
        "recovery2": "results/vgg/recovery/experiment2.csv",
        "shapley_values": "results/vgg/shapley/values.csv",
        "null_tests": "results/vgg/statistics/null.csv",
        "null_draws": "results/vgg/statistics/null_draws.csv",
        "semantics_rankings": "results/vgg/statistics/semantics_rankings.csv",
        "choices": "results/vgg/choices.json",
    },
    "models": {  # common.smk's MODEL_FILES, of the small study's one model
        "table": "results/models/*/ablations.csv",
        "units": "results/models/*/units.csv",
        "semantics_rankings": "results/models/*/statistics/semantics_rankings.csv",
        "shapley_values": "results/models/*/shapley/values.csv",
        "recovery1": "results/models/*/recovery/experiment1.csv",
        "recovery2": "results/models/*/recovery/experiment2.csv",
    },
}
# What every figure of a study reads beside its registry inputs (figures.smk's FIGURE_INPUTS).
FIGURE_INPUTS = {"mnist": (), "vgg": ("choices",), "models": ()}
REGISTRIES = {"mnist": mnist_registry.FIGURES, "vgg": vgg_registry.FIGURES, "models": model_registry.FIGURES}
# Where a study's figures are: the small study's model is the embedded ResNet.
FOLDERS = {"mnist": "results/mnist", "vgg": "results/vgg", "models": "results/models/resnet_digits"}
# Per-unit gallery figures drawn (mnist_unit_figures draws every unit of both layers) and what that rule reads.
UNITS = [("hidden1", "1"), ("hidden1", "12"), ("hidden2", "10")]
UNIT_INPUTS = ("outcomes", "tsne")
SHOWN = 8  # problems listed per figure in a failure message
Drawing = tuple[str, Callable[[], list[Figure]]]


def _job(workdir: Path, output: str) -> dict[str, Any]:
    """What Snakemake recorded of the job that wrote `output` (.snakemake/metadata): its inputs (sorted) and its
    params (each as its repr, sorted)."""
    record = workdir / ".snakemake" / "metadata" / base64.urlsafe_b64encode(output.encode()).decode()
    assert record.exists(), f"the run made no {output}"
    return json.loads(record.read_text())


def _for_provenance(path: str) -> bool:
    """Whether a figure reads `path` only for the provenance it embeds: its study's record, or the data's record and
    the machine records of the jobs it draws from (MNIST)."""
    return path.endswith(("provenance.json", "/data.json")) or "/machines/" in path


def _inputs(workdir: Path, study: str, keys: tuple[str, ...], job: dict[str, Any]) -> dict[str, str]:
    """The figure's inputs by key, as its job was given them (every recorded input but the provenance's matched)."""
    recorded = [path for path in job["input"] if not _for_provenance(path)]
    inputs = {}
    for key in keys:
        matches = fnmatch.filter(recorded, RESULT_FILES[study][key])
        assert len(matches) == 1, f"{key}: {RESULT_FILES[study][key]} matches {matches} of the job's {recorded}"
        inputs[key] = str(workdir / matches[0])
    assert sorted(Path(path).relative_to(workdir).as_posix() for path in inputs.values()) == sorted(recorded), (
        f"the job read {recorded}, RESULT_FILES here gives {inputs}: update RESULT_FILES")
    return inputs


def _settings(make: Callable[..., None], job: dict[str, Any]) -> dict[str, Any]:
    """The settings the workflow gave `make` for the job (figures.smk's FIGURE_SETTINGS): the recorded param that
    is a dict of exactly `make`'s keyword arguments beside inputs, output and metadata."""
    wanted = {name for name, parameter in inspect.signature(make).parameters.items()
              if parameter.kind is parameter.KEYWORD_ONLY and name not in ("inputs", "output", "metadata")}
    found = []
    for text in job["params"]:
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            continue
        if isinstance(value, dict) and set(value) == wanted:
            found.append(value)
    assert len(found) == 1, f"no single param of {job['params']} holds {sorted(wanted)}"
    return found[0]


def _kept(make: Callable[..., None], **arguments: Any) -> list[Figure]:
    """The figures `make` draws, kept where it would save them."""
    with mock.patch.object(Figure, "savefig", autospec=True) as savefig:
        make(**arguments, metadata="")
    return [call.args[0] for call in savefig.call_args_list]


def _figures(workdir: Path, study: str) -> Iterator[Drawing]:
    """Every figure of the study's registry, drawn by its `make` from the run's files with the run's options."""
    make = importlib.import_module(f"ablation.{study}.figures").make
    for figure, spec in REGISTRIES[study].items():
        def draw(figure: str = figure, keys: tuple[str, ...] = spec.inputs + FIGURE_INPUTS[study]) -> list[Figure]:
            job = _job(workdir, f"{FOLDERS[study]}/figures/{figure}.png")
            return _kept(make, figure=figure, inputs=_inputs(workdir, study, keys, job), output=os.devnull,
                         **_settings(make, job))

        yield figure, draw


def _unit_figures(workdir: Path) -> Iterator[Drawing]:
    """A few figures of the per-unit gallery, drawn as mnist_unit_figures draws them."""
    from ablation.mnist import figures

    def draw() -> list[Figure]:
        job = _job(workdir, "results/mnist/figures/units/extra_unit_hidden1_01.png")
        network = _settings(figures.make, _job(workdir, "results/mnist/figures/fig01_tsne.png"))["network"]
        return _kept(figures.make_units, inputs=_inputs(workdir, "mnist", UNIT_INPUTS, job), network=network,
                     units=UNITS, outputs=[os.devnull] * len(UNITS))

    yield "extra_unit (" + ", ".join(f"{layer} unit {unit}" for layer, unit in UNITS) + ")", draw


def illegible(drawings: Iterator[Drawing]) -> dict[str, list[str]]:
    """Each drawn figure's legibility problems, for the figures that have any."""
    found = {}
    for name, draw in drawings:
        try:
            drawn = draw()
        except Exception as error:  # one figure that cannot be drawn hides none of the others' problems
            found[name] = [f"cannot be drawn: {type(error).__name__}: {error}"]
            continue
        problems = []
        for figure in drawn:
            try:
                problems += legibility_problems(figure)
            finally:
                plt.close(figure)
        if problems:
            found[name] = problems
    return found


def _report(found: dict[str, list[str]]) -> str:
    lines = [f"{len(found)} figure(s) not legible:"]
    for name, problems in found.items():
        more = f"\n    ... and {len(problems) - SHOWN} more" if len(problems) > SHOWN else ""
        lines.append(f"  {name}:\n" + "\n".join(f"    {p}" for p in problems[:SHOWN]) + more)
    return "\n".join(lines)


@pytest.mark.parametrize("part", ["mnist", "vgg", "models", "mnist units"])
def test_every_figure_of_the_small_study_is_legible(study, part):
    drawings = _unit_figures(study) if part == "mnist units" else _figures(study, part)
    found = illegible(drawings)
    assert not found, _report(found)


def _hand_made(suptitle: str, second: tuple[float, float]) -> Figure:
    figure, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1], [0, 1])
    ax.text(0.2, 0.8, "first label")
    ax.text(*second, "second label")
    figure.suptitle(suptitle)
    return figure


def test_checker_finds_overlapping_text_and_a_wide_title():
    figure = _hand_made("A title far too long for this small figure, that makes its PNG twice as wide as the axes "
                        "with blank margins", (0.25, 0.81))
    problems = legibility_problems(figure)
    plt.close(figure)
    assert any("'first label' (text) overlaps 'second label' (text)" in p for p in problems), problems
    assert any(p.startswith("the figure is") and "(suptitle)" in p for p in problems), problems
    assert len(problems) == 2, problems


def test_checker_finds_cut_text_crossed_labels_small_type_and_signed_zeros():
    figure = plt.figure(figsize=(6, 3))
    left, right = figure.add_subplot(1, 2, 1), figure.add_axes((0.6, 0.1, 0.3, 0.88))  # right: taller, a colour bar's
    left.set_xticks(range(10), [f"label {n}" for n in range(10)])  # tick labels of one axis on top of each other
    right.axhline(0.5, ls="--")
    right.text(0.5, 0.5, "+0.00", fontsize=5, ha="center", va="center")  # struck through, tiny, a signed zero
    right.text(0.8, 0.2, "clipped label", clip_on=True, transform=right.transAxes)
    left.set_title("a title reaching over the right panel, and further, and further still")
    problems = legibility_problems(figure, tight=False)
    figure.text(1.05, 0.5, "outside")
    problems += legibility_problems(figure, tight=False)
    plt.close(figure)
    text = "\n".join(problems)
    assert "'label 0' (x tick label) overlaps 'label 1' (x tick label)" in text
    assert "(title) runs into the Axes" in text
    assert "a line strikes through '+0.00'" in text and "is a signed zero" in text
    assert "1 text(s) at 5 pt, under 6 pt" in text
    assert "'outside' (text) is cut off at the figure's edge" in text
    assert "'clipped label' (text) is clipped by its Axes" in text


def test_checker_passes_a_clean_figure_and_rotated_labels_that_only_their_boxes_share():
    figure, ax = plt.subplots(figsize=(5, 3.5))
    ax.bar(range(12), range(12))
    ax.set_xticks(range(12), [f"features.{n}" for n in range(12)], rotation=45, ha="right")
    ax.set(xlabel="layer", ylabel="drop [%p]", title="A clean figure")
    ax.text(1, 9, "0.00", ha="center")
    ax.legend(["bars"], frameon=False)
    assert legibility_problems(figure) == []
    first, second = (label.get_window_extent() for label in ax.get_xticklabels()[:2])
    assert first.overlaps(second), "the upright boxes of the turned labels overlap: the test tests the turn"
    plt.close(figure)


def test_style_titles_wrap_to_the_axes_instead_of_widening_the_figure():
    figure, axes = plt.subplots(1, 2, figsize=(5, 3))
    for ax in axes:
        ax.imshow([[0, 1], [1, 0]])
        ax.set(xticks=[], yticks=[])
        style.title(ax, "An Axes title that would otherwise run over the panel beside it")
    style.suptitle(figure, "A figure title far longer than the figure is wide: it would make a PNG with wide blank "
                           "margins on both sides of the panels")
    assert legibility_problems(figure) == []
    assert figure.get_suptitle().count("\n") >= 1
    plt.close(figure)
