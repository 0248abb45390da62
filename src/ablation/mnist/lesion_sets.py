"""Test items right under every one of the 2^20 lesion sets of the first hidden layer, exactly, in well under a second.

Lesion set s lesions unit j when bit j of s is set. The first layer's output h1 is computed once; a lesion set is a
0/1 mask on it. A unit whose output on an item is 0 changes nothing for that item, lesioned or not: so each item is
decided only under the subsets of its active units (k of them, 2^k sets; on the authors' network and real MNIST 1 %
of the 2^20 on average), and its outcomes are spread to all 2^20 sets by two integer transforms, exactly: each item's
outcome table r(L) over the subsets L of its active units is Moebius-transformed (r(L) = sum over T within L of
m(T)), the m(T) of all items are added per class at the full sets T are, and one subset-sum transform over the 20
bits gives, for every lesion set s, the items right: the sum over items of r(s and their active units).

Deciding an item under the 2^k subsets of its units: they are split into a low and a high half, so a subset is a
pair (high subset, low subset) and the second layer's pre-activation is z = z_high[high] + z_low[low]: two tables
of partial sums, one add per set. A compiled kernel (numba) then applies ReLU and the output layer and decides, for
every set and item of a tile of items with the same k, whether the item is classified right.

Exact: every count is the one exact arithmetic gives from h1 on (argmax ties to the first class), whatever the
order of any sum. The kernel decides with the margins W3[label] - W3[c] in float32; standard floating-point error
analysis bounds how far each margin can be from the exact one (at most (terms + 2) x 2^-24 of the sum of absolute
values per dot product, propagated through ReLU, which is 1-Lipschitz; the kernel uses twice that, with the terms
of the whole layer). A margin farther from 0 than its bound decides exactly; the few closer ones (about 5 in
100,000 on MNIST) are evaluated exactly by `ablation.exact_predictions`. Where the second layer is silent for
certain (every pre-activation below minus its bound, or no unlesioned first-layer unit active), every logit is
exactly 0 and argmax picks class 0. The float32 direct evaluation (`ablation.masked_predictions`) agrees except
where an item is within float32 rounding of a tie: there its answer depends on the order of its sums (the batch
shape, the instruction set). On a GPU, tensor operations make the same decisions (`_decide_tensors`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numba
import numpy as np
import torch

from ablation.core.shapley import lesion_bits
from ablation.mnist.ablation import exact_predictions

UNIT_ROUNDOFF = 2.0**-24  # float32
ITEM_TILE = 16  # items of 20 active units whose low-half tables (16 x 10 x 1024 floats) stay in a core's L2 cache
# The kernel's second-layer width and other classes, the MNIST network's (architecture.py): fixed, so that its loops
# unroll, and its ten-term sums are written out.
WIDTH, OTHERS = 10, 9
GPU_ITEM_TILE = 8  # items of 20 active units per tensor step on a GPU: (8, 2^10, 2^10, 9, 10) products, 3 GB


@dataclass(frozen=True)
class LesionCounts:
    """Test items right per class under every lesion set: counts (classes, 2^units), bit j of the column index set
    when unit j is lesioned; class_sizes (classes,); rechecked: the decisions (an item under a subset of its active
    units) evaluated directly."""

    counts: np.ndarray
    class_sizes: np.ndarray
    rechecked: int

    def accuracy(self) -> np.ndarray:
        """Percent right, (classes + 1, 2^units): overall first, then per class."""
        # One result array, filled in place: for 2^20 sets each temporary is 90 MB of fresh pages.
        result = np.empty((len(self.counts) + 1, self.counts.shape[1]))
        np.sum(self.counts, 0, out=result[0])
        result[0] /= self.class_sizes.sum()
        np.divide(self.counts, self.class_sizes[:, None], out=result[1:])
        result *= 100.0
        return result


@numba.njit(parallel=True, cache=True)
def _decide(z_high: np.ndarray, z_low: np.ndarray, bound_high: np.ndarray, bound_low: np.ndarray,
            margins: np.ndarray, labels: np.ndarray, silence: np.ndarray, right: np.ndarray,
            uncertain: np.ndarray, n_uncertain: np.ndarray) -> None:  # pragma: no cover - compiled
    """Decide every item of one tile under every (high, low) subset of its units; list the decisions too close to
    call.

    z_high (items, WIDTH, SH), z_low (items, WIDTH, SL): second-layer pre-activations of the kept units of each half;
    bound_high (items, SH), bound_low (items, SL): the two halves' rounding bounds; margins (items, OTHERS, WIDTH):
    W3[label] - W3[c] for the other classes; silence (items,): the ratio of the pre-activation's rounding bound to
    the margin's (below minus that bound, a second-layer unit is silent in every order); right (items, SH, SL) bool:
    whether the item is classified right (the close calls undecided); uncertain (SH, cap) gets item * SL + low,
    n_uncertain (SH,) their number (may exceed cap: the caller then reruns with more room).
    """
    items, width, sh = z_high.shape
    sl = z_low.shape[2]
    cap = uncertain.shape[1]
    zero = np.float32(0.0)
    for high in numba.prange(sh):
        active = np.empty((WIDTH, sl), np.float32)
        lowest = np.empty(sl, np.float32)
        loudest = np.empty(sl, np.float32)
        for item in range(items):
            label = labels[item]
            for unit in range(WIDTH):
                partial = z_high[item, unit, high]
                for low in range(sl):
                    active[unit, low] = partial + z_low[item, unit, low]
            for low in range(sl):
                loudest[low] = max(max(max(active[0, low], active[1, low]), max(active[2, low], active[3, low])),
                                   max(max(max(active[4, low], active[5, low]), max(active[6, low], active[7, low])),
                                       max(active[8, low], active[9, low])))
            for unit in range(WIDTH):
                for low in range(sl):
                    active[unit, low] = max(active[unit, low], zero)
            for low in range(sl):
                lowest[low] = np.inf
            for other in range(OTHERS):  # the ten terms written out: each score stays in a register
                w = margins[item, other]
                w0, w1, w2, w3, w4, w5, w6, w7, w8, w9 = w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9]
                for low in range(sl):
                    score = (w0 * active[0, low] + w1 * active[1, low] + w2 * active[2, low] + w3 * active[3, low]
                             + w4 * active[4, low] + w5 * active[5, low] + w6 * active[6, low]
                             + w7 * active[7, low] + w8 * active[8, low] + w9 * active[9, low])
                    lowest[low] = min(lowest[low], score)
            silent_right = label == 0  # every logit exactly 0: argmax is class 0
            base = bound_high[item, high]
            ratio = silence[item]
            close = np.int64(0)
            for low in range(sl):  # branch-free, so that it vectorises; the rare close calls listed below
                bound = base + bound_low[item, low]
                margin = lowest[low]
                settled = (loudest[low] < -bound * ratio) | (bound == zero)
                right[item, high, low] = (settled & silent_right) | (~settled & (margin > bound))
                close += np.int64(~settled & (margin <= bound) & (margin >= -bound))
            if close:
                for low in range(sl):
                    bound = base + bound_low[item, low]
                    settled = (loudest[low] < -bound * ratio) or bound == zero
                    if not settled and -bound <= lowest[low] <= bound:
                        slot = n_uncertain[high]
                        if slot < cap:
                            uncertain[high, slot] = item * sl + low
                        n_uncertain[high] = slot + 1


@numba.njit(parallel=True, cache=True)
def _add_moebius(right: np.ndarray, units: np.ndarray, labels: np.ndarray,
                 table: np.ndarray) -> None:  # pragma: no cover - compiled
    """Add each item's Moebius transform over the subsets of its active units into table (classes, 2^H1) at the
    full lesion sets those subsets are, one class per thread. right (items, 2^k) bool, bit j of a column lesioning
    the item's j-th active unit; units (items, k) the active units, ascending; labels (items,). Modulo 2^32 (uint32:
    half the memory traffic of int64; every count the transforms end in lies in [0, items], so it comes out exact)."""
    items, sets = right.shape
    k = units.shape[1]
    for label in numba.prange(table.shape[0]):
        values = np.empty(sets, np.uint32)
        full = np.empty(sets, np.int64)
        for item in range(items):
            if labels[item] != label:
                continue
            for subset in range(sets):
                values[subset] = right[item, subset]
            # m(T) = sum over the U within T of (-1)^|T - U| r(U), one bit at a time; the lowest two bits in one
            # pass over blocks of four (their inner loops would be too short to vectorise)
            for block in range(0, sets - 3, 4):
                a, b, c, d = values[block], values[block + 1], values[block + 2], values[block + 3]
                values[block + 1], values[block + 2], values[block + 3] = b - a, c - a, d - c - b + a
            if sets == 2:
                values[1] -= values[0]
            step = 4
            while step < sets:
                for block in range(0, sets, 2 * step):
                    for subset in range(block + step, block + 2 * step):
                        values[subset] -= values[subset - step]
                step *= 2
            full[0] = 0
            for bit in range(k):
                size = 1 << bit
                for subset in range(size):
                    full[size + subset] = full[subset] | (1 << units[item, bit])
            for subset in range(sets):
                table[label, full[subset]] += values[subset]


@numba.njit(parallel=True, cache=True)
def _subset_sums(table: np.ndarray) -> None:  # pragma: no cover - compiled
    """In place, per row: table[c, s] becomes the sum of table[c, t] over the sets t within s (the zeta transform,
    the inverse of the Moebius transform)."""
    rows, sets = table.shape
    for row in numba.prange(rows):
        step = 1
        while step < sets:
            for block in range(0, sets, 2 * step):
                for subset in range(block + step, block + 2 * step):
                    table[row, subset] += table[row, subset - step]
            step *= 2


def _halves(h1: np.ndarray, fc2: np.ndarray, reach: np.ndarray, low_units: int
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per item: the second layer's pre-activation from each half's kept units under every subset of that half
    lesioned (float32, (items, H2, 2^half)), and each half's rounding bound: the sum of `reach` (items, units) over
    its kept units (float64). h1 (items, units), fc2 (items, H2, units): each item's own units."""
    bits = [lesion_bits(size) == 0 for size in (low_units, h1.shape[1] - low_units)]  # kept units, low half first
    parts = h1[:, None, :] * fc2  # (items, H2, units) float32 products, as the direct evaluation forms them
    low, high = slice(0, low_units), slice(low_units, None)
    z_low = parts[:, :, low] @ bits[0].T.astype(np.float32)
    z_high = parts[:, :, high] @ bits[1].T.astype(np.float32)
    return z_high, z_low, reach[:, high] @ bits[1].T, reach[:, low] @ bits[0].T


