"""Each filter group against random groups of the same size (`ablation.vgg.nulls`): the null's drops are the
engine's evaluation of random groups, and the sequential test stops as the null's draws say."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from ablation.vgg import nulls
from ablation.vgg.ablation import plain_sweep
from ablation.vgg.groups import FilterAblation, random_groups
from vgg_tables import with_changes

SETTINGS = nulls.Settings(metric="top1", alternative="greater", stop_after_exceedances=5, max_random_groups=64,
                          random_groups_per_pass=16, ratios=None, seed=0, alpha=0.05, batch_size=32, branch_images=512,
                          precision="float32")


def test_null_drops_are_the_plain_evaluation_of_random_groups(network, digits):
    groups = random_groups(16, 4, 6, np.random.default_rng(0))
    ablations = [FilterAblation("features.7", nulls.NULL, 0.25, i, filters) for i, filters in enumerate(groups)]
    engine = nulls.drops(network, digits, ablations, "activation", SETTINGS)
    plain = plain_sweep(network, digits, ablations, "activation", batch_size=32, precision="float32")
    accuracy = 100 * plain.top1.sum(dim=1).double().numpy() / float(plain.images.sum())
    assert np.array_equal(engine, accuracy[0] - accuracy[1:])


def test_a_group_beyond_every_draw_takes_all_draws_and_an_ordinary_one_stops_early(network, digits, monkeypatch):
    """The drops planted: every random group costs 1 %p and a tenth of them 3 %p; the observed groups 5 and 1 %p."""
    drawn_sizes = []

    def planted(network, images, ablations, semantics, settings):
        drawn_sizes.append(len(ablations))
        assert all(a.layer == "features.7" and len(a.filters) == 4 for a in ablations)
        return np.where(np.arange(len(ablations)) % 10 == 0, 3.0, 1.0)

    monkeypatch.setattr(nulls, "drops", planted)
    observed = pd.DataFrame({"grouping": ["similarity", "l1"], "group": [0, 0], "drop": [5.0, 1.0]})
    result, drawn = nulls.layer_test(network, digits, "features.7", 0.25, observed, "activation", SETTINGS)
    assert drawn_sizes == [16, 16, 16, 16] and (result.draws == 64).all()  # the 5 %p group is never exceeded
    assert np.array_equal(drawn, np.tile(np.where(np.arange(16) % 10 == 0, 3.0, 1.0), 4))  # every draw, in order
    assert result.p.tolist() == pytest.approx([1 / 65, 5 / 5])  # the 1 %p one: five exceedances in five draws
    assert result.columns.tolist()[:3] == ["grouping", "group", "drop"]
    assert (result.layer == "features.7").all() and (result.ratio == 0.25).all()


def test_every_configured_group_is_tested_with_fdr_over_its_semantics(network, table, monkeypatch):
    """The planted sweep (two semantics, four layers, ratios 5 and 25 %), only 25 % tested: each similarity and L1
    group once, its drop the sweep's, q Benjamini-Hochberg over its semantics' groups, the draws kept per cell."""
    monkeypatch.setattr(nulls, "drops", lambda network, images, ablations, semantics, settings:
                        np.linspace(0.0, 50.0, len(ablations)))
    sweep = with_changes(table)
    settings = replace(SETTINGS, ratios=[0.25], max_random_groups=8, random_groups_per_pass=8)
    tests, draws = nulls.test_groups(network, None, sweep, settings)
    overall = sweep[(sweep["class"] == "all") & sweep.grouping.isin(["similarity", "l1"]) & (sweep.ratio == 0.25)]
    assert len(tests) == len(overall) and (tests.ratio == 0.25).all()
    merged = tests.merge(overall, on=["semantics", "layer", "ratio", "grouping", "group"])
    intact = sweep[(sweep.layer == "none") & (sweep["class"] == "all")].set_index("semantics").top1
    assert np.allclose(merged["drop"], intact[merged.semantics].to_numpy() - merged.top1)
    for _, part in tests.groupby("semantics"):
        assert np.allclose(part.q, multipletests(part.p, method="fdr_bh")[1])
    assert (draws.groupby(["semantics", "layer", "ratio"]).size() == 8).all() and len(draws) == 2 * 4 * 8
    assert (tests.significant == (tests.q < 0.05)).all()


def test_one_sweep_per_pass_draws_what_each_cell_draws_alone(network, table, monkeypatch):
    """Every cell's passes go into one sweep per pass; each cell still draws its own random groups in its own
    passes, so its draws, p-values and stopping are those of `layer_test` on it alone (a drop planted per group)."""
    calls = []

    def planted(network, images, ablations, semantics, settings):
        calls.append(len(ablations))
        return np.array([float(sum(a.filters) % 7) * 8 for a in ablations])  # 0 to 48 %p, as the observed

    monkeypatch.setattr(nulls, "drops", planted)
    sweep = with_changes(table)
    settings = replace(SETTINGS, ratios=[0.25], stop_after_exceedances=2, max_random_groups=9,
                       random_groups_per_pass=3)
    tests, draws = nulls.test_groups(network, None, sweep, settings)
    assert len(calls) <= 2 * 3  # per semantics at most max_random_groups / random_groups_per_pass passes
    for (semantics, layer), part in tests.groupby(["semantics", "layer"]):
        alone, drawn = nulls.layer_test(network, None, layer, 0.25, part[["grouping", "group", "drop"]].reset_index(
            drop=True), semantics, settings)
        assert alone.p.tolist() == part.p.tolist() and alone.draws.tolist() == part.draws.tolist()
        assert drawn.tolist() == draws[(draws.semantics == semantics) & (draws.layer == layer)]["drop"].tolist()
    assert len(set(tests.draws)) > 1  # some cells stopped before others
