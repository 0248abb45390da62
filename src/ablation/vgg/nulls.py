"""Is a filter group more (or less) harmful than any group of the same size? Each similarity and L1 group's overall
drop against the drops of random groups of the same size in the same layer, drawn in passes and evaluated by the
sweep's branching engine (one sweep per pass for every (layer, ratio) still drawing), with Besag-Clifford's
sequential stopping (`ablation.core.nulls`).
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from torch import nn

from ablation.core import nulls
from ablation.core.logs import Progress
from ablation.vgg.ablation import ZEROING, sweep
from ablation.vgg.groups import FilterAblation, group_size, random_groups
from ablation.vgg.images import ImageSet
from ablation.vgg.network import conv
from ablation.vgg.statistics import ALL, INTACT, by_semantics

NULL = "null"  # the grouping name of a null draw
log = logging.getLogger("ablation")
_quiet = logging.getLogger("ablation.null_sweeps")  # one sweep per batch of draws: the job logs per (layer, ratio)
_quiet.setLevel(logging.WARNING)


@dataclass(frozen=True)
class Settings:
    metric: str  # top1 or top5: the drop tested
    alternative: str  # greater (more harmful than random), less, or two-sided
    stop_after_exceedances: int  # Besag-Clifford: stop once every group has this many exceedances
    max_random_groups: int
    random_groups_per_pass: int  # random groups evaluated by one sweep
    ratios: list[float] | None  # the sweep's ratios tested; None: all
    seed: int
    alpha: float  # the FDR level a group is `significant` at
    batch_size: int
    branch_images: int
    precision: str
    device: str = "cpu"


def _rng(seed: int, layer: str, ratio: float) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(f"{layer}|{ratio}|{NULL}".encode())])


def drops(network: nn.Module, images: ImageSet, ablations: list[FilterAblation], semantics: str,
          settings: Settings) -> np.ndarray:
    """The overall drop of `settings.metric` of each ablation, in %p (intact minus ablated accuracy)."""
    counts = sweep(network, images, ablations, semantics, batch_size=settings.batch_size,
                   branch_images=settings.branch_images, precision=settings.precision, device=settings.device,
                   progress=Progress(len(images), "null sweep", "images", logger=_quiet))
    hits = getattr(counts, settings.metric).sum(dim=1).double().cpu().numpy()
    accuracy = 100 * hits / float(counts.images.sum())
    return accuracy[0] - accuracy[1:]


@dataclass
class _Cell:
    """One (layer, ratio): its observed groups (columns grouping, group, drop), its null and the random groups'
    drops drawn so far, pass by pass, in draw order."""

    layer: str
    ratio: float
    observed: pd.DataFrame
    null: nulls.Null
    channels: int
    rng: np.random.Generator
    drawn: list[np.ndarray] = field(default_factory=list)

    def next_pass(self, settings: Settings) -> list[FilterAblation]:
        first = sum(map(len, self.drawn))
        count = min(settings.random_groups_per_pass, settings.max_random_groups - first)
        groups = random_groups(self.channels, group_size(self.ratio, self.channels), count, self.rng)
        return [FilterAblation(self.layer, NULL, self.ratio, first + i, filters) for i, filters in enumerate(groups)]

    def result(self, settings: Settings) -> tuple[pd.DataFrame, np.ndarray]:
        tested = self.observed.assign(layer=self.layer, ratio=self.ratio, alternative=settings.alternative,
                                      p=self.null.p_values(), draws=self.null.draws)
        return tested, np.concatenate(self.drawn)


def _cell(network: nn.Module, layer: str, ratio: float, observed: pd.DataFrame, settings: Settings) -> _Cell:
    null = nulls.Null(observed["drop"].to_numpy(float), settings.alternative, settings.stop_after_exceedances,
                      settings.max_random_groups)
    return _Cell(layer, ratio, observed, null, conv(network, layer).out_channels, _rng(settings.seed, layer, ratio))


def _draw(network: nn.Module, images: ImageSet, cells: list[_Cell], semantics: str, settings: Settings,
          done: Callable[[], None] = lambda: None) -> None:
    """Draw every cell's null pass by pass: each pass is one sweep of the next random groups of every cell still
    drawing (one evaluation of the intact network per pass, not per cell); `done()` as each cell stops. A cell's
    draws are those it would get alone: its own generator, its own passes."""
    drawing = [cell for cell in cells if not cell.null.done()]
    while drawing:
        batches = [cell.next_pass(settings) for cell in drawing]
        found = drops(network, images, [ablation for batch in batches for ablation in batch], semantics, settings)
        for cell, part in zip(drawing, np.split(found, np.cumsum([len(batch) for batch in batches])[:-1])):
            cell.drawn.append(part)
            cell.null.add(part)
            if cell.null.done():
                done()
        drawing = [cell for cell in drawing if not cell.null.done()]


def layer_test(network: nn.Module, images: ImageSet, layer: str, ratio: float, observed: pd.DataFrame,
               semantics: str, settings: Settings) -> tuple[pd.DataFrame, np.ndarray]:
    """`observed`: the groups of `layer` at `ratio` (columns grouping, group, drop); returned with the null's
    p-value and how many draws it took, and the drops of the random groups drawn (in draw order)."""
    cell = _cell(network, layer, ratio, observed, settings)
    _draw(network, images, [cell], semantics, settings)
    return cell.result(settings)


TESTED = ("similarity", "l1")
TEST_COLUMNS = ["semantics", "metric", "layer", "ratio", "grouping", "group", "drop", "alternative", "draws", "p",
                "q", "alpha", "significant"]
DRAW_COLUMNS = ["semantics", "metric", "layer", "ratio", "draw", "drop"]


def test_groups(network: nn.Module, images: ImageSet, table: pd.DataFrame,
                settings: Settings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every similarity and L1 group of the sweep `table` (at `settings.ratios`), under each zeroing semantics,
    against its (layer, ratio)'s random groups (all cells drawn together by `_draw`, each as `layer_test` alone),
    with Benjamini-Hochberg q over the groups of a semantics; and every random group's drop (the null's draws, for
    its band). Not under `mean` and `resample`: their comparison with zeroing is the rankings'
    (`statistics.semantics_rankings`), and each would cost another null."""
    metric, tests, draws = settings.metric, [], []
    parts = []
    for semantics, part in by_semantics(table):
        if semantics not in ZEROING:
            continue
        overall = part[part["class"] == ALL]
        intact = float(overall.loc[overall.layer == INTACT, metric].iloc[0])
        tested = overall[overall.grouping.isin(TESTED)]
        if settings.ratios is not None:
            tested = tested[np.isclose(tested.ratio.to_numpy(float)[:, None], settings.ratios).any(axis=1)]
        parts.append((semantics, tested.assign(drop=intact - tested[metric])))
    progress = Progress(sum(tested.groupby(["layer", "ratio"]).ngroups for _, tested in parts),
                        "null: random groups for each (semantics, layer, ratio)", "cells")
    for semantics, tested in parts:
        cells = [_cell(network, str(layer), float(ratio), rows[["grouping", "group", "drop"]], settings)
                 for (layer, ratio), rows in tested.groupby(["layer", "ratio"], sort=False)]
        _draw(network, images, cells, str(semantics), settings, progress.advance)
        frames = []
        for cell in cells:
            frame, drawn = cell.result(settings)
            frames.append(frame)
            draws.append(pd.DataFrame({"semantics": semantics, "metric": metric, "layer": cell.layer,
                                       "ratio": cell.ratio, "draw": np.arange(len(drawn)), "drop": drawn}))
        frame = pd.concat(frames, ignore_index=True).assign(semantics=semantics, metric=metric)
        q = nulls.fdr(frame.p.to_numpy())
        tests.append(frame.assign(q=q, alpha=settings.alpha, significant=q < settings.alpha))
        log.info("null of %s: %d groups, %d random groups drawn", semantics, len(frame),
                 int(frame.groupby(["layer", "ratio"]).draws.first().sum()))
    return (pd.concat(tests, ignore_index=True)[TEST_COLUMNS],
            pd.concat(draws, ignore_index=True)[DRAW_COLUMNS])
