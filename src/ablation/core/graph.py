"""The units of any PyTorch classifier, found by tracing its graph (torch.fx), and the channels that additions
couple (issue 26's first part: the filter study beyond VGG).

Units are the output channels of every conv and the units of every linear layer but the last (the classes). Each
writer (a conv or linear layer) opens a channel space; modules and functions that keep channels (BatchNorm,
activations, pooling, dropout, permutes, a gate's product) pass it on. An addition couples its inputs' spaces:
channel c of every tensor summed there is one channel of a *stream* (a residual stage), written by every writer
whose output reaches one of the additions. Zeroing it at one writer leaves it alive through the others, so a stream
channel is ablated in every tensor of the stream, which silences it on every branch that reads it
(`StreamAblation`). A concatenation (dense blocks) couples nothing: each of its channels
keeps its one writer, and ablating it there silences it in every later layer that reads the concatenation; the
table says where each writer is read through one.

Products (a squeeze-and-excitation gate, a layer scale) keep the space of the factor with the output's shape, which
is why the graph's shapes are propagated from an example input.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import cast

import pandas as pd
import torch
import torch.fx
from torch import nn
from torch.fx.passes.shape_prop import ShapeProp

WRITERS = (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.Linear)
ADDS = {operator.add, operator.iadd, torch.add, "add", "add_"}
PRODUCTS = {operator.mul, operator.imul, torch.mul, "mul", "mul_"}
CONCATENATIONS = {torch.cat, torch.concat}
CHANNEL_AXIS = 1


class _Spaces:
    """Union-find over channel spaces: a space is named by the writer that opened it, or by the graph's input."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.order: dict[str, int] = {}  # a joined set is named by its space opened first (in graph order)

    def add(self, name: str) -> str:
        self.parent.setdefault(name, name)
        self.order.setdefault(name, len(self.order))
        return name

    def find(self, name: str) -> str:
        while self.parent[name] != name:
            self.parent[name] = self.parent[self.parent[name]]
            name = self.parent[name]
        return name

    def union(self, first: str, second: str) -> str:
        roots = sorted((self.find(first), self.find(second)), key=self.order.__getitem__)
        self.parent[roots[1]] = roots[0]
        return roots[0]


@dataclass
class Graph:
    """What tracing found: the writers in graph order with their widths, each traced tensor's space, the additions of
    each stream (by its root space), and the concatenations that read each writer."""

    module: torch.fx.GraphModule
    writers: dict[str, int] = field(default_factory=dict)  # writer -> channels (units)
    output_writer: str | None = None  # the last linear layer: its units are the classes
    spaces: dict[str, str] = field(default_factory=dict)  # node name -> space (before unions are resolved)
    additions: list[str] = field(default_factory=list)  # node names of the additions
    read_by_concatenation: dict[str, list[str]] = field(default_factory=dict)
    _union: _Spaces = field(default_factory=_Spaces)

    def space(self, node: str) -> str:
        return self._union.find(self.spaces[node])

    def streams(self) -> dict[str, list[str]]:
        """Root space of every stream (the spaces additions joined) -> its writers, in graph order."""
        joined = {self.space(node) for node in self.additions}
        return {root: [w for w in self.writers if self._union.find(w) == root and w != self.output_writer]
                for root in sorted(joined, key=self._union.order.__getitem__)}

    def units(self) -> pd.DataFrame:
        """One row per writer but the output layer: its kind, its channels, its stream (empty where no addition
        couples it), the stream's other writers, and the concatenations that read it."""
        streams = self.streams()
        rows = []
        for name, channels in self.writers.items():
            if name == self.output_writer:
                continue
            root = self._union.find(name)
            stream = root if root in streams else ""
            module = self.module.get_submodule(name)
            rows.append({"layer": name, "kind": "linear" if isinstance(module, nn.Linear) else "conv",
                         "channels": channels, "stream": stream,
                         "coupled_with": " ".join(w for w in streams.get(stream, []) if w != name),
                         "read_by_concatenation": " ".join(self.read_by_concatenation.get(name, []))})
        return pd.DataFrame(rows, columns=["layer", "kind", "channels", "stream", "coupled_with",
                                           "read_by_concatenation"])


def trace(model: nn.Module, example: torch.Tensor) -> Graph:
    """The units and couplings of `model` (eval mode), its shapes propagated from `example` (one input batch)."""
    module = torch.fx.symbolic_trace(model.eval())
    with torch.no_grad():
        ShapeProp(module).propagate(example)
    graph = Graph(module)
    linear = [node.target for node in module.graph.nodes
              if node.op == "call_module" and isinstance(module.get_submodule(str(node.target)), nn.Linear)]
    graph.output_writer = str(linear[-1]) if linear else None
    for node in module.graph.nodes:
        _visit(graph, node)
    return graph


