"""Every number and checkable claim the paper states about MNIST, beside this run's: one row each.

Columns: figure, claim, paper, clean, as_published (this run's value under each evaluation, for the featured
network; statistics over many networks exist only under the run's own evaluation), tolerance, verdict.

Tolerances are stated, not tuned. On the authors' own network (identified by its SHA-256) a number must come out
to the hundredth: 0.01 %p. On a network trained here, the paper's network is one draw among many: the tolerance is
twice the standard deviation of the same quantity over the trained networks (the role's value in each network,
under the run's evaluation). A paper number is compared with the value measured as the paper measured it:
`as_published` for ablations (their test images were binarised, `unit_ablation.binarised`), the original digits for
the intact network and for counting negligible units (see NUMBERS). Claims without a number get their measured
value and interval, and a verdict whether they hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from ablation import roles, statistics
from ablation.outcomes import EVALUATIONS, INTACT, Ablation, Outcomes, accuracy_table, drops
from ablation.roles import Featured

CLASSES = [str(c) for c in range(10)]
AUTHORS_TOLERANCE = 0.01  # %p


@dataclass(frozen=True)
class NetworkView:
    """One network's first-layer ablations: accuracy by (units, class), and the units each figure features."""
    accuracy: dict[tuple[str, str], float]
    chosen: dict[str, Featured]

    @classmethod
    def of(cls, table: pd.DataFrame, network: str, chosen: dict[str, Featured]) -> NetworkView:
        part = table[(table.network == network) & table.layer.isin([INTACT, "hidden1"])]
        return cls(dict(zip(zip(part.units, part["class"]), part.accuracy)), chosen)

    def drop(self, units: str, class_name: str = "all") -> float:
        return self.accuracy[(INTACT, class_name)] - self.accuracy[(units, class_name)]

    def units(self, figure: str) -> str:
        return self.chosen[figure].units

    def about(self, figure: str) -> str:
        return self.chosen[figure].class_name

    def single_gain(self, position: int) -> float:
        """Gain of one unit of the Fig. 13 pair on the pair's class (Fig. A.4)."""
        unit = self.units("figA4_singles_of_fig13").split("+")[position]
        return -self.drop(unit, self.about("figA4_singles_of_fig13"))

    def negligible(self, threshold: float) -> int:
        return sum(abs(self.drop(str(unit))) <= threshold for unit in range(1, 21))


@dataclass(frozen=True)
class Number:
    figure: str
    claim: str  # with {figure id} for its units and {figure id.class} for its class
    paper: float
    value: Callable[[NetworkView, float], float]  # (view, negligible threshold) -> value
    measured: str = "as_published"  # the evaluation that measures it as the paper did


