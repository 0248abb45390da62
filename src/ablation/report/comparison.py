"""Every number and checkable claim the paper states about its two studies, beside this run's: one row each.

Columns: figure, claim, paper, value (the number this run's figures draw: for MNIST the featured network under the
run's evaluation), measured_as (that evaluation, or the VGG semantics), other (the same under the other evaluation
or semantics, where this run has it), tolerance (how the verdict was decided), verdict.

A verdict compares like with like, or says "not comparable here" and why:
- A number the paper states is compared as the paper measured it: `as_published` for ablations (their test images
  were binarised, `unit_ablation.binarised`), the original digits for the intact network and for counting negligible
  units (`Number.measured`).
- On the authors' own network (recognised by its SHA-256) it must come out exactly, to the paper's two decimals.
- On any other network, the paper's unit is not this run's unit: the paper's number is placed in the distribution of
  the same role (`roles`, chosen on the same evaluation) over this run's networks. It agrees when it lies within
  their range and the featured network's value has the paper's sign; the tolerance column gives the range, N and
  the paper's percentile.
- Signs and thresholds are claims and are tested as claims: a value of the other sign never agrees.
- Intact accuracies are not comparable on data other than MNIST's 60,000 / 10,000 digits; a role no network (or
  only one) of this run has gives no distribution; where the paper places a unit's newly wrong digits on its t-SNE
  map is judged only for that unit of the authors' network on the authors' map.
Claims without a number get their measured value and interval, and whether they hold.

The report shows the table as a page (`page`): rows grouped by figure in the paper's order, verdicts marked.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from ablation.core import html_table
from ablation.core.data_source import AUTHORS
from ablation.core.tables import INTACT, hits
from ablation.mnist import roles, statistics
from ablation.mnist.outcomes import EVALUATIONS, Ablation, Outcomes, accuracy_table, drops
from ablation.mnist.roles import Featured
from ablation.vgg import statistics as vs
from ablation.vgg.metric import LABELS

CLASSES = [str(c) for c in range(10)]
PAPER_DECIMALS = 2  # the paper states its numbers to the hundredth
NOT_COMPARABLE = "not comparable here"


@dataclass(frozen=True)
class NetworkView:
    """One network's first-layer ablations under one evaluation: accuracy by (units, class), and the units and class
    each figure shows (`figure -> (units, class)`; None where the network has no such role)."""
    accuracy: dict[tuple[str, str], float]
    chosen: dict[str, tuple[str, str] | None]
    intervals: dict[tuple[str, str], tuple[float, float]] | None = None  # (units, class) -> the drop's 95 % interval

    @classmethod
    def of(cls, table: pd.DataFrame, network: str, chosen: dict[str, tuple[str, str] | None],
           intervals: pd.DataFrame | None = None) -> NetworkView:
        """`intervals`: `statistics.drop_intervals` of the run, for the drops' paired intervals over the digits."""
        part = table[(table.network == network) & table.layer.isin([INTACT, "hidden1"])]
        paired = None
        if intervals is not None:
            own = intervals[(intervals.network == network) & (intervals.layer == "hidden1")]
            paired = dict(zip(zip(own.units, own["class"]), zip(own.ci_low, own.ci_high)))
        return cls(dict(zip(zip(part.units, part["class"]), part.accuracy)), chosen, paired)

    def drop_interval(self, figure: str, gain: bool = False) -> tuple[float, float] | None:
        """The paired 95 % interval of the figure's unit drop (overall) or class gain; None without one."""
        chosen = self.chosen[figure]
        if chosen is None or self.intervals is None:
            return None
        low, high = self.intervals[(chosen[0], chosen[1] if gain else "all")]
        return (-high, -low) if gain else (low, high)

    def drop(self, units: str, class_name: str = "all") -> float:
        return self.accuracy[(INTACT, class_name)] - self.accuracy[(units, class_name)]

    def unit_drop(self, figure: str) -> float | None:
        chosen = self.chosen[figure]
        return None if chosen is None else self.drop(chosen[0])

    def class_gain(self, figure: str) -> float | None:
        chosen = self.chosen[figure]
        return None if chosen is None else -self.drop(*chosen)

    def single_gain(self, larger: bool) -> float | None:
        """The larger or smaller gain of the Fig. 13 pair's two units alone on the pair's class (Fig. A.4)."""
        chosen = self.chosen["figA4_singles_of_fig13"]
        if chosen is None:
            return None
        gains = sorted(-self.drop(unit, chosen[1]) for unit in chosen[0].split("+"))
        return gains[-1] if larger else gains[0]

    def negligible(self, threshold: float) -> int:
        return sum(abs(self.drop(str(unit))) <= threshold + 1e-9 for unit in range(1, 21))


@dataclass(frozen=True)
class Number:
    figure: str
    claim: str  # with {figure id} for the featured units
    paper: float
    value: Callable[[NetworkView, float], float | None]  # (view, negligible threshold) -> value; None: no such role
    measured: str = "as_published"  # the evaluation that measures it as the paper did
    about_data: bool = False  # depends on the training and test data themselves (the intact network)
    decimals: int = 2
    interval: Callable[[NetworkView], tuple[float, float] | None] | None = None  # the value's paired interval


def _unit_drop(figure: str, paper: float, figure_id: str) -> Number:
    """The overall drop of the unit `figure_id` shows, with its paired interval."""
    return Number(figure, f"overall drop [%p], unit {{{figure_id}}}", paper, lambda v, t: v.unit_drop(figure_id),
                  interval=lambda v: v.drop_interval(figure_id))