def _tensor_inputs(graph: Graph, node: torch.fx.Node) -> list[torch.fx.Node]:
    arguments = [*node.args, *node.kwargs.values()]
    flat = [a for argument in arguments for a in (argument if isinstance(argument, list | tuple) else [argument])]
    return [a for a in flat if isinstance(a, torch.fx.Node) and a.name in graph.spaces]


def _shape(node: torch.fx.Node) -> tuple[int, ...] | None:
    meta = node.meta.get("tensor_meta")
    return tuple(meta.shape) if meta is not None and hasattr(meta, "shape") else None


def _visit(graph: Graph, node: torch.fx.Node) -> None:
    """Give `node` its channel space from its inputs (see the module's docstring)."""
    if node.op == "placeholder":
        graph.spaces[node.name] = graph._union.add(f"input:{node.name}")
        return
    inputs = _tensor_inputs(graph, node)
    if node.op == "call_module" and isinstance(graph.module.get_submodule(str(node.target)), WRITERS):
        name = str(node.target)
        shape = _shape(node)
        assert shape is not None, f"{name}: no shape; trace propagates them from an example input"
        graph.writers[name] = shape[-1] if isinstance(graph.module.get_submodule(name), nn.Linear) else shape[1]
        graph.spaces[node.name] = graph._union.add(name)
        return
    if not inputs:
        return  # constants, parameters (get_attr), the output node
    target = node.target
    if target in ADDS and len(inputs) > 1:
        space = graph.spaces[inputs[0].name]
        for other in inputs[1:]:
            space = graph._union.union(space, graph.spaces[other.name])
        graph.spaces[node.name] = space
        graph.additions.append(node.name)
    elif target in PRODUCTS and len(inputs) > 1:
        same = [i for i in inputs if _shape(i) == _shape(node)]  # the gated tensor, not the gate
        graph.spaces[node.name] = graph.spaces[(same or inputs)[0].name]
    elif target in CONCATENATIONS:
        graph.spaces[node.name] = graph._union.add(f"concatenation:{node.name}")
        for reader in inputs:
            for writer in _writers_of(graph, reader):
                graph.read_by_concatenation.setdefault(writer, []).append(node.name)
    else:
        graph.spaces[node.name] = graph.spaces[inputs[0].name]


def _writers_of(graph: Graph, node: torch.fx.Node) -> Iterator[str]:
    """The writers whose channels `node` carries (through channel-keeping steps and concatenations)."""
    space = graph.spaces[node.name]
    if space.startswith("concatenation:"):
        concatenation = next(n for n in graph.module.graph.nodes if n.name == space.split(":", 1)[1])
        for reader in _tensor_inputs(graph, concatenation):
            yield from _writers_of(graph, reader)
    elif space in graph.writers:
        yield space


class StreamAblation:
    """Zeroes `channels` of `stream` in every tensor of the stream (every writer's output and every step after it
    that keeps its channels, every addition), on the traced module `graph.module`, until `remove` restores it: no
    branch that reads the stream sees them, whatever BatchNorm adds after a zeroed writer."""

    def __init__(self, graph: Graph, stream: str, channels: list[int]) -> None:
        if stream not in graph.streams():
            raise ValueError(f"no stream '{stream}'; the streams: {', '.join(graph.streams()) or 'none'}")
        self.module = graph.module
        self.inserted: list[torch.fx.Node] = []
        index = tuple(int(channel) for channel in channels)  # a literal the generated code can print
        for node in list(self.module.graph.nodes):
            if node.op != "placeholder" and node.name in graph.spaces and graph.space(node.name) == stream:
                with self.module.graph.inserting_after(node):
                    masked = self.module.graph.call_function(_zero_channels, (node, index))
                node.replace_all_uses_with(masked, delete_user_cb=lambda user, m=masked: user is not m)
                self.inserted.append(masked)
        self.module.recompile()

    def remove(self) -> None:
        for masked in self.inserted:
            masked.replace_all_uses_with(cast(torch.fx.Node, masked.args[0]))
            self.module.graph.erase_node(masked)
        self.inserted = []
        self.module.recompile()


def _zero_channels(x: torch.Tensor, channels: tuple[int, ...]) -> torch.Tensor:
    """`x` with `channels` zero along the channel axis."""
    x = x.clone()
    x[:, list(channels)] = 0.0
    return x
