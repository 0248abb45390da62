"""The MNIST figures: one drawing function per figure id of `ablation.mnist.registry`, of the same name, each
reading the study's result files; the caption is `report/<id>.rst`, the rule is named after the id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ablation.core import style
from ablation.core.semantics_plots import agreement_line, drops_against_reference
from ablation.core.style import signed
from ablation.core.tables import INTACT, read_table
from ablation.mnist import plots, roles, shapley_plots, statistics
from ablation.mnist.architecture import HIDDEN_LAYERS
from ablation.mnist.outcomes import Ablation, Outcomes, accuracy_table, drops
from ablation.mnist.registry import (
    CORRELATIONS,
    FEATURED,
    FIGURES,
    GAINS,
    HISTORY,
    INTERACTIONS,
    MWU,
    NETWORKS,
    PER_NETWORK,
    RUN,
    SELECTIVITY,
    SEMANTICS_RANKINGS,
    SEMANTICS_TABLE,
    SHAPLEY_CORRELATIONS,
    SHAPLEY_INTERACTIONS,
    SHAPLEY_VALUES,
    TABLE,
    TSNE,
)

SELECTIVITY_EXAMPLES = 4  # single networks drawn beside the mean in Fig. 11 (the paper shows four)


def _rows(table: pd.DataFrame, network: str, layer: str, units: str) -> pd.DataFrame:
    return table[(table.network == network) & (table.layer == layer) & (table.units == units)]


@dataclass(frozen=True)
class UnitView:
    """What every ablation figure of one network reads, loaded once: accuracies, which items are right, the t-SNE
    map."""
    table: pd.DataFrame
    outcomes: Outcomes
    coords: np.ndarray

    @classmethod
    def load(cls, outcomes_path: str, tsne_path: str | None, network: str) -> UnitView:
        result = Outcomes.load(outcomes_path).of_networks([network])  # the others' accuracies would go unread
        coords = pd.read_csv(tsne_path)[["x", "y"]].to_numpy() if tsne_path else np.empty((0, 2))
        return cls(accuracy_table(result), result, coords)

    def rows(self, network: str, units: str, layer: str = "hidden1") -> pd.DataFrame:
        return (_rows(self.table, network, INTACT, INTACT) if units == INTACT
                else _rows(self.table, network, layer, units))


def unit_figure(view: UnitView, network: str, layer: str, units: str, title: str) -> plots.Figure:
    """Class bars and t-SNE overlay for ablating `units` ('12', '5+10' or a larger set, 1-based) of `layer`."""
    result = view.outcomes
    n = result.networks.index(network)
    ablation = Ablation.parse(layer, units)
    pair_only, share = None, None
    if len(ablation.units) == 2:
        pair_only = result.pair_only_wrong(n, ablation)
        per_class = [pair_only.mean()] + [pair_only[result.labels == c].mean() for c in range(10)]
        share = pd.DataFrame({"class": ["all", *plots.CLASS_LABELS], "share": 100.0 * np.array(per_class)})
    return plots.unit_ablation(
        title, view.rows(network, INTACT), view.rows(network, units, layer), view.coords,
        result.newly_wrong(n, ablation), result.newly_right(n, ablation), pair_only, share,
    )


def _featured(figure: str, inputs: dict[str, str], network: str,
              note: Callable[[UnitView, roles.Featured], str] | None = None) -> plots.Figure:
    """A figure of the units `roles.featured` chose for it, titled with the rule that chose them (and what
    `note(view, chosen)` adds)."""
    chosen = roles.read(inputs[FEATURED])[figure]
    view = UnitView.load(inputs[RUN], inputs[TSNE], network)
    # The class it concerns, unless the note names it.
    about = "" if chosen.class_name == "all" or note else f" (class {chosen.class_name})"
    units = ("units " if "+" in chosen.units else "unit ") + chosen.units.replace("+", " + ")
    title = f"Network {network}, hidden layer 1, {units}: {chosen.rule}{about}{note(view, chosen) if note else ''}"
    return unit_figure(view, network, "hidden1", chosen.units, title)


def fig01_tsne(inputs: dict[str, str], network: str) -> plots.Figure:
    embedding = pd.read_csv(inputs[TSNE])
    return plots.tsne_classes(embedding[["x", "y"]].to_numpy(), embedding.label.to_numpy(), embedding["map"].iloc[0])


def fig02_intact_network(inputs: dict[str, str], network: str) -> plots.Figure:
    view = UnitView.load(inputs[RUN], inputs[TSNE], network)
    correct = view.outcomes.correct[view.outcomes.networks.index(network), 0]
    return plots.intact_network(view.rows(network, INTACT), view.coords, correct, network)


def fig03_largest_drop(inputs: dict[str, str], network: str) -> plots.Figure:
    return _featured("fig03_largest_drop", inputs, network)


def fig04_class_selective(inputs: dict[str, str], network: str) -> plots.Figure:
    return _featured("fig04_class_selective", inputs, network)


def fig05_negligible(inputs: dict[str, str], network: str) -> plots.Figure:
    return _featured("fig05_negligible", inputs, network)


def fig06_subset_selective(inputs: dict[str, str], network: str) -> plots.Figure:
    return _featured("fig06_subset_selective", inputs, network)


def fig07_largest_class_gain(inputs: dict[str, str], network: str) -> plots.Figure:
    return _featured("fig07_largest_class_gain", inputs, network)


def fig08_weights_before_after(inputs: dict[str, str], network: str) -> plots.Figure:
    from ablation.mnist.steps import load_networks

    names, initial, trained = load_networks(inputs[NETWORKS])
    mwu = read_table(inputs[MWU])
    p = mwu[(mwu.network == network) & (mwu.layer == "hidden1")].sort_values("units", key=lambda s: s.astype(int)).p
    n = names.index(network)
    return plots.weights_before_after(initial.fc1[n].numpy(), trained.fc1[n].numpy(), p.to_numpy(), network)


def fig09_weight_change_vs_drop(inputs: dict[str, str], network: str) -> plots.Figure:
    mwu, summary = read_table(inputs[MWU]), pd.read_csv(inputs[CORRELATIONS])
    mwu, summary = mwu[mwu.layer == "hidden1"], summary[(summary.layer == "hidden1") & (summary.measure == "p")]
    own, others = mwu[mwu.network == network], mwu[mwu.network != network]
    panels = [(own, summary[summary.scope == f"network {network}"], f"Network {network}: {len(own)} units")]
    if others.network.nunique() > 1:
        panels.append((others, summary[summary.scope.str.startswith("other")],
                       f"Other {others.network.nunique()} networks: {len(others)} units"))
    return plots.weight_change_vs_drop(panels)


def fig10_coefficient_distribution(inputs: dict[str, str], network: str) -> plots.Figure:
    per_network = pd.read_csv(inputs[PER_NETWORK])
    chosen = (per_network.layer == "hidden1") & (per_network.measure == "p") & (per_network.network != network)
    return plots.coefficient_kde(per_network[chosen])


def fig11_class_selectivity(inputs: dict[str, str], network: str) -> plots.Figure:
    table = pd.read_csv(inputs[SELECTIVITY], dtype={"class": str})
    others = table[(table.layer == "hidden1") & (table.network != network)]
    by_network = {name: part.set_index("class").selectivity for name, part in others.groupby("network", sort=False)}
    examples = dict(list(by_network.items())[:SELECTIVITY_EXAMPLES])
    return plots.class_selectivity_lines(others.groupby("class").selectivity.mean(), examples, len(by_network))


def fig12_super_additive_pair(inputs: dict[str, str], network: str) -> plots.Figure:
    return _featured("fig12_super_additive_pair", inputs, network)


def fig13_positive_synergy_pair(inputs: dict[str, str], network: str) -> plots.Figure:
    def gains(view: UnitView, chosen: roles.Featured) -> str:
        """The pair's and the singles' gains on the class, and whether they make a positive synergy (the rule that
        chose the pair, `roles.is_positive_synergy`)."""
        exact = roles.exact_drops(drops(view.table), network, "hidden1")
        pair, name = chosen.units, chosen.class_name
        first, second = pair.split("+")
        gain = {units: float(-exact[units][name]) for units in (pair, first, second)}
        verdict = "a positive synergy" if roles.is_positive_synergy(exact, pair, name) else "NOT a positive synergy"
        return (f"\nclass {name}: pair gain {signed(gain[pair])} %p; alone unit {first} {signed(gain[first])}, unit "
                f"{second} {signed(gain[second])}, sum {signed(gain[first] + gain[second])} %p: {verdict}")

    return _featured("fig13_positive_synergy_pair", inputs, network, gains)


def figA1_second_many_classes(inputs: dict[str, str], network: str) -> plots.Figure:
    return _featured("figA1_second_many_classes", inputs, network)


def figA2_negligible_set(inputs: dict[str, str], network: str) -> plots.Figure:
    return _featured("figA2_negligible_set", inputs, network)


def figA3_pair_of_fig03_and_fig04(inputs: dict[str, str], network: str) -> plots.Figure:
    def share(view: UnitView, chosen: roles.Featured) -> str:
        """The share of the class the rule chose (`roles.pair_only_shares`: the largest), as its blue bar shows."""
        value = float(roles.pair_only_shares(view.outcomes, network, chosen.units)[chosen.class_name])
        return f"\nclass {chosen.class_name}: {value:.2f} % of its digits wrong only after the pair"

    return _featured("figA3_pair_of_fig03_and_fig04", inputs, network, share)


def figA4_singles_of_fig13(inputs: dict[str, str], network: str) -> plots.Figure:
    chosen = roles.read(inputs[FEATURED])["figA4_singles_of_fig13"]
    view = UnitView.load(inputs[RUN], None, network)
    singles = [(f"unit {unit} alone", view.rows(network, unit)) for unit in chosen.units.split("+")]
    return plots.singles_side_by_side(view.rows(network, INTACT), singles,
                                      f"Network {network}: the units of the Fig. 13 pair {chosen.units}, one at a time "
                                      f"(its class {chosen.class_name})")


def _drop_matrix(table_drops: pd.DataFrame, network: str, layer: str) -> pd.DataFrame:
    part = table_drops[(table_drops.network == network) & (table_drops.layer == layer)
                       & (table_drops["class"] != "all") & ~table_drops.units.str.contains(r"\+")]
    matrix = part.pivot(index="units", columns="class", values="drop")
    return matrix.loc[sorted(matrix.index, key=int), plots.CLASS_LABELS]


def extra_drop_heatmap(inputs: dict[str, str], network: str) -> plots.Figure:
    table_drops = drops(read_table(inputs[TABLE]))
    return plots.drop_heatmap({layer: _drop_matrix(table_drops, network, layer) for layer in HIDDEN_LAYERS}, network)


def extra_pair_matrix(inputs: dict[str, str], network: str) -> plots.Figure:
    interactions = read_table(inputs[INTERACTIONS])
    chosen = interactions[(interactions.network == network) & (interactions["class"] == "all")]
    return plots.pair_matrix(chosen, HIDDEN_LAYERS["hidden1"][0], network)


def extra_class_gains(inputs: dict[str, str], network: str) -> plots.Figure:
    return plots.class_gains(read_table(inputs[GAINS]))


def extra_training(inputs: dict[str, str], network: str) -> plots.Figure:
    return plots.training_curves(pd.read_csv(inputs[HISTORY]))


def extra_mnist_semantics(inputs: dict[str, str], network: str) -> plots.Figure:
    table = read_table(inputs[SEMANTICS_TABLE])
    rankings = pd.read_csv(inputs[SEMANTICS_RANKINGS])
    drops = statistics.semantics_drops(table)
    size = drops.units.str.count(r"\+") + 1
    kind = np.where(size == 1, drops.layer + " unit", np.where(size == 2, drops.layer + " pair",
                                                                 "Fig. A.2 set (" + size.astype(str) + " units)"))
    frame = drops.assign(kind=kind, ablation=drops.network + " " + drops.layer + " " + drops.units)
    reference = str(rankings.reference.iloc[0]) if len(rankings) else str(table.semantics.iloc[0])
    lines = {name: [agreement_line(row.ranking, row) for _, row in part.iterrows()]
             for name, part in rankings.groupby("semantics", sort=False)}
    networks = table.network.nunique()
    colours = {"hidden1 unit": "C0", "hidden2 unit": "C1", "hidden1 pair": "0.6",
               **{name: "C3" for name in set(kind) if name.startswith("Fig. A.2")}}
    return drops_against_reference(frame, reference, lines, "%p",
                                   f"Every ablation's overall drop under each semantics, {networks} networks; "
                                   f"rho and top-k shared: mean over networks [95 % bootstrap interval]", colours)


def extra_shapley_vs_single_drop(inputs: dict[str, str], network: str) -> plots.Figure:
    return shapley_plots.shapley_vs_single_drop(read_table(inputs[SHAPLEY_VALUES]),
                                                pd.read_csv(inputs[SHAPLEY_CORRELATIONS]), network)


def extra_shapley_vs_weight_change(inputs: dict[str, str], network: str) -> plots.Figure:
    return shapley_plots.shapley_vs_weight_change(read_table(inputs[SHAPLEY_VALUES]), read_table(inputs[MWU]),
                                                  pd.read_csv(inputs[SHAPLEY_CORRELATIONS]), network)


def extra_shapley_interactions(inputs: dict[str, str], network: str) -> plots.Figure:
    return shapley_plots.shapley_interactions(read_table(inputs[SHAPLEY_INTERACTIONS]),
                                              pd.read_csv(inputs[SHAPLEY_CORRELATIONS]), network)


def extra_shapley_class_heatmap(inputs: dict[str, str], network: str) -> plots.Figure:
    return shapley_plots.shapley_class_heatmap(read_table(inputs[SHAPLEY_VALUES]), network)


def make(figure: str, *, inputs: dict[str, str], output: str, metadata: str, network: str) -> None:
    """Draw `figure` with the function of that name; `network`: the featured network."""
    if figure not in FIGURES:
        raise KeyError(f"unknown figure '{figure}'; known: {', '.join(FIGURES)}")
    style.save(globals()[figure](inputs, network), output, metadata)


def make_units(*, inputs: dict[str, str], network: str, units: list[tuple[str, str]], outputs: list[str],
               metadata: str) -> None:
    """One figure per (layer, unit), drawn in one process: the figures share every input."""
    view = UnitView.load(inputs["outcomes"], inputs[TSNE], network)
    for (layer, unit), output in zip(units, outputs):
        style.save(unit_figure(view, network, layer, unit, f"Network {network}, {layer}, unit {unit}"),
                   output, metadata)
