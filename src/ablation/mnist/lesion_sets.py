"""Test items right under every one of the 2^20 lesion sets of the first hidden layer, exactly, in seconds.

Lesion set s lesions unit j when bit j of s is set. The first layer's output h1 is computed once; a lesion set is a
0/1 mask on it. The 20 units are split into a low and a high half, so a set is a pair (high subset, low subset)
and the second layer's pre-activation is z(s) = z_high[high] + z_low[low]: two tables of 2^10 partial sums per item,
one add per set. A compiled kernel (numba) then applies ReLU and the output layer and decides, for every set and
item, whether the item is classified right, keeping everything of one item tile in cache.

Exact: every count is the one exact arithmetic gives from h1 on (argmax ties to the first class), whatever the
order of any sum. The kernel decides with the margins W3[label] - W3[c] in float32; standard floating-point error
analysis bounds how far each margin can be from the exact one (at most (terms + 2) x 2^-24 of the sum of absolute
values per dot product, propagated through ReLU, which is 1-Lipschitz; the kernel uses twice that). A margin
farther from 0 than its bound decides exactly; the few closer ones (about 5 in 100,000 on MNIST) are evaluated
exactly by `ablation.exact_predictions`. Where the second layer is silent for certain (every pre-activation below
minus its bound, or no unlesioned first-layer unit active), every logit is exactly 0 and argmax picks class 0.
The float32 direct evaluation (`ablation.masked_predictions`) agrees except where an item is within float32
rounding of a tie: there its answer depends on the order of its sums (the batch shape, the instruction set).
On a GPU, tensor operations make the same decisions (`_count_tensors`).
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
ITEM_TILE = 16  # items whose low-half tables (16 x 10 x 1024 floats) stay in a core's L2 cache
# The kernel's second-layer width and other classes, the MNIST network's (architecture.py): fixed, so that its loops
# unroll, and its ten-term sums are written out.
WIDTH, OTHERS = 10, 9
GPU_ITEM_TILE = 8  # items per tensor step on a GPU: (8, 2^10, 2^10, 9, 10) products, 3 GB


@dataclass(frozen=True)
class LesionCounts:
    """Test items right per class under every lesion set: counts (classes, 2^units), bit j of the column index set
    when unit j is lesioned; class_sizes (classes,); rechecked: (set, item) decisions evaluated directly."""

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
            margins: np.ndarray, labels: np.ndarray, silence: np.ndarray, counts: np.ndarray,
            uncertain: np.ndarray, n_uncertain: np.ndarray) -> None:  # pragma: no cover - compiled
    """Count the items of one tile right under every (high, low) set; list the decisions too close to call.

    z_high (items, WIDTH, SH), z_low (items, WIDTH, SL): second-layer pre-activations of the kept units of each half;
    bound_high (items, SH), bound_low (items, SL): the two halves' rounding bounds; margins (items, OTHERS, WIDTH):
    W3[label] - W3[c] for the other classes; silence (items,): the ratio of the pre-activation's rounding bound to
    the margin's (below minus that bound, a second-layer unit is silent in every order); counts (C, SH, SL) int64;
    uncertain (SH, cap) gets item * SL + low, n_uncertain (SH,) their number (may exceed cap: the caller then
    reruns with more room).
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
            silent_right = np.int64(label == 0)  # every logit exactly 0: argmax is class 0
            base = bound_high[item, high]
            ratio = silence[item]
            close = np.int64(0)
            for low in range(sl):  # branch-free, so that it vectorises; the rare close calls listed below
                bound = base + bound_low[item, low]
                margin = lowest[low]
                settled = (loudest[low] < -bound * ratio) | (bound == zero)
                counts[label, high, low] += silent_right if settled else np.int64(margin > bound)
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


