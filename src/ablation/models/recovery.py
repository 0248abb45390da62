"""Recovery training on any traced model (`ablation.vgg.recovery`'s experiments 1 and 2, with the model's layers):
the ablated units masked where the semantics puts them (`ablation.core.graph.mask_nodes`) and their writers'
weights and bias held at zero; everything that does not depend on the ablated layer frozen in eval mode (on a chain,
everything before it; on a residual network also the branches beside it, such as a projection shortcut).
"""

from __future__ import annotations

import torch
from torch import nn

from ablation.core import graph as traced
from ablation.vgg.recovery import AblatedLayer


def _writers(graph: traced.Graph, layer: str) -> list[str]:
    """The modules whose weights make the layer's units: the writer, or every writer of a stream."""
    if layer.startswith(traced.STREAM_PREFIX):
        return graph.streams()[layer[len(traced.STREAM_PREFIX):]]
    return [layer]


class GraphAblatedLayer:
    """`graph`'s model with `filters` of `layer` ablated (masks in its traced module, writers zeroed) and the
    modules that do not depend on the layer's writers frozen."""

    def __init__(self, graph: traced.Graph, layer: str, filters: list[int], semantics: str) -> None:
        self.graph, self.filters, self.writers = graph, filters, _writers(graph, layer)
        self.evaluated: nn.Module = graph.module
        self.keep_ablated()
        self.masks = traced.NodeMasks(graph, traced.mask_nodes(graph, layer, semantics == "literal"), filters)
        starts = {traced.writer_node(graph, writer) for writer in self.writers}
        after = set(starts)
        for node in graph.module.graph.nodes:
            if any(parent.name in after for parent in node.all_input_nodes):
                after.add(node.name)
        self.frozen = [graph.module.get_submodule(str(node.target)) for node in graph.module.graph.nodes
                       if node.op == "call_module" and node.name not in after]
        for module in self.frozen:
            module.requires_grad_(False)

    def trainable(self) -> list[nn.Parameter]:
        return [p for p in self.graph.module.parameters() if p.requires_grad]

    def train_mode(self) -> None:
        self.graph.module.train()
        for module in self.frozen:
            module.eval()

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.graph.module(images)

    @torch.no_grad()
    def keep_ablated(self) -> None:
        for writer in self.writers:
            module = self.graph.module.get_submodule(writer)
            for name in ("weight", "bias"):
                tensor = getattr(module, name, None)
                if isinstance(tensor, torch.Tensor):
                    tensor[list(self.filters)] = 0.0

    def close(self) -> None:
        self.masks.remove()
        for module in self.frozen:
            module.requires_grad_(True)


class GraphAblating:
    """How recovery ablates the layers of a traced model (`ablation.vgg.recovery.Ablating`)."""

    def __init__(self, graph: traced.Graph) -> None:
        self.graph = graph

    def channels(self, network: nn.Module, layer: str) -> int:
        return traced.unit_layers(self.graph)[layer]

    def ablate(self, network: nn.Module, layer: str, filters: list[int], semantics: str) -> AblatedLayer:
        return GraphAblatedLayer(self.graph, layer, filters, semantics)