def _class_gain(figure: str, claim: str, paper: float, figure_id: str) -> Number:
    """The class gain `figure_id` shows, with its paired interval."""
    return Number(figure, claim, paper, lambda v, t: v.class_gain(figure_id),
                  interval=lambda v: v.drop_interval(figure_id, gain=True))


NUMBERS = [
    Number("Fig. 2", "intact test accuracy [%]", 94.64, lambda v, t: v.accuracy[(INTACT, "all")], "clean", True),
    Number("Fig. 2", "lowest class accuracy [%] (paper: digit 8)", 91.38,
           lambda v, t: min(v.accuracy[(INTACT, c)] for c in CLASSES), "clean", True),
    Number("Fig. 2", "highest class accuracy [%] (paper: digit 1)", 98.41,
           lambda v, t: max(v.accuracy[(INTACT, c)] for c in CLASSES), "clean", True),
    *(_unit_drop(figure, paper, figure_id) for figure, figure_id, paper in (
        ("Fig. 3", "fig03_largest_drop", 44.54), ("Fig. 4", "fig04_class_selective", 11.61),
        ("Fig. 5", "fig05_negligible", 1.44), ("Fig. 6", "fig06_subset_selective", 14.61),
        ("Fig. 7", "fig07_largest_class_gain", 25.35))),
    _class_gain("Fig. 7", "gain on class {fig07_largest_class_gain.class} [%p], unit {fig07_largest_class_gain}", 5.72,
                "fig07_largest_class_gain"),
    _class_gain("Fig. 13", "gain of the positive-synergy pair {fig13_positive_synergy_pair} on class "
                "{fig13_positive_synergy_pair.class} [%p]", 5.16, "fig13_positive_synergy_pair"),
    Number("Fig. A.4", "larger gain of its units alone [%p]", 3.14, lambda v, t: v.single_gain(larger=True)),
    Number("Fig. A.4", "smaller gain of its units alone [%p]", 0.45, lambda v, t: v.single_gain(larger=False)),
    # The paper calls units negligible that its binarised test set shows at ~1.44 %p; on the clean images they
    # move accuracy by 0.00-0.02 %p: the count is taken where it is meaningful.
    Number("Figs. 5, A.2", "units of 20 whose ablation moves accuracy by at most {threshold} %p", 4,
           lambda v, t: v.negligible(t), "clean", decimals=0),
]
SYNERGY_FIGURES = ("fig13_positive_synergy_pair", "figA4_singles_of_fig13")


def by_role(table_drops: pd.DataFrame, network: str) -> dict[str, tuple[str, str] | None]:
    """What each number's figure shows in `network` when chosen by role on these drops (the comparison's spread)."""
    exact = roles.exact_drops(table_drops, network, "hidden1")
    units = roles.unit_roles(table_drops, network)
    chosen: dict[str, tuple[str, str] | None] = {figure: (units[role], "all")
                                                 for figure, role in roles.SINGLE_FIGURES.items()}
    gained = min(CLASSES, key=lambda c: (exact[units["largest_class_gain"]][c], int(c)))
    chosen["fig07_largest_class_gain"] = (units["largest_class_gain"], gained)
    synergy = roles.positive_synergy(exact)
    chosen.update({figure: synergy for figure in SYNERGY_FIGURES})
    return chosen


def _claim_text(template: str, chosen: dict[str, Featured], threshold: float) -> str:
    fields = {figure: f.units for figure, f in chosen.items()}
    fields.update({f"{figure}.class": f.class_name for figure, f in chosen.items()})
    fields["threshold"] = f"{threshold:g}"
    for key, value in sorted(fields.items(), key=lambda item: -len(item[0])):
        template = template.replace("{" + key + "}", value)
    return template


def _other(evaluation: str) -> str:
    """The MNIST evaluation that is not `evaluation`: a row's `other` column."""
    return next(name for name in EVALUATIONS if name != evaluation)


def _same_sign(value: float, paper: float) -> bool:
    return paper == 0 or np.sign(value) == np.sign(paper)


def exact_verdict(value: float, paper: float, measured: str) -> tuple[str, str]:
    """(verdict, how): the value rounded to the paper's decimals must be the paper's number."""
    agrees = round(value, PAPER_DECIMALS) == round(paper, PAPER_DECIMALS)
    how = f"exact to the paper's {PAPER_DECIMALS} decimals, {measured} ({value:.2f}; the authors' network)"
    return ("agrees" if agrees else "differs"), how


def spread_verdict(value: float | None, paper: float, spread: list[float], measured: str,
                   resamples: int, seed: int) -> tuple[str, str]:
    """(verdict, how): where the paper's number falls among this run's networks (the same role, measured alike);
    with `resamples`, the role's mean over the networks with its 95 % bootstrap interval."""
    from scipy.stats import percentileofscore  # here: the report's other steps import this module and skip scipy

    if len(spread) < 2:
        return f"{NOT_COMPARABLE}: {len(spread)} network(s) with this role, no distribution", ""
    low, high = min(spread), max(spread)
    how = (f"range of the role over {len(spread)} networks ({measured}): [{low:.2f}, {high:.2f}]; the paper at "
           f"percentile {percentileofscore(spread, paper, kind='mean'):.0f}")
    if resamples:
        mean, mean_low, mean_high = statistics.mean_interval(np.asarray(spread), resamples, seed)
        how += f"; the role's mean {_interval(mean, mean_low, mean_high, 2)} (95 % bootstrap over the networks)"
    if value is not None and not _same_sign(value, paper):
        return "differs (other sign)", how
    return ("agrees" if low <= paper <= high else "differs"), how