NUMBERS = [
    Number("Fig. 2", "intact test accuracy [%]", 94.64, lambda v, t: v.accuracy[(INTACT, "all")], "clean"),
    Number("Fig. 2", "lowest class accuracy [%] (paper: digit 8)", 91.38,
           lambda v, t: min(v.accuracy[(INTACT, c)] for c in CLASSES), "clean"),
    Number("Fig. 2", "highest class accuracy [%] (paper: digit 1)", 98.41,
           lambda v, t: max(v.accuracy[(INTACT, c)] for c in CLASSES), "clean"),
    Number("Fig. 3", "overall drop [%p], unit {fig03_largest_drop}", 44.54, lambda v, t: v.drop(v.units("fig03_largest_drop"))),
    Number("Fig. 4", "overall drop [%p], unit {fig04_class_selective}", 11.61,
           lambda v, t: v.drop(v.units("fig04_class_selective"))),
    Number("Fig. 5", "overall drop [%p], unit {fig05_negligible}", 1.44, lambda v, t: v.drop(v.units("fig05_negligible"))),
    Number("Fig. 6", "overall drop [%p], unit {fig06_subset_selective}", 14.61,
           lambda v, t: v.drop(v.units("fig06_subset_selective"))),
    Number("Fig. 7", "overall drop [%p], unit {fig07_largest_class_gain}", 25.35,
           lambda v, t: v.drop(v.units("fig07_largest_class_gain"))),
    Number("Fig. 7", "gain on class {fig07_largest_class_gain.class} [%p], unit {fig07_largest_class_gain}", 5.72,
           lambda v, t: -v.drop(v.units("fig07_largest_class_gain"), v.about("fig07_largest_class_gain"))),
    Number("Fig. 13", "gain of pair {fig13_positive_synergy_pair} on class {fig13_positive_synergy_pair.class} [%p]",
           5.16, lambda v, t: -v.drop(v.units("fig13_positive_synergy_pair"), v.about("fig13_positive_synergy_pair"))),
    Number("Fig. A.4", "gain of its first unit alone [%p]", 3.14, lambda v, t: v.single_gain(0)),
    Number("Fig. A.4", "gain of its second unit alone [%p]", 0.45, lambda v, t: v.single_gain(1)),
    # The paper calls units negligible that its binarised test set shows at ~1.44 %p; on the clean images they
    # move accuracy by 0.00-0.02 %p: the count is taken where it is meaningful.
    Number("Figs. 5, A.2", "units of 20 whose ablation moves accuracy by at most {threshold} %p", 4,
           lambda v, t: v.negligible(t), "clean"),
]


def _claim_text(template: str, chosen: dict[str, Featured], threshold: float) -> str:
    fields = {figure: f.units for figure, f in chosen.items()}
    fields.update({f"{figure}.class": f.class_name for figure, f in chosen.items()})
    fields["threshold"] = f"{threshold:g}"
    for key, value in sorted(fields.items(), key=lambda item: -len(item[0])):
        template = template.replace("{" + key + "}", value)
    return template


def _number_rows(views: dict[str, NetworkView], spread: list[NetworkView], authors: bool, threshold: float) -> list[dict]:
    rows = []
    for number in NUMBERS:
        values = {name: number.value(view, threshold) for name, view in views.items()}
        measured = values[number.measured]
        if authors:
            tolerance = AUTHORS_TOLERANCE
        elif len(spread) > 1:
            tolerance = 2 * float(np.std([number.value(view, threshold) for view in spread], ddof=1))
        else:
            tolerance = float("nan")
        verdict = "no trained networks to compare" if np.isnan(tolerance) else (
            "agrees" if abs(measured - number.paper) <= tolerance + 1e-9 else "differs")
        rows.append({"figure": number.figure, "claim": _claim_text(number.claim, views["clean"].chosen, threshold),
                     "paper": f"{number.paper:g}", **{name: f"{value + 0.0:.2f}" for name, value in values.items()},
                     "tolerance": f"± {tolerance:.2f}", "verdict": verdict})
    return rows


def _interval(value: float, low: float, high: float) -> str:
    return f"{value:.3f}" + ("" if np.isnan(low) else f" [{low:.3f}, {high:.3f}]")


def _holds(low: float, high: float, value: float, sign: int) -> str:
    """A claim that `value` has `sign`: holds when its 95 % interval excludes 0 on that side."""
    if np.isnan(low):
        return "holds (no interval)" if value * sign > 0 else "does not hold"
    if min(low * sign, high * sign) > 0:
        return "holds"
    return "not significant" if value * sign > 0 else "does not hold"


