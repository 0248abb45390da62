"""Ablating conv filters of a VGG: what an ablated filter outputs, and the engine that evaluates a whole sweep.

Two semantics (config `vgg.ablation.semantics`), because zeroing a conv filter in front of BatchNorm does not
silence it:
- `activation` (the paper's intent): the filter's channel is exactly zero after its BatchNorm and ReLU.
- `literal` (what the paper's text says): the filter's conv weights and bias are zero, BatchNorm is left alone,
  so after BatchNorm the channel is the constant beta - gamma * mean / sqrt(var + eps) (in eval mode) and after
  the ReLU its positive part.
Either way an ablation is a channel mask applied at one module's output (its "mask point"): the conv itself under
`literal` (a conv with zero weights and bias outputs exactly zero), the ReLU after its BatchNorm under `activation`.
Two more replace the channel after its ReLU instead of zeroing it (`Replacements`, `ablation.core.semantics`):
- `mean`: by its mean over held-out images (never evaluated) and over positions: one number per channel;
- `resample`: by its own output on the image's partner (a fixed, seeded derangement of the evaluation images).

The engine computes each batch's intact forward pass once; every ablation branches from the activation at its
layer's mask point, and the ablations of a layer run the rest of the network together as one large batch.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.utils.hooks import RemovableHandle

from ablation.core.logs import Progress
from ablation.core.semantics import checked as semantics_checked
from ablation.core.semantics import derangement
from ablation.core.tables import INTACT
from ablation.vgg.groups import FilterAblation
from ablation.vgg.images import ImageSet
from ablation.vgg.network import conv, features, features_index

log = logging.getLogger("ablation")
ZEROING = ("literal", "activation")  # an ablated channel is zero (after the conv or after the ReLU)
REPLACING = ("mean", "resample")  # an ablated channel takes another value after the ReLU (`Replacements`)
KNOWN_SEMANTICS = (*ZEROING, *REPLACING)
COUNTED = ("top1", "top5", "top1_gained", "top1_lost", "top5_gained", "top5_lost")  # Counts' per-row fields
PRECISIONS = ("auto", "float32")


def mask_point(layer: str, semantics: str) -> int:
    """Index in `features` of the module whose output an ablation of `layer` masks."""
    if semantics not in KNOWN_SEMANTICS:
        raise ValueError(f"unknown ablation semantics '{semantics}'; known: {', '.join(KNOWN_SEMANTICS)}")
    return features_index(layer) + (0 if semantics == "literal" else 2)


@dataclass(frozen=True)
class Replacements:
    """What an ablated channel outputs under `mean` (mask point -> the channel means (C,)) or `resample` (partner[i]:
    the image whose activations image i's ablated channels take)."""

    means: dict[int, torch.Tensor] | None = None
    partner: np.ndarray | None = None

    @classmethod
    def resample(cls, images: ImageSet, seed: int) -> Replacements:
        return cls(partner=derangement(len(images), seed))

    @classmethod
    @torch.inference_mode()
    def mean(cls, network: nn.Module, held_out: ImageSet, layers: Iterable[str], *, batch_size: int,
             device: str = "cpu") -> Replacements:
        """Each channel's mean after the ReLU of each of `layers`, over the held-out images and positions (float32,
        whatever the sweep's precision)."""
        points = {mask_point(layer, "mean") for layer in layers}
        network = _prepare(network, torch.device(device))
        sums: dict[int, torch.Tensor] = {}
        counts: dict[int, int] = {}
        for x, _ in held_out.batches(batch_size, device):
            h = x
            for index, module in enumerate(features(network)[:max(points) + 1]):
                h = module(h)
                if index in points:
                    sums[index] = sums.get(index, 0) + h.double().sum((0, 2, 3))
                    counts[index] = counts.get(index, 0) + h.shape[0] * h.shape[2] * h.shape[3]
        return cls(means={index: (total / counts[index]).float().cpu() for index, total in sums.items()})

    def branched(self, h: torch.Tensor, keep: torch.Tensor, point: int, partner: torch.Tensor | None) -> torch.Tensor:
        """(ablations, B, C, H, W): the activation `h` (B, C, H, W) with each keep mask's (ablations, C) removed
        channels replaced; `partner`: the partner images' activation at the point (resample)."""
        keep = keep[:, None, :, None, None]
        if partner is not None:
            return h.unsqueeze(0) * keep + partner.unsqueeze(0) * (1 - keep)
        assert self.means is not None
        return h.unsqueeze(0) * keep + self.means[point].to(h.device, h.dtype).view(1, 1, -1, 1, 1) * (1 - keep)


def keep_mask(channels: int, filters: Iterable[int], device: torch.device | str = "cpu") -> torch.Tensor:
    mask = torch.ones(channels, device=device)
    mask[list(filters)] = 0.0
    return mask


def mask_hook(network: nn.Module, layer: str, filters: Sequence[int], semantics: str,
              replaced_by: Iterator[torch.Tensor] | torch.Tensor | None = None) -> RemovableHandle:
    """Ablate `filters` of `layer` while the returned hook is registered (remove it to restore the network).
    `replaced_by` (mean, resample): what the removed channels output, one tensor (C,) for every batch, or one
    activation (B, C, H, W) per batch in turn."""
    if semantics in REPLACING and replaced_by is None:
        raise ValueError(f"semantics '{semantics}' needs what the removed channels output")
    module = features(network)[mask_point(layer, semantics)]
    mask = keep_mask(conv(network, layer).out_channels, filters)

    def masked(_module: nn.Module, _inputs: object, output: torch.Tensor) -> torch.Tensor:
        keep = mask.to(output.device, output.dtype).view(1, -1, 1, 1)
        if replaced_by is None:
            return output * keep
        other = (replaced_by.view(1, -1, 1, 1) if isinstance(replaced_by, torch.Tensor)
                 else next(replaced_by)).to(output.device, output.dtype)
        return output * keep + other * (1 - keep)

    return module.register_forward_hook(masked)


@torch.no_grad()
def zero_filters(network: nn.Module, layer: str, filters: Sequence[int]) -> None:
    """The paper's literal operation: the filters' conv weights and bias set to zero, in place."""
    module = conv(network, layer)
    module.weight[list(filters)] = 0.0
    if module.bias is not None:
        module.bias[list(filters)] = 0.0


@dataclass
class Counts:
    """Per ablation (row 0: the intact network) and class: correct predictions, and the top-1 and top-5 changes
    against the intact network on the same images (`gained`: right only when ablated, `lost`: right only intact),
    which McNemar's test and a paired interval need; and images per class."""

    top1: torch.Tensor  # (ablations + 1, classes) int64
    top5: torch.Tensor
    top1_gained: torch.Tensor
    top1_lost: torch.Tensor
    top5_gained: torch.Tensor
    top5_lost: torch.Tensor
    images: torch.Tensor  # (classes,)

    @classmethod
    def zeros(cls, rows: int, classes: int, device: torch.device | str) -> Counts:
        per_row = {name: torch.zeros(rows, classes, dtype=torch.int64, device=device) for name in COUNTED}
        return cls(**per_row, images=torch.zeros(classes, dtype=torch.int64, device=device))

    def add(self, rows: Sequence[int], hits: tuple[torch.Tensor, torch.Tensor],
            intact: tuple[torch.Tensor, torch.Tensor], labels: torch.Tensor) -> None:
        """Count hits (top-1, top-5; each (len(rows), B) bool) against the intact network's hits (top-1, top-5;
        each (B,))."""
        rows_ = torch.as_tensor(rows, device=labels.device)
        per_image = (*hits, ~intact[0] & hits[0], intact[0] & ~hits[0], ~intact[1] & hits[1], intact[1] & ~hits[1])
        totals = (self.top1, self.top5, self.top1_gained, self.top1_lost, self.top5_gained, self.top5_lost)
        for total, hit in zip(totals, per_image):
            # Integer scatter-add: exact counts whatever the compute precision.
            total.index_add_(0, rows_, torch.zeros_like(total[: len(rows)]).index_add_(1, labels, hit.long()))

    def cpu(self) -> Counts:
        return Counts(**{name: getattr(self, name).cpu() for name in (*COUNTED, "images")})

    def accuracy(self, row: int = 0) -> tuple[float, float]:
        total = float(self.images.sum())
        return 100.0 * float(self.top1[row].sum()) / total, 100.0 * float(self.top5[row].sum()) / total


def hits(logits: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Top-1 and top-5 hits of logits (rows, B, classes) for labels (B,), each (rows, B) bool."""
    top = logits.topk(min(5, logits.shape[-1]), dim=-1).indices
    return top[..., 0] == labels.view(1, -1), (top == labels.view(1, -1, 1)).any(-1)


def head(network: nn.Module, x: torch.Tensor, start: int) -> torch.Tensor:
    """The network from `features[start]` on: the rest of the features, pooling and the classifier."""
    for module in features(network)[start:]:
        x = module(x)
    return cast(nn.Module, network.classifier)(torch.flatten(cast(nn.Module, network.avgpool)(x), 1))


def autocast(device: torch.device | str, precision: str):
    """bf16 autocast on a GPU unless precision is float32 (the ranking of logits, not their last bits, decides top-1
    and top-5); nothing on the CPU."""
    if torch.device(device).type == "cuda" and precision == "auto":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return nullcontext()


# Every evaluation runs channels_last (NHWC), on a GPU and on the CPU alike: oneDNN's convolutions and pooling are
# faster in it (the default sweep 1.5x on a 2-core Xeon), and the sweep and the plain evaluation it is checked
# against then sum in the same order.
def _prepare(network: nn.Module, device: torch.device) -> nn.Module:
    with torch.inference_mode(False):  # parameters converted in inference mode could no longer be trained
        return network.eval().to(device).to(memory_format=torch.channels_last)


def _batches(images: ImageSet, batch_size: int, device: torch.device, order: Sequence[int] | None = None):
    for x, y in images.batches(batch_size, device, order):
        yield x.contiguous(memory_format=torch.channels_last), y


def _branches(network: nn.Module, ablations: Sequence[FilterAblation], semantics: str,
              device: torch.device) -> dict[int, tuple[list[int], torch.Tensor]]:
    """Mask point -> (table rows, keep masks (ablations, channels)) of the ablations that branch there."""
    rows: dict[int, list[int]] = {}
    masks: dict[int, list[torch.Tensor]] = {}
    for row, ablation in enumerate(ablations, start=1):
        point = mask_point(ablation.layer, semantics)
        channels = conv(network, ablation.layer).out_channels
        rows.setdefault(point, []).append(row)
        masks.setdefault(point, []).append(keep_mask(channels, ablation.filters, device))
    return {point: (rows[point], torch.stack(masks[point])) for point in rows}


@torch.inference_mode()
def sweep(network: nn.Module, images: ImageSet, ablations: Sequence[FilterAblation], semantics: str, *,
          batch_size: int, branch_images: int, precision: str, device: str = "cpu",
          progress: Progress | None = None, replacements: Replacements | None = None) -> Counts:
    """Top-1/top-5 hits of the intact network (row 0) and of every ablation (row i + 1), per class. `progress`
    (in images; default: a sweep's own) reports every batch. `replacements`: what `mean` and `resample` put in."""
    replacements = semantics_checked(semantics, REPLACING, replacements, len(images))
    progress = progress or Progress(len(images), f"sweep of {len(ablations)} ablations", "images")
    device_ = torch.device(device)
    network = _prepare(network, device_)
    branches = _branches(network, ablations, semantics, device_)
    counts = Counts.zeros(len(ablations) + 1, len(images.classes), device_)
    partners = (_batches(images, batch_size, device_, replacements.partner.tolist())
                if replacements is not None and replacements.partner is not None else None)
    with autocast(device_, precision):
        for x, y in _batches(images, batch_size, device_):
            counts.images.index_add_(0, y, torch.ones_like(y))
            chunk = max(1, branch_images // len(x))
            h = x
            # Resample: the partner images run alongside up to the last branch point, intact.
            hp = next(partners)[0] if partners is not None else None
            branched_hits = []  # counted once the intact network's hits on this batch are known
            for index, module in enumerate(features(network)):
                h = module(h)
                if hp is not None and index <= max(branches, default=-1):
                    hp = module(hp)
                if index not in branches:
                    continue
                rows, masks = branches[index]
                for start in range(0, len(rows), chunk):
                    part = masks[start:start + chunk].to(h.dtype)
                    if replacements is None:
                        branched = (h.unsqueeze(0) * part[:, None, :, None, None]).flatten(0, 1)
                    else:
                        branched = replacements.branched(h, part, index, hp).flatten(0, 1)
                    branched = branched.contiguous(memory_format=torch.channels_last)
                    logits = head(network, branched, index + 1).view(len(part), len(x), -1)
                    branched_hits.append((rows[start:start + chunk], hits(logits, y)))
            pooled = torch.flatten(cast(nn.Module, network.avgpool)(h), 1)
            intact = hits(cast(nn.Module, network.classifier)(pooled).unsqueeze(0), y)
            for rows, found in [([0], intact), *branched_hits]:
                counts.add(rows, found, (intact[0][0], intact[1][0]), y)
            progress.advance(len(x))
    return counts.cpu()


@torch.inference_mode()
def evaluate(network: nn.Module, images: ImageSet, *, batch_size: int, precision: str, device: str = "cpu",
             progress: Progress | None = None) -> Counts:
    """Top-1/top-5 hits of the network as it is (hooks included), per class: one row. `progress` (in images;
    default: an evaluation's own) reports every batch; a training job passes its own, which counts test images
    too."""
    progress = progress or Progress(len(images), "evaluation", "images")
    return evaluate_against(network, images, batch_size, device, precision, progress=progress)[0]


def evaluate_against(network: nn.Module, images: ImageSet, batch_size: int, device: str, precision: str,
                     intact: torch.Tensor | None = None,
                     progress: Progress | None = None) -> tuple[Counts, torch.Tensor]:
    """Counts of one row, and the top-1 and top-5 hits of every image ((2, N), in image order), compared with
    `intact`'s if given."""
    device_ = torch.device(device)
    network = _prepare(network, device_)
    counts = Counts.zeros(1, len(images.classes), device_)
    found_all, done = [], 0
    with autocast(device_, precision):
        for x, y in _batches(images, batch_size, device_):
            counts.images.index_add_(0, y, torch.ones_like(y))
            found = hits(network(x).unsqueeze(0), y)
            own = torch.stack([found[0][0], found[1][0]])
            reference = own if intact is None else intact[:, done:done + len(x)].to(device_)
            counts.add([0], found, (reference[0], reference[1]), y)
            found_all.append(own.cpu())
            done += len(x)
            if progress is not None:  # None: the baseline, one evaluation per ablation, stays quiet
                progress.advance(len(x))
    return counts.cpu(), torch.cat(found_all, dim=1)


def plain_sweep(network: nn.Module, images: ImageSet, ablations: Sequence[FilterAblation], semantics: str, *,
                batch_size: int, precision: str, device: str = "cpu",
                replacements: Replacements | None = None) -> Counts:
    """The baseline the engine is checked and benchmarked against: one full evaluation per ablation (resample: the
    partner images' activations at each mask point computed once, held in memory)."""
    replacements = semantics_checked(semantics, REPLACING, replacements, len(images))
    intact, intact_hits = evaluate_against(network, images, batch_size, device, precision)
    results = [intact]
    partners = {}
    if replacements is not None and replacements.partner is not None:
        points = {mask_point(a.layer, semantics) for a in ablations}
        partners = _activations(network, images, points, batch_size, device, precision,
                                replacements.partner.tolist())
    for ablation in ablations:
        point = mask_point(ablation.layer, semantics)
        replaced_by = (None if replacements is None else iter(partners[point]) if partners
                       else cast(dict, replacements.means)[point])
        handle = mask_hook(network, ablation.layer, ablation.filters, semantics, replaced_by)
        try:
            results.append(evaluate_against(network, images, batch_size, device, precision, intact_hits)[0])
        finally:
            handle.remove()
    return Counts(**{name: torch.cat([getattr(r, name) for r in results]) for name in COUNTED}, images=intact.images)


@torch.inference_mode()
def _activations(network: nn.Module, images: ImageSet, points: set[int], batch_size: int, device: str,
                 precision: str, order: Sequence[int]) -> dict[int, list[torch.Tensor]]:
    """The intact network's output of each `features` module in `points`, batch by batch, the images in `order`."""
    device_ = torch.device(device)
    network = _prepare(network, device_)
    found: dict[int, list[torch.Tensor]] = {point: [] for point in points}
    with autocast(device_, precision):
        for x, _ in _batches(images, batch_size, device_, list(order)):
            h = x
            for index, module in enumerate(features(network)[:max(points) + 1]):
                h = module(h)
                if index in points:
                    found[index].append(h)
    return found


def table(counts: Counts, ablations: Sequence[FilterAblation], classes: int) -> pd.DataFrame:
    """The tidy table: one row per (ablation, class), class `all` first; accuracies in percent."""
    described = [(INTACT, INTACT, 0.0, 0, 0)] + [
        (a.layer, a.grouping, a.ratio, a.group, len(a.filters)) for a in ablations]
    keys = pd.DataFrame(described, columns=["layer", "grouping", "ratio", "group", "filters"])
    per_class_images = counts.images.numpy()
    images = np.concatenate([[per_class_images.sum()], per_class_images])
    correct = {k: np.concatenate([c.sum(1, keepdims=True), c], axis=1) for k, c in (("top1", counts.top1.numpy()),
                                                                                   ("top5", counts.top5.numpy()))}
    frame = keys.loc[keys.index.repeat(classes + 1)].reset_index(drop=True)
    frame["class"] = np.tile(["all", *map(str, range(classes))], len(keys))
    frame["images"] = np.tile(images, len(keys))
    with np.errstate(invalid="ignore", divide="ignore"):  # a class without images has no accuracy
        for k, hit in correct.items():
            frame[k] = (100.0 * hit / images).reshape(-1)
    for name in ("top5_gained", "top5_lost", "top1_gained", "top1_lost"):
        changed = getattr(counts, name).numpy()
        frame[name] = np.concatenate([changed.sum(1, keepdims=True), changed], axis=1).reshape(-1)
    return frame