def _number_rows(views: dict[str, NetworkView], spreads: dict[str, list[NetworkView]], evaluation: str,
                 authors: bool, threshold: float, chosen: dict[str, Featured], with_synergy: str,
                 data: str, full_mnist: bool, resamples: int, seed: int) -> list[dict]:
    rows = []
    other = _other(evaluation)
    for number in NUMBERS:
        values = {name: number.value(view, threshold) for name, view in views.items()}
        claim = _claim_text(number.claim, chosen, threshold)
        shown, measured = values[evaluation], values[number.measured]
        if number.about_data and not full_mnist:
            verdict, how = f"{NOT_COMPARABLE}: trained and tested on {data}, not MNIST's 60,000 / 10,000 digits", ""
        elif measured is None:
            spread = [v for v in (number.value(view, threshold) for view in spreads[number.measured]) if v is not None]
            verdict, how = spread_verdict(None, number.paper, spread, number.measured, resamples, seed)
        elif authors:
            verdict, how = exact_verdict(measured, number.paper, number.measured)
        else:
            spread = [v for v in (number.value(view, threshold) for view in spreads[number.measured]) if v is not None]
            verdict, how = spread_verdict(measured, number.paper, spread, number.measured, resamples, seed)
        interval = number.interval(views[evaluation]) if number.interval and shown is not None else None
        if interval is not None:
            paired = (f"this run's value: 95 % paired interval over the test digits [{interval[0]:.2f}, "
                      f"{interval[1]:.2f}]")
            how = f"{how}; {paired}" if how else paired
        if number.figure in ("Fig. 13", "Fig. A.4"):
            how = f"{how}; {with_synergy}" if how else with_synergy
        rows.append(_row(number.figure, claim, f"{number.paper:g}", _number(shown, number.decimals), evaluation,
                         f"{other}: {_number(values[other], number.decimals)}", how, verdict))
    return rows


def _number(value: float | None, decimals: int) -> str:
    return "none" if value is None else f"{value + 0.0:.{decimals}f}"


def _row(figure: str, claim: str, paper: str, value: str, measured_as: str, other: str, tolerance: str,
         verdict: str) -> dict[str, str]:
    return {"figure": figure, "claim": claim, "paper": paper, "value": value, "measured_as": measured_as,
            "other": other, "tolerance": tolerance, "verdict": verdict}


def _interval(value: float, low: float, high: float, decimals: int = 3) -> str:
    return f"{value:.{decimals}f}" + ("" if np.isnan(low) else f" [{low:.{decimals}f}, {high:.{decimals}f}]")


def _holds(low: float, high: float, value: float, sign: int) -> str:
    """A claim that `value` has `sign`: holds when its 95 % interval excludes 0 on that side."""
    if np.isnan(low):
        return "holds (no interval)" if value * sign > 0 else "does not hold"
    if min(low * sign, high * sign) > 0:
        return "holds"
    return "not significant" if value * sign > 0 else "does not hold"


def _pair_only_row(runs: dict[str, Outcomes], chosen: dict[str, Featured], evaluation: str, focus: str,
                   authors: bool) -> dict[str, str]:
    """Fig. A.3: the share of a class lost only after the pair of Figs. 3 and 4 (both singles keep those items
    right), the class with the largest such share; the paper: more than 50 % of class 6, as published."""
    featured = chosen["figA3_pair_of_fig03_and_fig04"]
    shares = {name: float(roles.pair_only_shares(run, focus, featured.units)[featured.class_name])
              for name, run in runs.items()}
    # The same role in every network, measured as the paper did: the Figs. 3 + 4 pair's largest share.
    paper_run = runs["as_published"]
    paper_drops = drops(accuracy_table(paper_run))
    largest = []
    for network in paper_run.networks:
        units = roles.unit_roles(paper_drops, network)
        pair = "+".join(sorted((units["largest_drop"], units["class_selective"]), key=int))
        largest.append(float(max(roles.pair_only_shares(paper_run, network, pair).values())))
    over = sum(share > 50 for share in largest)
    other = _other(evaluation)
    how = (f"threshold 50 %, as_published ({shares['as_published']:.2f}); the largest share exceeds it in {over} "
           f"of {len(largest)} networks")
    if not authors:
        how += " (roles chosen as published)"
    return _row("Fig. A.3", f"share of class {featured.class_name} wrong only after pair {featured.units} [%]",
                "> 50 (class 6)", f"{shares[evaluation]:.2f}", evaluation,
                f"{other}: {shares[other]:.2f}", how, "holds" if shares["as_published"] > 50 else "does not hold")


# Where the paper says the newly wrong digits of a unit of its network lie on its t-SNE map: figure, the part of the
# map's range, the paper's words, its unit.
PAPER_PLACES = {
    "fig03_largest_drop": ("Fig. 3", "upper half", "the majority in the upper part", "12"),
    "figA1_second_many_classes": ("Fig. A.1", "lower right quarter", "most in the bottom right part", "16"),
}


