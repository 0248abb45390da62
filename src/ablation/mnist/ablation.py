"""Exact evaluation of every unit ablation of many MNIST networks at once.

Ablating a unit zeroes its incoming weights. The network has no biases, so the unit's pre-activation is 0 and
ReLU(0) = 0: the unit outputs exactly zero. That equals multiplying the layer's output by a 0/1 mask, which
lets every ablation of a network reuse one cached first-layer output instead of a full pass per ablation.
An ablation is any set of units of one layer: a single unit, a pair, or more (Fig. A.2 ablates four).

Two evaluations (`mnist.analysis.evaluation`): `clean` evaluates every row on the test images as they are.
`as_published` repeats the procedure behind the paper's numbers: the authors' `plot_tSNE` binarised the test images
in place (pixel > 10 becomes 255, else 0) before their ablation loop ran, while the intact accuracy (94.64 %) was
measured before, on the original images. So the intact row stays on the original images and every ablation row
is evaluated on the binarised ones.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import torch

from ablation.mnist.architecture import HIDDEN_LAYERS
from ablation.mnist.network import Stack, normalise
from ablation.mnist.outcomes import EVALUATIONS, Ablation, Outcomes
from ablation.mnist.semantics import PAPER, Semantics


def masks(ablations: list[Ablation], layer: str) -> torch.Tensor:
    """(M, width) 0/1 multipliers of `layer`'s output, one row per ablation (all ones where it ablates elsewhere)."""
    width = HIDDEN_LAYERS[layer][0]
    result = torch.ones(len(ablations), width)
    for row, ablation in enumerate(ablations):
        if ablation.layer == layer:
            result[row, list(ablation.units)] = 0.0
    return result


def predictions(stack: Stack, inputs: torch.Tensor, ablations: list[Ablation], semantics: Semantics | None = None,
                tile: int = 512) -> torch.Tensor:
    """Predicted class of every network x ablation x input, (N, M, n) int8, the ablated units replaced as
    `semantics` says (None: zero)."""
    with torch.no_grad():
        h1 = stack.hidden(inputs)[0]
    replacement = semantics.replacements(stack, inputs) if semantics else None
    return masked_predictions(stack.fc2, stack.fc3, h1, masks(ablations, "hidden1"), masks(ablations, "hidden2"),
                              tile, replacement)


def masked_predictions(fc2: torch.Tensor, fc3: torch.Tensor, h1: torch.Tensor, mask1: torch.Tensor,
                       mask2: torch.Tensor, tile: int = 512,
                       replacement: tuple[torch.Tensor, torch.Tensor] | None = None) -> torch.Tensor:
    """Predicted class of every network x mask row x item, (N, M, n) int8, from N networks' fc2 (N, 10, 20) and
    fc3 (N, 10, 10), their first layer's output h1 (N, n, 20) and 0/1 masks of the two hidden layers' outputs,
    (M, 20) and (M, 10); where a mask is 0 the unit outputs zero, or its `replacement` value ((N, n, 20) and
    (N, n, 10), or (N, 1, 20) and (N, 1, 10) for one value on every item: `ablation.mnist.semantics`).

    Zero: both masks fold into fc2: a zeroed first-layer unit is a zeroed column of fc2, a zeroed second-layer unit
    a zeroed row (ReLU(0) = 0). So all M ablations of a network cost one (n x 20) @ (20 x 10M) product and one
    output product, done in cache-sized tiles of test items. A replacement adds its own product through the
    removed columns, and the second layer's replacement after the ReLU. This is the direct evaluation every faster
    path is checked against.
    """
    items = h1.shape[1]
    result = torch.empty(len(fc2), len(mask1), items, dtype=torch.int8)
    with torch.no_grad():
        for network in range(len(fc2)):
            output = fc3[network].T.contiguous()
            if replacement is None:
                kept = (mask2[:, :, None] * mask1[:, None, :] * fc2[network]).reshape(-1, fc2.shape[-1])
            else:
                kept = (mask1[:, None, :] * fc2[network]).reshape(-1, fc2.shape[-1])
                removed = ((1 - mask1)[:, None, :] * fc2[network]).reshape(-1, fc2.shape[-1])
            for start in range(0, items, tile):
                part = slice(start, start + tile)
                if replacement is None:
                    h2 = torch.relu_(h1[network, part] @ kept.T)  # (tile, M*10)
                else:
                    # One replacement for every item (mean) broadcasts: its product is a bias per mask row.
                    r1, r2 = (r[network] if r.shape[1] == 1 else r[network, part] for r in replacement)
                    rows = h1[network, part]
                    h2 = torch.relu_(rows @ kept.T + r1 @ removed.T).view(len(rows), len(mask1), -1)
                    h2 = (h2 * mask2 + (1 - mask2) * r2[:, None, :]).view(len(rows), -1)
                logits = (h2.view(-1, output.shape[0]) @ output).view(len(h2), len(mask1), -1)
                # max(-1).indices: argmax (the first largest class on ties) by a faster kernel
                result[network, :, part] = logits.max(-1).indices.T.to(torch.int8)
    return result


FLOAT64_ROUNDOFF = 2.0**-53


