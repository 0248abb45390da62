"""The paper's statistics on unit ablations, each a tidy table.

- Mann-Whitney U (two-sided) between a unit's initial and trained incoming weights; Pearson and Spearman
  correlation of its p-value (the authors' measure) and of U with the unit's accuracy drop, with bootstrap
  confidence intervals.
- Class selectivity: per network and class, the standard deviation of the class's accuracy drop across a layer's
  units (the paper's Fig. 11 averages it over the networks other than the featured one).
- Pair interaction: pair drop minus the sum of the two single drops, per class (> 0: super-additive); and per pair
  an exact test of the pair's own effect (`pair_tests`).
- McNemar's exact test per class of whether an ablated network classifies differently from the intact one,
  Benjamini-Hochberg FDR-corrected over every test of the study; a significant gain is q < alpha with more
  items gained than lost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ablation.core.rankings import spearman, top_overlap
from ablation.core.statistics import mcnemar_fdr, paired_drop
from ablation.mnist.architecture import CLASSES
from ablation.mnist.outcomes import Ablation, Outcomes, drops

if TYPE_CHECKING:
    from ablation.mnist.network import Stack

# scipy and statsmodels are imported where a test runs: the figures import this module and draw without them, and
# every figure is a process of its own (a second less to start each).
CORRELATIONS = ("pearson", "spearman")  # scipy.stats.pearsonr and spearmanr
# What is correlated with the drop: the test's p-value (as in the authors' code) and its U statistic.
MEASURES = ("p", "U")


def mann_whitney(initial: Stack, trained: Stack, networks: list[str]) -> pd.DataFrame:
    """U statistic and two-sided p of trained vs initial incoming weights, per network and hidden unit."""
    from scipy import stats

    rows = []
    for layer, name in (("hidden1", "fc1"), ("hidden2", "fc2")):
        before, after = getattr(initial, name).numpy(), getattr(trained, name).numpy()  # (N, width, fan_in)
        width = before.shape[1]
        result = stats.mannwhitneyu(after, before, alternative="two-sided", axis=-1)
        for n, network in enumerate(networks):
            for unit in range(width):
                rows.append((network, layer, str(unit + 1), float(result.statistic[n, unit]),
                             float(result.pvalue[n, unit])))
    return pd.DataFrame(rows, columns=["network", "layer", "units", "U", "p"])


def correlation(x: np.ndarray, y: np.ndarray, method: str, resamples: int, seed: int) -> dict[str, float]:
    """Coefficient, p-value and a 95 % BCa bootstrap interval (resampling (x, y) pairs)."""
    from scipy import stats

    def coefficient(a: np.ndarray, b: np.ndarray, axis: int = -1) -> np.ndarray:
        """The coefficient of every resample in one call (Spearman's: Pearson's of the mean ranks)."""
        if method == "spearman":
            a, b = stats.rankdata(a, axis=axis), stats.rankdata(b, axis=axis)
        return stats.pearsonr(a, b, axis=axis).statistic

    result = getattr(stats, f"{method}r")(x, y)
    interval = stats.bootstrap(
        (x, y), coefficient, paired=True, vectorized=True, n_resamples=resamples, rng=np.random.default_rng(seed),
    ).confidence_interval
    return {
        "coefficient": float(result.statistic), "p": float(result.pvalue),
        "ci_low": float(interval.low), "ci_high": float(interval.high), "n": len(x),
    }


def unit_drops(drops: pd.DataFrame) -> pd.DataFrame:
    """Overall accuracy drop of every single-unit ablation: network, layer, units, drop."""
    singles = drops[(drops["class"] == "all") & ~drops.units.str.contains(r"\+")]
    return singles[["network", "layer", "units", "drop"]]


def weight_change_vs_drop(
    mwu: pd.DataFrame, drops: pd.DataFrame, focus: str, resamples: int, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Correlations of the Mann-Whitney p-value (the authors' measure) and of U with the drop.

    Returns the summary for the focus network and for the other networks' units pooled (the paper's Fig. 9: its
    network, then the 20 more it trained), and per-network coefficients.
    """
    from scipy import stats

    joined = mwu.merge(unit_drops(drops), on=["network", "layer", "units"])
    summary, per_network = [], []
    for layer, group in joined.groupby("layer", sort=False):
        others = group[group.network != focus]
        scopes = {f"network {focus}": group[group.network == focus]}
        if others.network.nunique() > 1:
            scopes[f"other {others.network.nunique()} networks"] = others
        for measure in MEASURES:
            for scope, part in scopes.items():
                for method in CORRELATIONS:
                    values = correlation(part[measure].to_numpy(), part["drop"].to_numpy(), method, resamples, seed)
                    summary.append({"scope": scope, "layer": layer, "measure": measure, "method": method, **values})
            for network, part in group.groupby("network", sort=False):
                per_network.append({"network": network, "layer": layer, "measure": measure, **{
                    method: float(getattr(stats, f"{method}r")(part[measure], part["drop"]).statistic)
                    for method in CORRELATIONS}})
    return pd.DataFrame(summary), pd.DataFrame(per_network)