def _claim_rows(runs: dict[str, Outcomes], chosen: dict[str, Featured], evaluation: str, correlations: pd.DataFrame,
                per_network: pd.DataFrame, selectivity: pd.DataFrame, focus: str, resamples: int, seed: int) -> list[dict]:
    rows = []

    def row(figure: str, claim: str, paper: str, values: dict[str, str], verdict: str) -> None:
        other = next(name for name in EVALUATIONS if name != evaluation)
        values = {other: f"(run with analysis.evaluation: {other})", **values}
        rows.append({"figure": figure, "claim": claim, "paper": paper, **{name: values[name] for name in EVALUATIONS},
                     "tolerance": "95 % interval", "verdict": verdict})

    # Fig. A.3: the share of a class lost only after the pair (both singles keep those items right).
    pair, name = chosen["figA3_pair_of_fig03_and_fig04"].units, chosen["figA3_pair_of_fig03_and_fig04"].class_name
    shares = {}
    for run_name, run in runs.items():
        only = run.pair_only_wrong(0, Ablation.parse("hidden1", pair))
        shares[run_name] = 100 * float(only[run.labels == int(name)].mean())
    rows.append({"figure": "Fig. A.3", "claim": f"share of class {name} wrong only after pair {pair} [%]",
                 "paper": "> 50 (class 6)", **{k: f"{v:.2f}" for k, v in shares.items()}, "tolerance": "threshold",
                 "verdict": "holds" if shares["as_published"] > 50 else "does not hold"})
    # Fig. 9: the p-value of the weight change against the drop, negative in the featured and the other networks.
    pooled = correlations[(correlations.layer == "hidden1") & (correlations.measure == "p")]
    for scope, part in pooled.groupby("scope", sort=False):
        for result in part.itertuples():
            side = "left" if scope == f"network {focus}" else "right"
            row(f"Fig. 9 ({side})", f"{result.method.capitalize()} of MWU p-value vs drop, {scope}", "negative",
                {evaluation: _interval(result.coefficient, result.ci_low, result.ci_high)},
                _holds(result.ci_low, result.ci_high, result.coefficient, -1))
    # Fig. 10: per-network Pearson coefficients of the other networks that support the trend (negative).
    others = per_network[(per_network.layer == "hidden1") & (per_network.measure == "p") & (per_network.network != focus)]
    if len(others):
        supporting, total = int((others.pearson < 0).sum()), len(others)
        row("Fig. 10", "per-network Pearson coefficients that support the trend (< 0)", "all but two (18 of 20)",
            {evaluation: f"{supporting} of {total}"}, "holds" if supporting / total >= 18 / 20 else "does not hold")
    # Fig. 11: classes 1 and 4 more selective than class 2 (mean over the other networks of the difference).
    layer = selectivity[(selectivity.layer == "hidden1") & (selectivity.network != focus)]
    by_class = layer.pivot(index="network", columns="class", values="selectivity")
    for selective in ("1", "4"):
        if len(by_class):
            difference = (by_class[selective] - by_class["2"]).to_numpy()
            value, low, high = statistics.mean_interval(difference, resamples, seed)
            row("Fig. 11", f"selectivity of class {selective} minus class 2 [%p], mean over {len(difference)} networks",
                "> 0", {evaluation: _interval(value, low, high)}, _holds(low, high, value, 1))
    return rows


def compare(table: pd.DataFrame, runs: dict[str, Outcomes], chosen: dict[str, Featured], evaluation: str, focus: str,
            trained: list[str], authors: bool, negligible_drop: float, correlations: pd.DataFrame,
            per_network: pd.DataFrame, selectivity: pd.DataFrame, resamples: int, seed: int, data: str) -> pd.DataFrame:
    """The paper-comparison table; `runs` holds the featured network's outcomes under each evaluation."""
    views = {name: NetworkView.of(accuracy_table(run), focus, chosen) for name, run in runs.items()}
    table_drops = drops(table)
    spread = [NetworkView.of(table, network, {f.figure: f for f in roles.featured(table_drops, network, "roles",
                                                                                   negligible_drop)})
              for network in trained]
    rows = _number_rows(views, spread, authors, negligible_drop)
    rows += _claim_rows(runs, chosen, evaluation, correlations, per_network, selectivity, focus, resamples, seed)
    rows.append({"figure": "all", "claim": "data", "paper": "MNIST, 60,000 train / 10,000 test", "clean": data,
                 "as_published": data, "tolerance": "", "verdict": ""})
    return pd.DataFrame(rows)
