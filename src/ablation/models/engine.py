"""Ablating the units of any traced classifier (`ablation.core.graph`) under every semantics of the filter study,
with the branching engine (`ablation.core.branching`) or, as its baseline, one plain forward pass per ablation.

A layer's mask nodes follow its semantics (`ablation.core.graph.mask_nodes`): `literal` masks the writers' own
outputs (their weights and bias zeroed: what BatchNorm adds after them stays), `activation` where the units are
complete (after their BatchNorm and activation; a stream: every tensor of it), and `mean` and `resample` replace the
channel there instead of zeroing it: by its mean over held-out images and positions, or by its value on the image's
partner (a seeded derangement of the evaluation images), as in the VGG study (`ablation.vgg.ablation`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
import torch

from ablation.core.branching import branched_output, intact_values
from ablation.core.graph import STREAM_PREFIX, Graph, NodeMasks, mask_nodes
from ablation.core.logs import Progress
from ablation.core.semantics import checked as semantics_checked
from ablation.core.semantics import derangement
from ablation.vgg.ablation import KNOWN_SEMANTICS, REPLACING, Counts, autocast, hits
from ablation.vgg.groups import FilterAblation
from ablation.vgg.images import ImageSet


def layer_nodes(graph: Graph, layer: str, semantics: str) -> list[str]:
    if semantics not in KNOWN_SEMANTICS:
        raise ValueError(f"unknown ablation semantics '{semantics}'; known: {', '.join(KNOWN_SEMANTICS)}")
    return mask_nodes(graph, layer, zeroing_weights=semantics == "literal")


def unit_weights(graph: Graph, layer: str) -> torch.Tensor:
    """What grouping compares (out channels, ...): a writer's weight; a stream's, each channel's weights in every
    writer of it side by side."""
    if layer.startswith(STREAM_PREFIX):
        writers = graph.streams()[layer[len(STREAM_PREFIX):]]
        return torch.cat([_weight(graph, writer).flatten(1) for writer in writers], dim=1)
    return _weight(graph, layer)


def _weight(graph: Graph, writer: str) -> torch.Tensor:
    return cast(torch.Tensor, graph.module.get_submodule(writer).weight).detach()


def _broadcast(values: torch.Tensor, axis: int, dim: int) -> torch.Tensor:
    shape = [1] * dim
    shape[axis % dim] = -1
    return values.view(shape)


@dataclass(frozen=True)
class Replacements:
    """What an ablated channel outputs: under `mean` each mask node's channel means (shaped to broadcast against
    the node's value); under `resample` the partner of each image."""

    means: dict[str, torch.Tensor] | None = None
    partner: np.ndarray | None = None

    @classmethod
    def resample(cls, images: ImageSet, seed: int) -> Replacements:
        return cls(partner=derangement(len(images), seed))

    @classmethod
    @torch.inference_mode()
    def mean(cls, graph: Graph, held_out: ImageSet, nodes: set[str], *, batch_size: int,
             device: str = "cpu") -> Replacements:
        """Each node's channel means over the held-out images and every other axis (float64 sums)."""
        module = graph.module.eval().to(device)
        sums: dict[str, torch.Tensor] = {}
        counts: dict[str, int] = {}
        for x, _ in held_out.batches(batch_size, device):
            values = intact_values(module, x)
            for node in nodes:
                value, axis = values[node], graph.axes[node] % values[node].dim()
                other = [d for d in range(value.dim()) if d != axis]
                sums[node] = sums.get(node, 0) + value.double().sum(other)
                counts[node] = counts.get(node, 0) + value.numel() // value.shape[axis]
        return cls(means={node: _broadcast((sums[node] / counts[node]).float().cpu(), graph.axes[node],
                                           len(_shape(graph, node))) for node in nodes})

    def of(self, nodes: list[str], partner_values: dict[str, torch.Tensor] | None) -> dict[str, torch.Tensor]:
        """Node -> what its removed channels output on this batch."""
        if partner_values is not None:
            return {node: partner_values[node] for node in nodes}
        assert self.means is not None
        return {node: self.means[node] for node in nodes}


def _shape(graph: Graph, node: str) -> tuple[int, ...]:
    found = next(n for n in graph.module.graph.nodes if n.name == node)
    return tuple(found.meta["tensor_meta"].shape)