def class_selectivity(drops: pd.DataFrame) -> pd.DataFrame:
    """Per network, layer and class: the std of the class drop across the layer's single units."""
    singles = drops[(drops["class"] != "all") & ~drops.units.str.contains(r"\+")]
    spread = singles.groupby(["network", "layer", "class"], sort=False)["drop"].std(ddof=0)
    return spread.rename("selectivity").reset_index()


def mean_interval(values: np.ndarray, resamples: int, seed: int) -> tuple[float, float, float]:
    """Mean and its 95 % BCa bootstrap interval (NaN interval for fewer than 3 values)."""
    if len(values) < 3 or np.ptp(values) == 0:
        return float(np.mean(values)), float("nan"), float("nan")
    from scipy import stats

    interval = stats.bootstrap((values,), np.mean, n_resamples=resamples,
                               rng=np.random.default_rng(seed)).confidence_interval
    return float(np.mean(values)), float(interval.low), float(interval.high)


def pair_interactions(drops: pd.DataFrame) -> pd.DataFrame:
    """Pair drop minus the sum of the two single drops, per network, pair and class."""
    singles = drops[~drops.units.str.contains(r"\+")].set_index(["network", "layer", "class", "units"])["drop"]
    pairs = drops[drops.units.str.contains(r"\+")].copy()
    first, second = (pairs.units.str.split("+").str[i] for i in (0, 1))
    key = [pairs.network, pairs.layer, pairs["class"]]
    pairs["single_sum"] = (
        singles.reindex(pd.MultiIndex.from_arrays([*key, first])).to_numpy()
        + singles.reindex(pd.MultiIndex.from_arrays([*key, second])).to_numpy()
    )
    pairs["interaction"] = pairs["drop"] - pairs.single_sum
    return pairs[["network", "layer", "units", "class", "drop", "single_sum", "interaction"]].reset_index(drop=True)


def class_gains(outcomes: Outcomes, alpha: float) -> pd.DataFrame:
    """McNemar's exact test per network, ablation and class against the intact network, FDR-corrected."""
    intact = outcomes.correct[:, :1]
    gained = (~intact & outcomes.correct)[:, 1:]  # (N, M-1, n): right only when ablated
    lost = (intact & ~outcomes.correct)[:, 1:]
    rows = []
    for c in np.unique(outcomes.labels):
        selected = outcomes.labels == c
        b, lost_count = gained[..., selected].sum(-1), lost[..., selected].sum(-1)
        for n, network in enumerate(outcomes.networks):
            for m, ablation in enumerate(outcomes.ablations[1:]):
                rows.append((network, ablation.layer, ablation.label, str(c), int(b[n, m]), int(lost_count[n, m])))
    table = pd.DataFrame(rows, columns=["network", "layer", "units", "class", "gained", "lost"])
    table["p"], table["q"] = mcnemar_fdr(table.gained.to_numpy(), table.lost.to_numpy(), alpha)
    table["significant_gain"] = (table.q < alpha) & (table.gained > table.lost)
    return table


def pair_tests(outcomes: Outcomes, alpha: float) -> pd.DataFrame:
    """Every pair of every network: is the pair's effect more than its singles'? The digits the pair loses that the
    intact network and each single keep right (`lost_only_after_pair`) against the digits only the pair gets right,
    every one of the others wrong (`gained_only_after_pair`): an exact one-sided binomial (McNemar) test that the first
    exceed the second, Benjamini-Hochberg FDR over the pairs of a network's layer. `interaction`: the overall pair
    drop minus the sum of the single drops [%p]; `super_additive`: q < alpha."""
    from scipy import stats
    from statsmodels.stats.multitest import multipletests

    rows = []
    for n, network in enumerate(outcomes.networks):
        correct = outcomes.correct[n]
        for m, pair in enumerate(outcomes.ablations):
            if len(pair.units) != 2:
                continue
            first, second = (correct[outcomes.index(Ablation(pair.layer, (unit,)))] for unit in pair.units)
            others = np.stack([correct[0], first, second])
            lost = int((others.all(axis=0) & ~correct[m]).sum())
            gained = int((~others.any(axis=0) & correct[m]).sum())
            interaction = 100 * (first.mean() + second.mean() - correct[0].mean() - correct[m].mean())
            p = stats.binomtest(lost, lost + gained, 0.5, alternative="greater").pvalue if lost + gained else 1.0
            rows.append((network, pair.layer, pair.label, lost, gained, float(interaction), float(p)))
    table = pd.DataFrame(rows, columns=["network", "layer", "units", "lost_only_after_pair", "gained_only_after_pair",
                                        "interaction", "p"])
    table["q"] = table.groupby(["network", "layer"]).p.transform(lambda p: multipletests(p, method="fdr_bh")[1])
    table["super_additive"] = table.q < alpha
    return table