def _halves(h1: np.ndarray, fc2: np.ndarray, reach: np.ndarray, low_units: int
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per item: the second layer's pre-activation from each half's kept units under every subset of that half
    lesioned (float32, (items, H2, 2^half)), and each half's rounding bound: the sum of `reach` (items, H1) over
    its kept units (float64)."""
    bits = [lesion_bits(size) == 0 for size in (low_units, h1.shape[1] - low_units)]  # kept units, low half first
    parts = h1[:, None, :] * fc2[None]  # (items, H2, H1) float32 products, as the direct evaluation forms them
    low, high = slice(0, low_units), slice(low_units, None)
    z_low = parts[:, :, low] @ bits[0].T.astype(np.float32)
    z_high = parts[:, :, high] @ bits[1].T.astype(np.float32)
    return z_high, z_low, reach[:, high] @ bits[1].T, reach[:, low] @ bits[0].T


def _decide_tile(arguments: tuple[np.ndarray, ...], counts: np.ndarray, cap: int) -> tuple[np.ndarray, np.ndarray]:
    """Run the kernel on one tile; if a row found more close calls than `cap`, list them again with room for all
    (into a scratch count: the certain decisions were counted by the first run)."""
    uncertain = np.empty((arguments[0].shape[2], cap), dtype=np.int64)
    n_uncertain = np.zeros(arguments[0].shape[2], dtype=np.int64)
    _decide(*arguments, counts, uncertain, n_uncertain)  # type: ignore[call-arg]  # numba's stubs
    if n_uncertain.max() > cap:
        return _decide_tile(arguments, np.zeros_like(counts), int(n_uncertain.max()))
    return uncertain, n_uncertain


@dataclass(frozen=True)
class _Tile:
    """What deciding one tile of items needs (numpy, float32 but labels): see `_decide` for the shapes."""

    start: int
    z_high: np.ndarray
    z_low: np.ndarray
    bound_high: np.ndarray
    bound_low: np.ndarray
    margins: np.ndarray
    labels: np.ndarray
    silence: np.ndarray


def _tiles(h1: np.ndarray, fc2: np.ndarray, fc3: np.ndarray, labels: np.ndarray, size: int) -> Iterator[_Tile]:
    """The items in tiles of `size`, with their halves' partial sums, rounding bounds and margins."""
    units, width, classes = h1.shape[1], fc2.shape[0], fc3.shape[0]
    # Rounding bounds of the fast path (split sums, then margins), relative to sums of absolute values: twice the
    # worst case of (terms + 2) u per dot product.
    margin_roundoff = 2 * (units // 2 + width + 4) * UNIT_ROUNDOFF
    z_roundoff = 2 * (units // 2 + 3) * UNIT_ROUNDOFF
    fc2_size, fc3_size = np.abs(fc2).astype(np.float64), np.abs(fc3).astype(np.float64)
    # For label y and second-layer unit i, |W3[y, i]| + |W3[c, i]| at most; through fc2, per first-layer unit.
    reach = (fc3_size + fc3_size.max(0)) @ fc2_size  # (C, H1)
    strongest = fc2_size.max(0)  # (H1,) largest |fc2| from each first-layer unit
    ratio = np.divide(strongest, reach, out=np.zeros_like(reach), where=reach > 0).max(1)  # (C,)
    silence = (z_roundoff / margin_roundoff * ratio[labels]).astype(np.float32) * np.float32(1 + 2**-20)
    item_reach = margin_roundoff * reach[labels] * np.abs(h1).astype(np.float64)  # (n, H1)
    for start in range(0, len(h1), size):
        tile = slice(start, start + size)
        z_high, z_low, size_high, size_low = _halves(h1[tile], fc2, item_reach[tile], units // 2)
        margins = fc3[labels[tile], None, :] - fc3[None, :, :]  # (items, C, H2), row `label` all zero
        others = np.arange(classes)[None, :] != labels[tile, None]
        bounds = [np.nextafter(part.astype(np.float32), np.float32(np.inf)) * (part > 0)
                  for part in (size_high, size_low)]
        yield _Tile(start, z_high, z_low, bounds[0], bounds[1],
                    np.ascontiguousarray(margins[others].reshape(len(z_high), classes - 1, width)), labels[tile],
                    silence[tile])


def _count_compiled(tiles: Iterator[_Tile], counts: np.ndarray,
                    done: Callable[[int], None] = lambda items: None) -> list[np.ndarray]:
    """The CPU path: `_decide` per tile; returns the close calls as (item, set) rows. `done(items)` after each tile."""
    low_sets = counts.shape[2]
    pending = []
    for tile in tiles:
        arguments = (tile.z_high, tile.z_low, tile.bound_high, tile.bound_low, tile.margins, tile.labels,
                     tile.silence)
        uncertain, n_uncertain = _decide_tile(arguments, counts, cap=256)
        for high in np.flatnonzero(n_uncertain):
            found = uncertain[high, : n_uncertain[high]]
            pending.append(np.stack([tile.start + found // low_sets, high * low_sets + found % low_sets], 1))
        done(len(tile.labels))
    return pending


def _count_tensors(tiles: Iterator[_Tile], counts: np.ndarray, device: torch.device,
                   done: Callable[[int], None] = lambda items: None) -> list[np.ndarray]:
    """The same decisions as `_decide` with tensor operations on `device` (a GPU). Elementwise products and sums
    only: a GPU's matrix product may round its inputs to TF32, which the bounds do not allow for."""
    total = torch.zeros(counts.shape[0], counts.shape[1] * counts.shape[2], dtype=torch.int64, device=device)
    pending = []
    for tile in tiles:
        z_high, z_low, bound_high, bound_low, margins, labels, silence = (
            torch.from_numpy(array).to(device) for array in (tile.z_high, tile.z_low, tile.bound_high,
                                                             tile.bound_low, tile.margins, tile.labels, tile.silence))
        z = z_high.transpose(1, 2)[:, :, None, :] + z_low.transpose(1, 2)[:, None, :, :]  # (T, SH, SL, H2)
        loudest = z.amax(-1)
        scores = (torch.relu_(z)[:, :, :, None, :] * margins[:, None, None]).sum(-1)  # (T, SH, SL, C - 1)
        lowest = scores.amin(-1)
        bound = bound_high[:, :, None] + bound_low[:, None, :]
        settled = (loudest < -bound * silence[:, None, None]) | (bound == 0)
        right = torch.where(settled, (labels == 0)[:, None, None], lowest > bound)
        total.index_add_(0, labels, right.flatten(1).long())
        close = (~settled & (lowest.abs() <= bound)).flatten(1).nonzero()
        pending.append((close + torch.tensor([tile.start, 0], device=device)).cpu().numpy())
        done(len(tile.labels))
    counts += total.view(counts.shape).cpu().numpy()
    return pending


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
    counts = np.zeros((classes, 2 ** (units - units // 2), 2 ** (units // 2)), dtype=np.int64)
    if not (torch.device(device).type != "cpu" if tensors is None else tensors):
        if (fc2_.shape[0], classes - 1) != (WIDTH, OTHERS):
            raise ValueError(f"the compiled kernel is for {WIDTH} second-layer units and {OTHERS + 1} classes")
        pending = _count_compiled(_tiles(h1_, fc2_, fc3_, label_, ITEM_TILE), counts, done)
    else:
        pending = _count_tensors(_tiles(h1_, fc2_, fc3_, label_, GPU_ITEM_TILE), counts, torch.device(device), done)
    rechecked = np.concatenate(pending) if pending else np.empty((0, 2), dtype=np.int64)
    flat = counts.reshape(classes, -1)
    if len(rechecked):
        items, sets = rechecked[:, 0], rechecked[:, 1]
        rows = torch.from_numpy(h1_[items] * (((sets[:, None] >> np.arange(units)) & 1) == 0))
        prediction = exact_predictions(torch.from_numpy(fc2_), torch.from_numpy(fc3_), rows, torch.ones(1, units),
                                       torch.ones(1, fc2_.shape[0]))[0].numpy()
        np.add.at(flat, (label_[items], sets), (prediction == label_[items]).astype(np.int64))
    return LesionCounts(flat, np.bincount(label_, minlength=classes), len(rechecked))