def _branches(graph: Graph, ablations: Sequence[FilterAblation], semantics: str,
              device: torch.device) -> dict[str, tuple[list[str], list[int], torch.Tensor]]:
    """Layer -> (mask nodes, table rows, keep masks (ablations, channels)) of its ablations."""
    found: dict[str, tuple[list[str], list[int], list[torch.Tensor]]] = {}
    for row, ablation in enumerate(ablations, start=1):
        nodes, rows, masks = found.setdefault(ablation.layer, (layer_nodes(graph, ablation.layer, semantics), [], []))
        keep = torch.ones(unit_weights(graph, ablation.layer).shape[0], device=device)
        keep[list(ablation.filters)] = 0.0
        rows.append(row)
        masks.append(keep)
    return {layer: (nodes, rows, torch.stack(masks)) for layer, (nodes, rows, masks) in found.items()}


@torch.inference_mode()
def sweep(graph: Graph, images: ImageSet, ablations: Sequence[FilterAblation], semantics: str, *, batch_size: int,
          branch_images: int, precision: str, device: str = "cpu", replacements: Replacements | None = None,
          progress: Progress | None = None) -> Counts:
    """Top-1/top-5 hits of the intact network (row 0) and of every ablation (row i + 1), per class: each batch's
    intact pass once, every ablation running only the graph after its first mask node (`branch_images` items at
    a time)."""
    replacements = semantics_checked(semantics, REPLACING, replacements, len(images))
    progress = progress or Progress(len(images), f"sweep of {len(ablations)} ablations", "images")
    device_ = torch.device(device)
    module = graph.module.eval().to(device_)
    branches = _branches(graph, ablations, semantics, device_)
    counts = Counts.zeros(len(ablations) + 1, len(images.classes), device_)
    partners = (images.batches(batch_size, device_, replacements.partner.tolist())
                if replacements is not None and replacements.partner is not None else None)
    with autocast(device_, precision):
        for x, y in images.batches(batch_size, device_):
            counts.images.index_add_(0, y, torch.ones_like(y))
            values = intact_values(module, x)
            partner_values = intact_values(module, next(partners)[0]) if partners is not None else None
            intact = hits(values["output"].unsqueeze(0), y)
            counts.add([0], intact, (intact[0][0], intact[1][0]), y)
            chunk = max(1, branch_images // len(x))
            for nodes, rows, masks in branches.values():
                replaced = replacements.of(nodes, partner_values) if replacements is not None else None
                for start in range(0, len(rows), chunk):
                    keep = masks[start:start + chunk]
                    logits = branched_output(module, values, nodes, keep, graph.axes, replaced)
                    counts.add(rows[start:start + chunk], hits(logits, y), (intact[0][0], intact[1][0]), y)
            progress.advance(len(x))
    return counts.cpu()


@torch.inference_mode()
def plain_sweep(graph: Graph, images: ImageSet, ablations: Sequence[FilterAblation], semantics: str, *,
                batch_size: int, precision: str, device: str = "cpu",
                replacements: Replacements | None = None) -> Counts:
    """The baseline the engine is checked and benchmarked against: per ablation, masks inserted into the traced
    module (`NodeMasks`) and one full forward pass per batch (resample: the partners' values set per batch)."""
    replacements = semantics_checked(semantics, REPLACING, replacements, len(images))
    device_ = torch.device(device)
    module = graph.module.eval().to(device_)
    counts = Counts.zeros(len(ablations) + 1, len(images.classes), device_)
    batches = list(images.batches(batch_size, device_))
    nodes_of = {a.layer: layer_nodes(graph, a.layer, semantics) for a in ablations}
    partner_values: list[dict[str, torch.Tensor]] = []
    if replacements is not None and replacements.partner is not None:
        # The partners' values at every mask node, computed once on the intact module (before any mask goes in).
        needed = {node for nodes in nodes_of.values() for node in nodes}
        for x, _ in images.batches(batch_size, device_, replacements.partner.tolist()):
            values = intact_values(module, x)
            partner_values.append({node: values[node] for node in needed})
    with autocast(device_, precision):
        intact = []
        for x, y in batches:
            counts.images.index_add_(0, y, torch.ones_like(y))
            found = hits(module(x).unsqueeze(0), y)
            intact.append((found[0][0], found[1][0]))
            counts.add([0], found, intact[-1], y)
        for row, ablation in enumerate(ablations, start=1):
            nodes = nodes_of[ablation.layer]
            means = replacements.of(nodes, None) if replacements is not None and replacements.means else None
            masks = NodeMasks(graph, nodes, list(ablation.filters), means)
            try:
                for index, (x, y) in enumerate(batches):
                    for node, mask in masks.masks.items() if partner_values else ():
                        mask.replacement = partner_values[index][node]
                    counts.add([row], hits(module(x).unsqueeze(0), y), intact[index], y)
            finally:
                masks.remove()
    return counts.cpu()