def exact_predictions(fc2: torch.Tensor, fc3: torch.Tensor, h1: torch.Tensor, mask1: torch.Tensor,
                      mask2: torch.Tensor, tile_elements: int = 2**22) -> torch.Tensor:
    """The class whose exact logit is largest (ties to the first class, as argmax), (M, n), for one network's
    fc2 (10, 20) and fc3 (10, 10), its first layer's output h1 (n, 20) and masks (M, 20), (M, 10).

    `masked_predictions` in float64: a product of two float32 numbers is exact there and each sum of a few dozen
    terms is off by at most (terms + 2) x 2^-53 of its sum of absolute values, so an argmax decided by more than
    that bound is the exact one. The rare decisions closer than the bound are made in rational arithmetic. So the
    result does not depend on the order of any sum (the CPU's instruction set, the batch shape), unlike float32,
    where a test item within ~1e-6 of a tie can come out either way.
    """
    fc2_, fc3_, h1_ = (t.detach().cpu().double() for t in (fc2, fc3, h1))
    width, classes = fc2_.shape[0], fc3_.shape[0]
    masked = (mask2.double()[:, :, None] * mask1.double()[:, None, :] * fc2_).reshape(-1, fc2_.shape[1])
    bound_factor = 2 * (fc2_.shape[1] + width + 4) * FLOAT64_ROUNDOFF
    result = torch.empty(len(mask1), len(h1_), dtype=torch.int64)
    tile = max(1, tile_elements // (len(mask1) * classes))
    with torch.no_grad():
        for start in range(0, len(h1_), tile):
            rows = h1_[start : start + tile]
            z = rows @ masked.T  # (tile, M * 10)
            logits = (torch.relu(z).view(-1, width) @ fc3_.T).view(len(rows), len(mask1), classes)
            # A second-layer unit below minus its bound is exactly silent in any order and adds no error.
            size = rows.abs() @ masked.abs().T
            live = z > -bound_factor * size
            reach = ((size * live).view(-1, width) @ fc3_.abs().T).view(logits.shape).amax(-1)
            top = logits.topk(2, dim=-1).values
            prediction = logits.argmax(-1)
            # reach 0: every logit is exactly 0 and argmax already says class 0.
            unsure = (top[..., 0] - top[..., 1] <= bound_factor * reach) & (reach > 0)
            for item, row in unsure.nonzero().tolist():
                prediction[item, row] = _rational_argmax(rows[item] * mask1[row].double(), fc2_ * mask2[row, :, None],
                                                         fc3_)
            result[:, start : start + tile] = prediction.T
    return result


def _rational_argmax(h1: torch.Tensor, fc2: torch.Tensor, fc3: torch.Tensor) -> int:
    """The network's prediction in exact rational arithmetic (every float is a rational number)."""
    def dot(weights: list[float], values: list[Fraction]) -> Fraction:
        return sum((Fraction(w) * v for w, v in zip(weights, values)), Fraction(0))

    hidden1 = [Fraction(x) for x in h1.tolist()]
    hidden2 = [max(Fraction(0), dot(row, hidden1)) for row in fc2.tolist()]
    logits = [dot(row, hidden2) for row in fc3.tolist()]
    return max(range(len(logits)), key=lambda c: (logits[c], -c))


PUBLISHED_THRESHOLD = 10  # the authors' plot_tSNE: pixel > 10 becomes 255, else 0


def binarised(images: torch.Tensor) -> torch.Tensor:
    """uint8 digits as the authors' plot_tSNE left them (it overwrote the test set it drew, in place)."""
    return torch.where(images > PUBLISHED_THRESHOLD, 255, 0).to(torch.uint8)


def evaluate(stack: Stack, networks: list[str], images: torch.Tensor, labels: torch.Tensor, ablations: list[Ablation],
             evaluation: str, semantics: Semantics | None = None) -> Outcomes:
    """Which test item (uint8 digits) each network gets right under each ablation, evaluated as `evaluation` says,
    the ablated units replaced as `semantics` says (None: zero, the only one `as_published` knows)."""
    if evaluation not in EVALUATIONS:
        raise ValueError(f"unknown evaluation '{evaluation}'; use one of {', '.join(EVALUATIONS)}")
    if evaluation == "as_published" and semantics is not None and semantics.name != PAPER:
        raise ValueError(f"as_published repeats the authors' zeroing; semantics '{semantics.name}' is clean only")
    if not ablations:  # nothing left to add (mnist_featured: the Fig. A.2 set can already be a single or a pair)
        return Outcomes(networks, [], labels.numpy(), np.zeros((len(networks), 0, len(labels)), dtype=bool))
    correct = (predictions(stack, normalise(images), ablations, semantics) == labels.to(torch.int8)).numpy()
    ablated = [row for row, ablation in enumerate(ablations) if ablation.units]
    if evaluation == "as_published" and ablated:
        published = predictions(stack, normalise(binarised(images)), [ablations[row] for row in ablated])
        correct[:, ablated] = (published == labels.to(torch.int8)).numpy()
    return Outcomes(networks, ablations, labels.numpy(), correct)