def _place_rows(runs: dict[str, Outcomes], chosen: dict[str, Featured], evaluation: str, focus: str, authors: bool,
                positions: pd.DataFrame) -> list[dict[str, str]]:
    """Figs. 3 and A.1: the share of the featured unit's newly wrong digits in the part of the t-SNE map the paper
    names (halves of the map's range). A place belongs to one unit on one map: judged, as published, for the paper's
    unit of the authors' network on the authors' map only."""
    rows = []
    authors_map = set(positions["map"]) == {AUTHORS}
    coordinates = positions[["x", "y"]].to_numpy()
    middle_x, middle_y = (coordinates.min(0) + coordinates.max(0)) / 2
    x, y = coordinates[:, 0], coordinates[:, 1]
    parts = {"upper half": y > middle_y, "lower right quarter": (x > middle_x) & (y < middle_y)}
    other = _other(evaluation)
    for figure_id, (figure, part, words, paper_unit) in PAPER_PLACES.items():
        units = chosen[figure_id].units
        claim = f"unit {units}: share of its newly wrong digits in the {part} of the t-SNE map [%]"
        paper = f"{words} (unit {paper_unit})"
        unjudged = ("the map is computed in this run; the paper's places are on the authors' map "
                    "(mnist.analysis.tsne_map)" if not authors_map else
                    f"the paper's place is that of unit {paper_unit} of the authors' network (config/authors.yaml)"
                    if not authors or units != paper_unit else None)
        if unjudged:
            rows.append(_row(figure, claim, paper, "", evaluation, "", unjudged, NOT_COMPARABLE))
            continue
        shares = {}
        for name, run in runs.items():
            wrong = run.newly_wrong(run.networks.index(focus), Ablation.parse("hidden1", units))
            shares[name] = (100 * float(parts[part][wrong].mean()), int(wrong.sum()))
        decided = shares["as_published"][0]
        rows.append(_row(figure, claim, paper, "{:.2f} of {}".format(*shares[evaluation]), evaluation,
                         "{}: {:.2f} of {}".format(other, *shares[other]),
                         f"threshold 50 %, as_published ({decided:.2f}), on the authors' t-SNE map",
                         "holds" if decided > 50 else "does not hold"))
    return rows


def _pair_test_row(pair_tests: pd.DataFrame, chosen: dict[str, Featured], evaluation: str, focus: str,
                   alpha: float) -> dict[str, str]:
    """Fig. 12: the featured pair's effect beyond its singles, by the exact pair test (`statistics.pair_tests`), and
    which networks have a significant super-additive pair."""
    pair = chosen["fig12_super_additive_pair"].units
    first = pair_tests[pair_tests.layer == "hidden1"]
    own = first[first.network == focus].set_index("units")
    tested = own.loc[pair]
    having = [str(n) for n, part in first.groupby("network", sort=False) if part.super_additive.any()]
    value = (f"pair {pair}: {int(tested.lost_only_after_pair)} digits lost only after the pair, "
             f"{int(tested.gained_only_after_pair)} gained only after it, q = {tested.q:.2g}; "
             f"{int(own.super_additive.sum())} of {len(own)} pairs of {focus} super-additive")
    other = (f"networks with a super-additive pair: {len(having)} of {first.network.nunique()}"
             + (f" ({', '.join(having)})" if having else ""))
    how = ("exact one-sided binomial test of the digits lost only after the pair (the intact network and each "
           f"single right) against those gained only after it, BH over the network's pairs, q < {alpha:g}")
    return _row("Fig. 12", f"pair {pair} has an effect beyond the sum of its singles", "yes (units 4 and 16)",
                value, evaluation, other, how, "holds" if bool(tested.super_additive) else "does not hold")


def _claim_rows(evaluation: str, correlations: pd.DataFrame, per_network: pd.DataFrame, selectivity: pd.DataFrame,
                focus: str, resamples: int, seed: int) -> list[dict]:
    rows = []

    def row(figure: str, claim: str, paper: str, value: str, verdict: str, how: str = "95 % interval") -> None:
        other = _other(evaluation)
        rows.append(_row(figure, claim, paper, value, evaluation,
                         f"{other}: run with mnist.analysis.evaluation: {other}", how, verdict))

    # Fig. 9: the p-value of the weight change against the drop, negative in the featured and the other networks.
    pooled = correlations[(correlations.layer == "hidden1") & (correlations.measure == "p")]
    for scope, part in pooled.groupby("scope", sort=False):
        for result in part.itertuples():
            side = "left" if scope == f"network {focus}" else "right"
            row(f"Fig. 9 ({side})", f"{result.method.capitalize()} of MWU p-value vs drop, {scope}", "negative",
                _interval(result.coefficient, result.ci_low, result.ci_high),
                _holds(result.ci_low, result.ci_high, result.coefficient, -1))
    # Fig. 10: per-network Pearson coefficients of the other networks that support the trend (negative).
    others = per_network[(per_network.layer == "hidden1") & (per_network.measure == "p")
                         & (per_network.network != focus)]
    if len(others):
        supporting, total = int((others.pearson < 0).sum()), len(others)
        row("Fig. 10", "per-network Pearson coefficients that support the trend (< 0)", "all but two (18 of 20)",
            f"{supporting} of {total}", "holds" if supporting / total >= 18 / 20 else "does not hold",
            "share >= 18 / 20")
    # Fig. 11: classes 1 and 4 more selective than class 2 (mean over the other networks of the difference).
    layer = selectivity[(selectivity.layer == "hidden1") & (selectivity.network != focus)]
    by_class = layer.pivot(index="network", columns="class", values="selectivity")
    for selective in ("1", "4"):
        if len(by_class):
            difference = (by_class[selective] - by_class["2"]).to_numpy()
            value, low, high = statistics.mean_interval(difference, resamples, seed)
            row("Fig. 11", f"selectivity of class {selective} minus class 2 [%p], mean over {len(difference)} networks",
                "> 0", _interval(value, low, high), _holds(low, high, value, 1))
    return rows