def drop_intervals(outcomes: Outcomes) -> pd.DataFrame:
    """Every ablation of every network, overall and per class: the accuracy drop [%p] with its 95 % paired
    interval over the test digits (`paired_drop`), and the digits lost and gained against the intact network. A
    gain is a negative drop."""
    intact = outcomes.correct[:, :1]
    lost, gained = intact & ~outcomes.correct, ~intact & outcomes.correct  # (N, M, n)
    groups = [("all", np.ones_like(outcomes.labels, dtype=bool))]
    groups += [(str(c), outcomes.labels == c) for c in range(CLASSES) if (outcomes.labels == c).any()]
    frames = []
    for class_name, selected in groups:
        lost_count, gained_count = lost[:, 1:, selected].sum(-1), gained[:, 1:, selected].sum(-1)  # (N, M - 1)
        items = int(selected.sum())
        drop, low, high = paired_drop(gained_count.reshape(-1), lost_count.reshape(-1), np.full(lost_count.size, items))
        ablations = outcomes.ablations[1:]
        frames.append(pd.DataFrame({
            "network": np.repeat(outcomes.networks, len(ablations)),
            "layer": [a.layer for a in ablations] * len(outcomes.networks),
            "units": [a.label for a in ablations] * len(outcomes.networks),
            "class": class_name, "items": items, "gained": gained_count.reshape(-1), "lost": lost_count.reshape(-1),
            "drop": drop, "ci_low": low, "ci_high": high}))
    return pd.concat(frames, ignore_index=True)


# The rankings compared between ablation semantics (`ablation.mnist.semantics`): which units of each layer matter
# most, and which pairs of hidden1 (ranking -> layer, units per ablation).
RANKINGS = {"hidden1 units": ("hidden1", 1), "hidden2 units": ("hidden2", 1), "hidden1 pairs": ("hidden1", 2)}
RANKING_COLUMNS = ["semantics", "reference", "ranking", "items", "networks", "spearman", "spearman_low",
                   "spearman_high", "top", "overlap", "overlap_low", "overlap_high"]


def semantics_drops(table: pd.DataFrame) -> pd.DataFrame:
    """Per semantics, network and ablation: the overall accuracy drop (`outcomes.drops` of each semantics' rows)."""
    overall = table[table["class"] == "all"]
    parts = [drops(part.drop(columns="semantics")).assign(semantics=name)
             for name, part in overall.groupby("semantics", sort=False)]
    return pd.concat(parts, ignore_index=True)[["semantics", "network", "layer", "units", "drop"]]


def semantics_rankings(table: pd.DataFrame, reference: str, top: int, resamples: int, seed: int) -> pd.DataFrame:
    """How each semantics ranks units and pairs against `reference`'s ranking, per network, then the mean over
    networks with its 95 % bootstrap interval (`statistics.mean_interval`): Spearman's rho of the drops and the
    share of the `top` largest drops shared."""
    drops = semantics_drops(table)
    rows = []
    for name in [s for s in dict.fromkeys(drops.semantics) if s != reference]:
        for ranking, (layer, size) in RANKINGS.items():
            chosen = drops[(drops.layer == layer) & (drops.units.str.count(r"\+") + 1 == size)]
            wide = chosen.pivot_table(index=["network", "units"], columns="semantics", values="drop", sort=False)
            per_network = [(spearman(part[reference].to_numpy(), part[name].to_numpy())[0],
                            top_overlap(part[reference].to_numpy(), part[name].to_numpy(), top)[0], len(part))
                           for _, part in wide.groupby(level="network", sort=False)]
            if not per_network:
                continue
            rho, overlap, items = (np.array(values) for values in zip(*per_network))
            rho_stats = mean_interval(rho[~np.isnan(rho)], resamples, seed) if (~np.isnan(rho)).any() else (
                float("nan"),) * 3
            rows.append([name, reference, ranking, int(items[0]), len(per_network), *rho_stats, top,
                         *mean_interval(overlap, resamples, seed)])
    return pd.DataFrame(rows, columns=RANKING_COLUMNS)
