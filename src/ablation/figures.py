"""The MNIST figures from the study's result files: `make(figure, inputs, output)` draws one figure.

`FIGURES` maps each figure id to the paper figure it reproduces and the result files it reads; the workflow
builds one rule per entry from it, so a figure's rule, inputs and caption sit together.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ablation import plots, roles
from ablation.architecture import HIDDEN_LAYERS
from ablation.outcomes import INTACT, Ablation, Outcomes, drops, read_table

TABLE, OUTCOMES, TSNE, NETWORKS, HISTORY = "table", "outcomes", "tsne", "networks", "history"
MWU, CORRELATIONS, PER_NETWORK = "mann_whitney", "correlations", "per_network_correlations"
SELECTIVITY, INTERACTIONS, GAINS = "selectivity", "pair_interactions", "class_gains"


@dataclass(frozen=True)
class FigureSpec:
    paper: str  # the paper figure it reproduces
    inputs: tuple[str, ...]
    category: str


UNIT_VIEW = (TABLE, OUTCOMES, TSNE)
FIGURES = {
    "fig01_intact_accuracy": FigureSpec("Fig. 1", (TABLE,), "1 MNIST: intact network"),
    "fig02_tsne": FigureSpec("Fig. 2", (TSNE,), "1 MNIST: intact network"),
    "fig03_largest_drop": FigureSpec("Fig. 3", UNIT_VIEW, "2 MNIST: single-unit ablations"),
    "fig04_class_selective": FigureSpec("Fig. 4", UNIT_VIEW, "2 MNIST: single-unit ablations"),
    "fig05_negligible": FigureSpec("Fig. 5", UNIT_VIEW, "2 MNIST: single-unit ablations"),
    "fig06_subset_selective": FigureSpec("Fig. 6", UNIT_VIEW, "2 MNIST: single-unit ablations"),
    "fig07_largest_class_gain": FigureSpec("Fig. 7", UNIT_VIEW, "2 MNIST: single-unit ablations"),
    "fig08_drop_heatmap": FigureSpec("Fig. 8", (TABLE,), "2 MNIST: single-unit ablations"),
    "fig09_super_additive_pair": FigureSpec("Fig. 9", UNIT_VIEW, "3 MNIST: pairwise ablations"),
    "fig10_positive_synergy_pair": FigureSpec("Fig. 10", UNIT_VIEW, "3 MNIST: pairwise ablations"),
    "fig11_weights": FigureSpec("Fig. 11", (NETWORKS, MWU), "4 MNIST: weights and importance"),
    "fig12_weight_change_one_network": FigureSpec("Fig. 12", (MWU, CORRELATIONS), "4 MNIST: weights and importance"),
    "fig13_weight_change_all_networks": FigureSpec("Fig. 13", (MWU, CORRELATIONS, PER_NETWORK),
                                                   "4 MNIST: weights and importance"),
    "figA1_class_selectivity": FigureSpec("Fig. A.1", (SELECTIVITY,), "5 MNIST: appendix"),
    "figA2_pair_matrix": FigureSpec("Fig. A.2", (INTERACTIONS,), "5 MNIST: appendix"),
    "figA3_class_gains": FigureSpec("Fig. A.3", (GAINS,), "5 MNIST: appendix"),
    "figA4_training": FigureSpec("Fig. A.4", (HISTORY,), "5 MNIST: appendix"),
}
ROLE_OF = {
    "fig03_largest_drop": "largest_drop", "fig04_class_selective": "class_selective", "fig05_negligible": "negligible",
    "fig06_subset_selective": "subset_selective", "fig07_largest_class_gain": "largest_class_gain",
    "fig09_super_additive_pair": "super_additive", "fig10_positive_synergy_pair": "positive_synergy",
}


def _rows(table: pd.DataFrame, network: str, layer: str, units: str) -> pd.DataFrame:
    return table[(table.network == network) & (table.layer == layer) & (table.units == units)]


@dataclass(frozen=True)
class UnitView:
    """What every unit figure reads, loaded once: the accuracy table, the outcome matrix, the t-SNE map."""
    table: pd.DataFrame
    outcomes: Outcomes
    coords: np.ndarray

    @classmethod
    def load(cls, inputs: dict[str, str]) -> UnitView:
        coords = pd.read_csv(inputs[TSNE])[["x", "y"]].to_numpy()
        return cls(read_table(inputs[TABLE]), Outcomes.load(inputs[OUTCOMES]), coords)


def unit_figure(view: UnitView, network: str, layer: str, units: str, title: str) -> plots.Figure:
    """Class bars and t-SNE overlay for ablating `units` ('12' or '5+10', 1-based) of `layer`."""
    result = view.outcomes
    n = result.networks.index(network)
    ablation = Ablation(layer, tuple(int(u) - 1 for u in units.split("+")))
    pair_only, share = None, None
    if len(ablation.units) == 2:
        pair_only = result.pair_only_wrong(n, ablation)
        per_class = [pair_only.mean()] + [pair_only[result.labels == c].mean() for c in range(10)]
        share = pd.DataFrame({"class": ["all", *plots.CLASS_LABELS], "share": 100.0 * np.array(per_class)})
    return plots.unit_ablation(
        title, _rows(view.table, network, INTACT, INTACT), _rows(view.table, network, layer, units), view.coords,
        result.newly_wrong(n, ablation), result.newly_right(n, ablation), pair_only, share,
    )


def _drop_matrix(table_drops: pd.DataFrame, network: str, layer: str) -> pd.DataFrame:
    part = table_drops[(table_drops.network == network) & (table_drops.layer == layer)
                       & (table_drops["class"] != "all") & ~table_drops.units.str.contains(r"\+")]
    matrix = part.pivot(index="units", columns="class", values="drop")
    return matrix.loc[sorted(matrix.index, key=int), plots.CLASS_LABELS]


def _draw(figure: str, inputs: dict[str, str], network: str) -> plots.Figure:
    if figure == "fig01_intact_accuracy":
        return plots.intact_accuracy(_rows(read_table(inputs[TABLE]), network, INTACT, INTACT), network)
    if figure == "fig02_tsne":
        embedding = pd.read_csv(inputs[TSNE])
        return plots.tsne_classes(embedding[["x", "y"]].to_numpy(), embedding.label.to_numpy())
    if ROLE_OF.get(figure) in roles.PAIR_ROLES:
        units, class_name = roles.pair_roles(drops(read_table(inputs[TABLE])), network)[ROLE_OF[figure]]
        about = roles.PAIR_ROLES[ROLE_OF[figure]] + ("" if class_name == "all" else f" (class {class_name})")
        title = f"Network {network}, ablating units {units} together: {about}"
        return unit_figure(UnitView.load(inputs), network, "hidden1", units, title)
    if ROLE_OF.get(figure) in roles.UNIT_ROLES:
        unit = roles.unit_roles(drops(read_table(inputs[TABLE])), network)[ROLE_OF[figure]]
        return unit_figure(UnitView.load(inputs), network, "hidden1", unit,
                           f"Network {network}, hidden layer 1, unit {unit}: {roles.UNIT_ROLES[ROLE_OF[figure]]}")
    if figure == "fig08_drop_heatmap":
        table_drops = drops(read_table(inputs[TABLE]))
        return plots.drop_heatmap({layer: _drop_matrix(table_drops, network, layer) for layer in HIDDEN_LAYERS}, network)
    if figure == "fig11_weights":
        from ablation.steps import load_networks

        names, _, trained = load_networks(inputs[NETWORKS])
        mwu = read_table(inputs[MWU])
        p = mwu[(mwu.network == network) & (mwu.layer == "hidden1")].sort_values("units", key=lambda s: s.astype(int)).p
        return plots.weight_images(trained.fc1[names.index(network)].numpy(), p.to_numpy(), network)
    if figure in ("fig12_weight_change_one_network", "fig13_weight_change_all_networks"):
        mwu, summary = read_table(inputs[MWU]), pd.read_csv(inputs[CORRELATIONS])
        mwu, summary = mwu[mwu.layer == "hidden1"], summary[(summary.layer == "hidden1") & (summary.measure == "p")]
        if figure == "fig12_weight_change_one_network":
            return plots.weight_change_scatter(mwu[mwu.network == network], summary[summary.scope == f"network {network}"],
                                               f"Network {network}, hidden layer 1 ({len(mwu[mwu.network == network])} units)")
        per_network = pd.read_csv(inputs[PER_NETWORK])
        per_network = per_network[(per_network.layer == "hidden1") & (per_network.measure == "p")]
        return plots.coefficient_kde(per_network, summary[summary.scope.str.startswith("all")], mwu)
    if figure == "figA1_class_selectivity":
        return plots.class_selectivity(pd.read_csv(inputs[SELECTIVITY], dtype={"class": str}))
    if figure == "figA2_pair_matrix":
        interactions = read_table(inputs[INTERACTIONS])
        chosen = interactions[(interactions.network == network) & (interactions["class"] == "all")]
        return plots.pair_matrix(chosen, HIDDEN_LAYERS["hidden1"][0], network)
    if figure == "figA3_class_gains":
        return plots.class_gains(read_table(inputs[GAINS]))
    if figure == "figA4_training":
        return plots.training_curves(pd.read_csv(inputs[HISTORY]))
    raise KeyError(f"unknown figure '{figure}'; known: {', '.join(FIGURES)}")


def make(figure: str, inputs: dict[str, str], network: str, output: str, metadata: str) -> None:
    plots.save(_draw(figure, inputs, network), output, metadata)


def make_units(inputs: dict[str, str], network: str, units: list[tuple[str, str]], outputs: list[str],
               metadata: str) -> None:
    """One figure per (layer, unit), drawn in one process: the figures share every input."""
    view = UnitView.load(inputs)
    for (layer, unit), output in zip(units, outputs):
        plots.save(unit_figure(view, network, layer, unit, f"Network {network}, {layer}, unit {unit}"), output, metadata)