def compare(runs: dict[str, Outcomes], chosen: dict[str, Featured], evaluation: str, focus: str, authors: bool,
            negligible_drop: float, correlations: pd.DataFrame, per_network: pd.DataFrame, selectivity: pd.DataFrame,
            resamples: int, seed: int, data: str, full_mnist: bool, pair_tests: pd.DataFrame,
            alpha: float, positions: pd.DataFrame) -> pd.DataFrame:
    """The paper-comparison table; `runs` holds every network's outcomes under each evaluation, `chosen` what the
    figures show (`roles.featured`), `authors` whether the featured network is the authors' own, `full_mnist`
    whether the data are MNIST's 60,000 / 10,000 digits, `positions` the t-SNE map (`steps.mnist_tsne`)."""
    tables = {name: accuracy_table(run) for name, run in runs.items()}
    shown: dict[str, tuple[str, str] | None] = {figure: (f.units, f.class_name) for figure, f in chosen.items()}
    synergy = chosen["fig13_positive_synergy_pair"]
    if synergy.rule.startswith(roles.NO_SYNERGY):  # the figure shows the closest pair, not a synergy
        shown.update({figure: None for figure in SYNERGY_FIGURES})
    views = {name: NetworkView.of(table, focus, shown, statistics.drop_intervals(run.of_networks([focus])))
             for (name, table), run in zip(tables.items(), runs.values())}
    spreads = {}
    for name, table in tables.items():
        table_drops = drops(table)
        spreads[name] = [NetworkView.of(table, network, by_role(table_drops, network))
                         for network in runs[name].networks]
    paper_drops = drops(tables["as_published"])
    have = roles.networks_with_synergy(paper_drops)
    with_synergy = (f"{len(have)} of {len(runs['as_published'].networks)} networks have a positive synergy "
                    "(as_published)")
    rows = _number_rows(views, spreads, evaluation, authors, negligible_drop, chosen, with_synergy, data, full_mnist,
                        resamples, seed)
    rows.append(_pair_test_row(pair_tests, chosen, evaluation, focus, alpha))
    rows.append(_pair_only_row(runs, chosen, evaluation, focus, authors))
    rows += _place_rows(runs, chosen, evaluation, focus, authors, positions)
    rows += _claim_rows(evaluation, correlations, per_network, selectivity, focus, resamples, seed)
    rows.append(_row("Figs. 1-13", "MNIST data", "MNIST, 60,000 train / 10,000 test", data, "", "", "", ""))
    return pd.DataFrame(rows)


PAPER_LAYERS = ["features.33", "features.46"]
PAPER_CLASSES = 1000  # ImageNet's: the paper's layers are those of its vgg19_bn on these classes
RECOVERY_BOUND = 1.0  # %p: the paper's gap after recovery training, "less than 1 %p" (experiment 2: "as before")
PAPER_ITERATIONS, PAPER_RATIO, PAPER_SHARE, SHARE_TOLERANCE = 6, 0.25, 0.8, 0.1  # experiment 2: "about 80 %"
NO_NUMBER = "none: the paper states no number"
NOT_JUDGED = "not judged"


def vgg_rows(table: pd.DataFrame, changes: pd.DataFrame, recovery: dict[int, pd.DataFrame],
             recovery_gaps: pd.DataFrame, null: pd.DataFrame, data: str, semantics: str) -> pd.DataFrame:
    """The paper's VGG claims (section 4.3) beside this run's: `table` the sweep (all semantics), `changes`
    `vgg_statistics.class_changes` (on the leading metric, which its `metric` column names), `recovery` experiment ->
    its table (the experiments run) and `recovery_gaps` their gaps with intervals (`statistics.recovery_gaps`),
    `null` the groups against random ones (`ablation.vgg.nulls`), `semantics` the study's choice
    (`ablation.vgg.choices`), the paper's figures'. Everything is on the leading metric: top-5 on ImageNet as in
    the paper."""
    parts = (cast(dict[str, pd.DataFrame], dict(vs.by_semantics(table))) if "semantics" in table.columns
             else {semantics: table})
    first, others = semantics, [name for name in parts if name != semantics]
    metric = str(changes.metric.iloc[0])
    label = LABELS[metric]
    classes = int(table.loc[table["class"] != vs.ALL, "class"].nunique())
    picks = {name: vs.most_important_layers(table, metric, name) for name in parts}
    layers_verdict = (("agrees" if picks[first] == PAPER_LAYERS else "differs") if classes == PAPER_CLASSES else
                      f"{NOT_COMPARABLE}: the paper's layers are those of its ImageNet vgg19_bn ({PAPER_CLASSES} "
                      f"classes); this network classifies {classes}")
    rows = [_row("Figs. 14, 15", f"the two most important layers ({label}, similarity groups, largest ratio)",
                 ", ".join(PAPER_LAYERS), ", ".join(picks[first]), first,
                 "; ".join(f"{name}: {', '.join(picks[name])}" for name in others), "the same two layers",
                 layers_verdict)]
    if others:
        same = all(picks[name] == picks[first] for name in others)
        rows.append(_row("extra", f"the semantics change the layer ranking's top two ({label}; the recovery layers)",
                         "not examined (the paper calls literal zeroing equivalent to a zero activation)",
                         "no" if same else "yes", " vs ".join([first, *others]), "", "the same two layers",
                         "the same" if same else "they differ"))
    rows.append(_class_gain_row(parts[first], changes[changes.semantics == first], first, metric))
    means = vs.group_means(parts[first])
    spread = means[(means["class"] != vs.ALL) & (means.grouping == "similarity") & (means.ratio == means.ratio.max())]
    sd = spread.groupby("layer")[f"{metric}_drop_mean"].std(ddof=vs.DDOF)
    rows.append(_row("Figs. 16, 17", f"sd across classes of the class {label} drop, per layer (largest ratio) [%p]",
                     "drops differ greatly by class", f"{sd.min():.2f} to {sd.max():.2f}", first, "", NO_NUMBER,
                     NOT_JUDGED))
    rows.append(_null_row(null, first, [name for name in others if name in set(null.semantics)]))
    if 1 in recovery:
        rows += _recovery1_rows(recovery[1], recovery_gaps, first, metric)
    if 2 in recovery:
        rows += _recovery2_rows(recovery[2], recovery_gaps, first, metric)
    rows.append(_row("Figs. 14-22", "VGG data", "ImageNet validation, 50 images per class", data, "", "", "", ""))
    return pd.DataFrame(rows)