@dataclass(frozen=True)
class _Tile:
    """Items with the same number k of active units, and what deciding them under every subset of those needs
    (numpy, float32 but items, units and labels): see `_decide` for the shapes."""

    items: np.ndarray  # (T,) their indices
    units: np.ndarray  # (T, k) each one's active units, ascending
    z_high: np.ndarray
    z_low: np.ndarray
    bound_high: np.ndarray
    bound_low: np.ndarray
    margins: np.ndarray
    labels: np.ndarray
    silence: np.ndarray


def _tiles(h1: np.ndarray, fc2: np.ndarray, fc3: np.ndarray, labels: np.ndarray, size: int) -> Iterator[_Tile]:
    """The items in tiles of the same number k of active units (about `size` x 2^(20 - k) items: the same work per
    tile), with their halves' partial sums, rounding bounds and margins."""
    units, width, classes = h1.shape[1], fc2.shape[0], fc3.shape[0]
    # Rounding bounds of the fast path (split sums, then margins), relative to sums of absolute values: twice the
    # worst case of (terms + 2) u per dot product, counting the terms of the whole layer (fewer only lower it).
    margin_roundoff = 2 * (units // 2 + width + 4) * UNIT_ROUNDOFF
    z_roundoff = 2 * (units // 2 + 3) * UNIT_ROUNDOFF
    fc2_size, fc3_size = np.abs(fc2).astype(np.float64), np.abs(fc3).astype(np.float64)
    # For label y and second-layer unit i, |W3[y, i]| + |W3[c, i]| at most; through fc2, per first-layer unit.
    reach = (fc3_size + fc3_size.max(0)) @ fc2_size  # (C, H1)
    strongest = fc2_size.max(0)  # (H1,) largest |fc2| from each first-layer unit
    ratio = np.divide(strongest, reach, out=np.zeros_like(reach), where=reach > 0).max(1)  # (C,)
    silence = (z_roundoff / margin_roundoff * ratio[labels]).astype(np.float32) * np.float32(1 + 2**-20)
    item_reach = margin_roundoff * reach[labels] * np.abs(h1).astype(np.float64)  # (n, H1)
    active = h1 != 0  # a unit silent on an item changes nothing for it, lesioned or not
    counts = active.sum(1)
    for k in np.unique(counts):
        group = np.flatnonzero(counts == k)
        step = size << max(0, units // 2 - k // 2)
        for start in range(0, len(group), step):
            items = group[start : start + step]
            own = np.ascontiguousarray(np.nonzero(active[items])[1].reshape(len(items), k))  # one compiled layout
            z_high, z_low, size_high, size_low = _halves(
                np.take_along_axis(h1[items], own, 1), fc2[:, own].transpose(1, 0, 2),
                np.take_along_axis(item_reach[items], own, 1), k // 2)
            margins = fc3[labels[items], None, :] - fc3[None, :, :]  # (items, C, H2), row `label` all zero
            others = np.arange(classes)[None, :] != labels[items, None]
            bounds = [np.nextafter(part.astype(np.float32), np.float32(np.inf)) * (part > 0)
                      for part in (size_high, size_low)]
            yield _Tile(items, own, z_high, z_low, bounds[0], bounds[1],
                        np.ascontiguousarray(margins[others].reshape(len(items), classes - 1, width)),
                        labels[items], silence[items])


def _decide_compiled(tile: _Tile, cap: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """The CPU path: `_decide` on one tile; (items, 2^k) right, and the close calls as (item in tile, subset) rows
    (if a row found more close calls than `cap`, it lists them again with room for all)."""
    arguments = (tile.z_high, tile.z_low, tile.bound_high, tile.bound_low, tile.margins, tile.labels, tile.silence)
    low_sets = tile.z_low.shape[2]
    right = np.empty((len(tile.items), tile.z_high.shape[2], low_sets), dtype=np.bool_)
    while True:
        uncertain = np.empty((tile.z_high.shape[2], cap), dtype=np.int64)
        n_uncertain = np.zeros(tile.z_high.shape[2], dtype=np.int64)
        _decide(*arguments, right, uncertain, n_uncertain)
        if n_uncertain.max() <= cap:
            break
        cap = int(n_uncertain.max())
    close = [np.empty((0, 2), np.int64)]
    for high in np.flatnonzero(n_uncertain):
        found = uncertain[high, : n_uncertain[high]]
        close.append(np.stack([found // low_sets, high * low_sets + found % low_sets], 1))
    return right.reshape(len(tile.items), -1), np.concatenate(close)


def _decide_tensors(tile: _Tile, device: torch.device) -> tuple[np.ndarray, np.ndarray]:
    """The same decisions as `_decide` with tensor operations on `device` (a GPU). Elementwise products and sums
    only: a GPU's matrix product may round its inputs to TF32, which the bounds do not allow for."""
    z_high, z_low, bound_high, bound_low, margins, labels, silence = (
        torch.from_numpy(array).to(device) for array in (tile.z_high, tile.z_low, tile.bound_high, tile.bound_low,
                                                         tile.margins, tile.labels, tile.silence))
    z = z_high.transpose(1, 2)[:, :, None, :] + z_low.transpose(1, 2)[:, None, :, :]  # (T, SH, SL, H2)
    loudest = z.amax(-1)
    scores = (torch.relu_(z)[:, :, :, None, :] * margins[:, None, None]).sum(-1)  # (T, SH, SL, C - 1)
    lowest = scores.amin(-1)
    bound = bound_high[:, :, None] + bound_low[:, None, :]
    settled = (loudest < -bound * silence[:, None, None]) | (bound == 0)
    right = torch.where(settled, (labels == 0)[:, None, None], lowest > bound)
    close = (~settled & (lowest.abs() <= bound)).flatten(1).nonzero()
    return right.flatten(1).cpu().numpy(), close.cpu().numpy()


def hidden1_counts(h1: torch.Tensor, fc2: torch.Tensor, fc3: torch.Tensor, labels: torch.Tensor, classes: int,
                   device: str = "cpu", tensors: bool | None = None,
                   done: Callable[[int], None] = lambda items: None) -> LesionCounts:
    """Items right per class under every lesion set of the first hidden layer of one network: h1 (n, H1) its
    first layer's output, fc2 (H2, H1), fc3 (C, H2). On the CPU the compiled kernel decides, on a GPU tensor
    operations (`tensors`: force either; the tests run the tensor path on the CPU). `done(items)`: called after
    each tile of items, for progress reports."""
    h1_, fc2_, fc3_ = (t.detach().cpu().numpy().astype(np.float32) for t in (h1, fc2, fc3))
    label_ = labels.cpu().numpy().astype(np.int64)
    units = h1_.shape[1]
    use_tensors = torch.device(device).type != "cpu" if tensors is None else tensors
    if not use_tensors and (fc2_.shape[0], classes - 1) != (WIDTH, OTHERS):
        raise ValueError(f"the compiled kernel is for {WIDTH} second-layer units and {OTHERS + 1} classes")
    table = np.zeros((classes, 2**units), dtype=np.uint32)  # Moebius coefficients, then items right per set
    rechecked = 0
    for tile in _tiles(h1_, fc2_, fc3_, label_, GPU_ITEM_TILE if use_tensors else ITEM_TILE):
        right, close = _decide_tensors(tile, torch.device(device)) if use_tensors else _decide_compiled(tile)
        if len(close):  # the close calls, evaluated exactly with the item's lesioned units masked
            row, subset = close[:, 0], close[:, 1]
            lesioned = (subset[:, None] >> np.arange(tile.units.shape[1])) & 1
            keep = np.ones((len(close), units), dtype=np.float32)
            np.put_along_axis(keep, tile.units[row], 1 - lesioned.astype(np.float32), 1)
            prediction = exact_predictions(torch.from_numpy(fc2_), torch.from_numpy(fc3_),
                                           torch.from_numpy(h1_[tile.items[row]] * keep), torch.ones(1, units),
                                           torch.ones(1, fc2_.shape[0]))[0].numpy()
            right[row, subset] = prediction == tile.labels[row]
            rechecked += len(close)
        _add_moebius(right, tile.units, tile.labels, table)
        done(len(tile.items))
    _subset_sums(table)
    return LesionCounts(table.astype(np.int64), np.bincount(label_, minlength=classes), rechecked)