def _null_row(null: pd.DataFrame, semantics: str, others: list[str]) -> dict[str, str]:
    """The paper's side note (section 4.3): groups of similar filters may harm more than random ones. Each similarity
    group against random groups of its size in its layer (`ablation.vgg.nulls`); holds where one or more is more
    harmful at q < alpha, decidable only where the test is one-sided on that side and its draws can reach it."""
    def counted(name: str) -> str:
        part = null[(null.semantics == name) & (null.grouping == "similarity")]
        return f"{int(part.significant.sum())} of {len(part)} similarity groups"

    tested = null[null.semantics == semantics]
    alternative, alpha = str(tested.alternative.iloc[0]), float(tested.alpha.iloc[0])
    smallest_p = (1 if alternative == "greater" else 2) / (1 + int(tested.draws.max()))
    how = (f"each group's empirical p against random groups of its size in its layer ({alternative}, Besag-Clifford "
           f"sequential stopping, {int(tested.draws.min())} to {int(tested.draws.max())} random groups), BH over the "
           f"semantics' {len(tested)} similarity and L1 groups; holds with one or more at q < {alpha:g}")
    similarity = tested[tested.grouping == "similarity"]
    if alternative != "greater":
        verdict = f"{NOT_COMPARABLE}: the null was tested {alternative}; the claim is 'more harmful' (greater)"
    elif smallest_p >= alpha:
        verdict = (f"{NOT_COMPARABLE}: with at most {int(tested.draws.max())} random groups the smallest p-value is "
                   f"{smallest_p:.3g}, and BH's q is never below it (vgg.ablation.null_groups.max_random_groups)")
    else:
        verdict = "holds" if similarity.significant.any() else "does not hold"
    label = LABELS[str(tested.metric.iloc[0])]
    return _row("Figs. 19-22", f"similarity groups are more harmful than random groups of the same size ({label})",
                "suggested (recovery's random ablations cost less than the sweep's similarity groups)",
                counted(semantics) + f" at q < {alpha:g}", semantics,
                "; ".join(f"{name}: {counted(name)}" for name in others), how, verdict)


def _class_gain_row(sweep: pd.DataFrame, changes: pd.DataFrame, semantics: str, metric: str) -> dict[str, str]:
    """Some classes improve (Figs. 16, 17): a significant McNemar gain at the largest ratio; not comparable where no
    test there could show one (`gain_testable`: too few images the intact network misses per class)."""

    at_largest = changes[changes.ratio == changes.ratio.max()]
    improving = at_largest[at_largest.significant_gain]
    testable = int(at_largest.gain_testable.sum())
    intact = sweep[(sweep.layer == INTACT) & (sweep["class"] != vs.ALL)]
    missed = intact.images - hits(intact[metric], intact.images)
    if testable == 0:
        verdict = (f"{NOT_COMPARABLE}: no class test can reach q < alpha; the intact network misses at most "
                   f"{int(missed.max())} of a class's {int(intact.images.min())}-{int(intact.images.max())} images "
                   f"({LABELS[metric]}), and a class gaining all of them while losing none stays at q >= alpha")
    else:
        verdict = "holds" if len(improving) else "does not hold"
    return _row("Figs. 16, 17", f"classes whose {LABELS[metric]} rises significantly after an ablation (largest "
                "ratio, McNemar, FDR)", "some classes improve",
                f"{improving['class'].nunique()} classes ({len(improving)} of {len(at_largest)} tests; {testable} "
                "could reach significance)", semantics, "", "McNemar, BH FDR q < alpha; holds with one class or more",
                verdict)


def _bound_how(over: str) -> str:
    return (f"95 % interval over {over} (results/vgg/statistics/recovery_gaps.csv): holds below "
            f"{RECOVERY_BOUND:g} %p, does not hold above it")


def _below_bound(gap: pd.Series) -> str:
    """The gap's interval against the paper's bound: wholly below, wholly above, or undecided."""
    if gap.ci_high < RECOVERY_BOUND:
        return "holds"
    if gap.ci_low > RECOVERY_BOUND:
        return "does not hold"
    return (f"{NOT_COMPARABLE}: the interval [{gap.ci_low:.2f}, {gap.ci_high:.2f}] contains the bound "
            f"{RECOVERY_BOUND:g} %p")


def _recovery1_rows(recovery: pd.DataFrame, gaps: pd.DataFrame, semantics: str, metric: str) -> list[dict[str, str]]:
    label = LABELS[metric]
    rows = []
    for layer, part in recovery.groupby("layer", sort=False):
        intact = float(part[part["pass"] == 0][metric].iloc[0])
        passes = part[part["pass"] > 0].sort_values(["pass", "epoch"])
        final = passes.groupby("pass")[metric].last()
        after = passes[passes.epoch == 0].set_index("pass")[metric]
        first_epoch = passes[passes.epoch == 1].set_index("pass")[metric]
        costs = intact - after
        trivial = _nothing_to_recover(costs, label)
        # Of what the retraining won back over all passes, the share won in the first epoch.
        recovered = float((final - after).sum())
        won = float((first_epoch - after).sum()) / recovered if recovered > 0 else float("nan")
        cost = (f"{label} lost to the ablation: {float(costs.mean()):.2f} %p on average, {float(costs.max()):.2f} at "
                "most")
        mean_gap = gaps[(gaps.experiment == 1) & (gaps.layer == layer) & (gaps.metric == metric)
                        & (gaps["pass"].astype(str) == "all")].iloc[0]
        rows.append(_row("Figs. 19, 20", f"{layer}: gap to the intact {label} after the last epoch, mean over passes "
                         "[%p]", f"< {RECOVERY_BOUND:g} %p", _interval(mean_gap.gap, mean_gap.ci_low,
                                                                        mean_gap.ci_high, 2),
                         semantics, cost, _bound_how(mean_gap.over), trivial or _below_bound(mean_gap)))
        rows.append(_row("Figs. 19, 20", f"{layer}: share of the recovery won in the first epoch, all passes",
                         "mostly the first epoch", "none" if np.isnan(won) else f"{100 * won:.0f} %", semantics, cost,
                         "threshold: > 50 %", trivial or (f"{NOT_COMPARABLE}: retraining won nothing back"
                                                          if np.isnan(won) else
                                                          "holds" if won > 0.5 else "does not hold")))
        rows.append(_row("Figs. 19, 20", f"{layer}: spread of {label} just after the ablation across passes [%p]",
                         "~30 %p for layer 46, close together for layer 33 (top-5)",
                         f"{float(after.max() - after.min()):.2f}", semantics, "", NO_NUMBER, NOT_JUDGED))
    return rows


def _recovery2_rows(recovery: pd.DataFrame, gaps: pd.DataFrame, semantics: str, metric: str) -> list[dict[str, str]]:
    label = LABELS[metric]
    rows = []
    for layer, part in recovery.groupby("layer", sort=False):
        intact = float(part[part["iteration"] == 0][metric].iloc[0])
        iterations = int(part["iteration"].max())
        iterated = part[part["iteration"] > 0].sort_values(["iteration", "epoch"])
        first = iterated.iloc[0]
        drawn = float(first.ablated_filters / first.layer_filters)  # the share each iteration draws
        last = iterated[iterated["iteration"] == iterations]
        share = float(last.ablated_filters.iloc[0] / last.layer_filters.iloc[0])
        expected = 1 - (1 - drawn) ** iterations  # drawn from all filters, already ablated ones included
        papers = iterations == PAPER_ITERATIONS and abs(drawn - PAPER_RATIO) < 1e-9
        rows.append(_row("Figs. 21, 22", f"{layer}: filters ablated after iteration {iterations}",
                         f"about {100 * PAPER_SHARE:g} % after {PAPER_ITERATIONS} iterations of "
                         f"{100 * PAPER_RATIO:g} %", f"{100 * share:.0f} %", semantics,
                         f"expected after {iterations} draws of {100 * drawn:g} %: 1 - (1 - {drawn:g})^{iterations} = "
                         f"{100 * expected:.0f} %", f"± {100 * SHARE_TOLERANCE:g} %p around {100 * PAPER_SHARE:g} %",
                         ("agrees" if abs(share - PAPER_SHARE) <= SHARE_TOLERANCE + 1e-9 else "differs") if papers
                         else f"{NOT_COMPARABLE}: {iterations} iterations drawing {100 * drawn:g} % each (the paper: "
                              f"{PAPER_ITERATIONS} of {100 * PAPER_RATIO:g} %)"))
        costs = intact - iterated[iterated.epoch == 0][metric]
        gap = gaps[(gaps.experiment == 2) & (gaps.layer == layer) & (gaps.metric == metric)
                   & (gaps["iteration"].astype(str) == str(iterations))].iloc[0]
        rows.append(_row("Figs. 21, 22", f"{layer}: gap to the intact {label} after the last iteration [%p]",
                         "recovers almost completely, as in experiment 1",
                         _interval(gap.gap, gap.ci_low, gap.ci_high, 2), semantics,
                         f"{label} below the intact network's just after an ablation: {float(costs.max()):.2f} %p at "
                         "most", f"{_bound_how(gap.over)} (experiment 1's bound)",
                         _nothing_to_recover(costs, label) or _below_bound(gap)))
    return rows


def _nothing_to_recover(costs: pd.Series, label: str) -> str:
    """'Not comparable' where no ablation took the bound's worth of accuracy: the gap stays under the bound with no
    recovery at all (a metric at its ceiling, or a layer the network does not need). '' where one did."""
    largest = float(costs.max())
    if largest >= RECOVERY_BOUND:
        return ""
    if largest <= 0:
        return f"{NOT_COMPARABLE}: no ablation lowered {label}, so there is nothing to recover"
    return (f"{NOT_COMPARABLE}: the ablations took at most {largest:.2f} %p of {label}, under the "
            f"{RECOVERY_BOUND:g} %p bound before any retraining")


# The report's page of the table (results/paper_comparison.html).
RANK_AGREEMENT = 0.5  # Spearman's rho above which two rankings agree strongly (Cohen's large effect)
SEMANTICS_FIGURES = {"mnist": ("Figs. 3-7, 12", "extra_mnist_semantics"),
                     "vgg": ("Figs. 14, 15", "extra_vgg_rankings_by_semantics")}


def semantics_rows(rankings: pd.DataFrame, study: str) -> list[dict[str, str]]:
    """One row per ranking the paper's conclusions rest on (`ablation.core.rankings`: MNIST's units and pairs, VGG's
    layers and groups at the largest ratio): does it hold under every other semantics? It holds where, under each,
    Spearman's rho against the first semantics has its 95 % interval above RANK_AGREEMENT, and does not where one
    interval lies below it."""
    if rankings.empty:
        return []
    if "ratio" in rankings:
        rankings = rankings[rankings.ratio == rankings.ratio.max()]
    figures, figure_id = SEMANTICS_FIGURES[study]
    reference = str(rankings.reference.iloc[0])
    rows = []
    for ranking, part in rankings.groupby("ranking", sort=False):
        where = f" at {100 * float(part.ratio.iloc[0]):g} % of a layer" if "ratio" in part else ""
        values = "; ".join(f"{row.semantics}: rho {_interval(row.spearman, row.spearman_low, row.spearman_high, 2)}"
                           f", top {int(row.top)} shared {_interval(row.overlap, row.overlap_low, row.overlap_high, 2)}"
                           for row in part.itertuples())
        lows, highs = part.spearman_low.to_numpy(float), part.spearman_high.to_numpy(float)
        over = "networks (mean)" if study == "mnist" else "groups"
        if np.isnan(lows).any():
            verdict = f"{NOT_COMPARABLE}: too few {over.split()[0]} for an interval"
        elif (lows > RANK_AGREEMENT).all():
            verdict = "holds"
        elif (highs < RANK_AGREEMENT).any():
            verdict = "does not hold"
        else:
            verdict = f"{NOT_COMPARABLE}: an interval contains {RANK_AGREEMENT:g}"
        how = (f"holds where under every semantics Spearman's rho with {reference} has its 95 % interval (over "
               f"{over}) above {RANK_AGREEMENT:g}, does not where one lies below")
        rows.append(_row(f"{figures} ({figure_id})",
                         f"which {ranking} matter most does not depend on what ablate means{where}",
                         f"not examined (the paper zeroes: {reference})", values,
                         " vs ".join([reference, *part.semantics]), "", how, verdict))
    return rows


PAGE_NOTES = (
    "Every number and checkable claim the paper states about both studies, beside this run's: one row each, under "
    "the figure it belongs to, in the paper's order (the MNIST study's Figs. 1-13 and A.1-A.4, then the VGG19-BN "
    "study's Figs. 14-22, then rows beyond the paper). The same table as CSV, the entry beside this one: "
    "<code>results/paper_comparison.csv</code>.",
    "Like is compared with like. A paper number is taken as the paper measured it: its ablation numbers on test digits "
    "its code had binarised (pixel &gt; 10 becomes 255, else 0; <code>as_published</code>), its intact accuracy and "
    "the count of negligible units on the original digits. On the authors' own network (recognised by its SHA-256) a "
    f"number must come out exactly, to the paper's {PAPER_DECIMALS} decimals. On any other network the paper's unit "
    "is not this run's unit: the paper's number agrees when it lies within the range of the same role over this "
    "run's networks and the featured network's value has the paper's sign. Thresholds and signs the paper states are "
    "tested as claims (with a 95 % bootstrap interval where it is a statistic): they hold, do not hold or are not "
    f"significant. A row this run's setting cannot decide says &ldquo;{NOT_COMPARABLE}&rdquo; and why.",
)
PAGE_COLUMNS = {  # in the page's order: the verdict beside the claim, where a narrow frame still shows it
    "claim": "what the paper states, about which unit, class or layer",
    "verdict": "what was decided",
    "paper": "the paper's number or claim",
    "value": "the number this run's figures draw (MNIST: the featured network under this run's evaluation; VGG: the "
             "first semantics swept, the paper's figures')",
    "measured_as": "that evaluation (<code>clean</code>, <code>as_published</code>) or semantics",
    "other": "the same under the other one, where this run has it",
    "tolerance": "how the verdict was decided (for a number: the range of the role over this run's networks, their "
                 "count and the paper's percentile, or exactness)",
}
PAGE_LEGEND = {html_table.AGREES: "agrees or holds", html_table.DIFFERS: "differs or does not hold",
               html_table.NOT_COMPARABLE: NOT_COMPARABLE,
               html_table.OPEN: f"not significant, {NOT_JUDGED} or beyond the paper"}


def verdict_kind(verdict: str) -> str | None:
    """What a verdict says, as the page marks it and the home page counts it: agrees (or holds), differs (or does not
    hold), not comparable here, or open (not significant, not judged, a finding beyond the paper such as "they
    differ"); None for a row without a verdict (a study's data)."""
    if not verdict:
        return None
    if verdict.startswith(("agrees", "holds")):
        return html_table.AGREES
    if verdict.startswith(("differs", "does not hold")):
        return html_table.DIFFERS
    if verdict.startswith(NOT_COMPARABLE):
        return html_table.NOT_COMPARABLE
    return html_table.OPEN


def figure_order(figure: str) -> tuple[int, int, int]:
    """A row's place on the page, by its first figure in the paper's order, the MNIST study's appendix after its
    Fig. 13 ("Fig. 9 (left)" 9, "Fig. A.3" after 13); of one first figure, a range over a study ("Figs. 14-22", its
    data row) first, then the figure alone, then a list ("Figs. 14, 15"); rows of no figure ("extra") last."""
    numbers = re.findall(r"(A\.)?(\d+)", figure)
    if not numbers:
        return (1_000, 0, 0)
    appendix, number = numbers[0]
    place = (13, int(number)) if appendix else (int(number), 0)
    return (*place, 0 if re.search(r"\d\s*[-\u2013]\s*\d", figure) else 1 if len(numbers) == 1 else 2)


def page(table: pd.DataFrame) -> str:
    """The comparison table (as text) as the report's page: rows grouped by figure (`figure_order`, then the table's
    order), the verdicts marked (`verdict_kind`), how to read it folded above."""
    figures = list(table.figure)
    order = sorted(range(len(table)), key=lambda row: (figure_order(figures[row]), figures.index(figures[row])))
    shown = table.iloc[order][["figure", *PAGE_COLUMNS]]
    return html_table.page("Paper comparison", PAGE_NOTES[:1], shown, folded=PAGE_NOTES[1:], columns=PAGE_COLUMNS,
                           group_by="figure", mark=("verdict", verdict_kind), legend=PAGE_LEGEND)
