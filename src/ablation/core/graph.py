"""The units of any PyTorch classifier, found by tracing its graph (torch.fx), and the channels that additions
couple (issue 26's first part: the filter study beyond VGG).

Units are the output channels of every conv and the units of every linear layer but the last (the classes). Each
writer (a conv or linear layer) opens a channel space; modules and functions that keep channels (BatchNorm,
activations, pooling, dropout, permutes, a gate's product) pass it on. An addition couples its inputs' spaces:
channel c of every tensor summed there is one channel of a *stream* (a residual stage), written by every writer
whose output reaches one of the additions. Zeroing it at one writer leaves it alive through the others, so a stream
channel is ablated in every tensor of the stream, which silences it on every branch that reads it
(`stream_nodes`, `NodeMasks`). A concatenation (dense blocks) couples nothing: each of its channels
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
# In-place steps and their out-of-place twins: tracing swaps them, so that a node's value, once computed, stays what
# it was (the branching engine keeps and reuses every intact value; torchvision's ResNet writes `out += identity`).
OUT_OF_PLACE = {operator.iadd: operator.add, operator.imul: operator.mul, torch.relu_: torch.relu,
                "add_": "add", "mul_": "mul", "relu_": "relu", "sigmoid_": "sigmoid", "clamp_": "clamp",
                "hardtanh_": "hardtanh", "sub_": "sub", "div_": "div"}


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
    axes: dict[str, int] = field(default_factory=dict)  # node name -> its channel axis (the last after a permute)
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
    _out_of_place(module)
    with torch.no_grad():
        ShapeProp(module).propagate(example)
    graph = Graph(module)
    linear = [node.target for node in module.graph.nodes
              if node.op == "call_module" and isinstance(module.get_submodule(str(node.target)), nn.Linear)]
    graph.output_writer = str(linear[-1]) if linear else None
    for node in module.graph.nodes:
        _visit(graph, node)
    return graph


def _out_of_place(module: torch.fx.GraphModule) -> None:
    """Every in-place step of `module` made out-of-place (`OUT_OF_PLACE`, modules' and functions' `inplace`)."""
    for node in module.graph.nodes:
        if node.op in ("call_function", "call_method") and node.target in OUT_OF_PLACE:
            node.target = OUT_OF_PLACE[node.target]
        if node.kwargs.get("inplace"):
            node.kwargs = {**node.kwargs, "inplace": False}
    for submodule in module.modules():
        if getattr(submodule, "inplace", False) is True:
            setattr(submodule, "inplace", False)  # noqa: B010 (nn.Module's typing has no `inplace`)
    module.recompile()


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
        graph.axes[node.name] = CHANNEL_AXIS
        return
    inputs = _tensor_inputs(graph, node)
    if node.op == "call_module" and isinstance(graph.module.get_submodule(str(node.target)), WRITERS):
        name = str(node.target)
        shape = _shape(node)
        assert shape is not None, f"{name}: no shape; trace propagates them from an example input"
        linear = isinstance(graph.module.get_submodule(name), nn.Linear)
        graph.writers[name] = shape[-1] if linear else shape[CHANNEL_AXIS]
        graph.spaces[node.name] = graph._union.add(name)
        graph.axes[node.name] = len(shape) - 1 if linear else CHANNEL_AXIS
        return
    if not inputs:
        return  # constants, parameters (get_attr), the output node
    target = node.target
    graph.axes[node.name] = _channel_axis(graph, node, inputs[0])
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


def _channel_axis(graph: Graph, node: torch.fx.Node, first: torch.fx.Node) -> int:
    """Where `node`'s channels lie: its first input's axis, moved by a permute (ConvNeXt's linear layers act on the
    last axis); a concatenation's along its own axis."""
    axis = graph.axes.get(first.name, CHANNEL_AXIS)
    if node.target in CONCATENATIONS:
        return int(cast(int, node.args[1] if len(node.args) > 1 else node.kwargs.get("dim", 0)))
    if node.op == "call_method" and node.target == "permute" or node.target is torch.permute:
        dims = cast(tuple, node.args[1:] if node.op == "call_method" else node.args[1])
        order = [int(d) for d in (dims[0] if len(dims) == 1 and isinstance(dims[0], list | tuple) else dims)]
        return [o % len(order) for o in order].index(axis % len(order))
    return axis


def _writers_of(graph: Graph, node: torch.fx.Node) -> Iterator[str]:
    """The writers whose channels `node` carries (through channel-keeping steps and concatenations)."""
    space = graph.spaces[node.name]
    if space.startswith("concatenation:"):
        concatenation = next(n for n in graph.module.graph.nodes if n.name == space.split(":", 1)[1])
        for reader in _tensor_inputs(graph, concatenation):
            yield from _writers_of(graph, reader)
    elif space in graph.writers:
        yield space


# Modules and functions that act on each channel alone, one input to one output: an ablation's `activation` mask
# point follows a writer through them (its BatchNorm and activation) to where the unit's output is complete.
PER_CHANNEL_MODULES = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.ReLU, nn.ReLU6, nn.SiLU, nn.GELU,
                       nn.Hardswish, nn.Hardsigmoid, nn.Sigmoid, nn.Tanh, nn.LeakyReLU, nn.ELU, nn.Mish, nn.Identity)
PER_CHANNEL_FUNCTIONS = {torch.relu, torch.relu_, nn.functional.relu, nn.functional.relu6, nn.functional.silu,
                         nn.functional.gelu, nn.functional.hardswish, nn.functional.hardsigmoid, torch.sigmoid,
                         nn.functional.sigmoid, "relu", "relu_", "sigmoid"}
STREAM_PREFIX = "stream-"  # a stream's unit name: the prefix and the stream's root writer (`stream-layer2.0.conv2`)


def writer_node(graph: Graph, writer: str) -> str:
    """The node that calls `writer` (a module called once; torchvision's classifiers call each conv once)."""
    calls = [n.name for n in graph.module.graph.nodes if n.op == "call_module" and n.target == writer]
    if len(calls) != 1:
        raise ValueError(f"'{writer}' is called {len(calls)} times; a unit's layer must be called once")
    return calls[0]


def activation_node(graph: Graph, writer: str) -> str:
    """Where `writer`'s units are complete: after the per-channel modules that only it feeds (its BatchNorm and
    activation); the writer's own node where another input or a channel-mixing step follows."""
    node = next(n for n in graph.module.graph.nodes if n.name == writer_node(graph, writer))
    while len(node.users) == 1:
        user = next(iter(node.users))
        per_channel = (user.op == "call_module"
                       and isinstance(graph.module.get_submodule(str(user.target)), PER_CHANNEL_MODULES)
                       or user.op in ("call_function", "call_method") and user.target in PER_CHANNEL_FUNCTIONS)
        if not per_channel or user.all_input_nodes != [node]:
            break
        node = user
    return node.name


def stream_nodes(graph: Graph, stream: str) -> list[str]:
    """Every tensor of `stream` (a root of `graph.streams()`), in graph order."""
    if stream not in graph.streams():
        raise ValueError(f"no stream '{stream}'; the streams: {', '.join(graph.streams()) or 'none'}")
    return [n.name for n in graph.module.graph.nodes
            if n.op != "placeholder" and n.name in graph.spaces and graph.space(n.name) == stream]


def unit_layers(graph: Graph) -> dict[str, int]:
    """Every ablatable layer and its channels: each writer but the output layer (a block's internal channels, or its
    contribution to a stream), then each stream (`STREAM_PREFIX` + its root writer: a channel everywhere it is
    written)."""
    layers = {name: channels for name, channels in graph.writers.items() if name != graph.output_writer}
    return {**layers, **{STREAM_PREFIX + root: graph.writers[root] for root in graph.streams()}}


def mask_nodes(graph: Graph, layer: str, zeroing_weights: bool) -> list[str]:
    """The nodes whose output an ablation of `layer` (a name of `unit_layers`) masks. A writer: its own output when
    the ablation zeroes its weights (`literal`: what BatchNorm then adds is left), else where its units are
    complete (`activation_node`). A stream: every writer's output of it (`literal`), else every tensor of it."""
    if layer.startswith(STREAM_PREFIX):
        stream = layer[len(STREAM_PREFIX):]
        if zeroing_weights:
            return [writer_node(graph, writer) for writer in graph.streams()[stream]]
        return stream_nodes(graph, stream)
    if layer not in graph.writers or layer == graph.output_writer:
        raise ValueError(f"no layer '{layer}' to ablate; the layers: {', '.join(unit_layers(graph))}")
    return [writer_node(graph, layer) if zeroing_weights else activation_node(graph, layer)]


class ChannelMask(nn.Module):
    """Keeps the channels where `keep` is 1 and puts `replacement` (zero where None) where it is 0, along `axis`.
    `replacement` broadcasts against the masked tensor: one value per channel, or a whole tensor (reset per batch)."""

    def __init__(self, keep: torch.Tensor, axis: int, replacement: torch.Tensor | None = None) -> None:
        super().__init__()
        self.keep, self.axis, self.replacement = keep, axis, replacement

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shape = [1] * x.dim()
        shape[self.axis] = -1
        keep = self.keep.to(x.device, x.dtype).view(shape)
        if self.replacement is None:
            return x * keep
        return x * keep + self.replacement.to(x.device, x.dtype) * (1 - keep)


class NodeMasks:
    """A `ChannelMask` after each of `nodes` of the traced module `graph.module` (the plain way to ablate, one
    forward pass at a time), until `remove` restores it. `replacements`: node -> what its removed channels output."""

    def __init__(self, graph: Graph, nodes: list[str], channels: list[int],
                 replacements: dict[str, torch.Tensor] | None = None) -> None:
        self.module = graph.module
        self.masks: dict[str, ChannelMask] = {}
        self.inserted: list[torch.fx.Node] = []
        by_name = {n.name: n for n in self.module.graph.nodes}
        for index, name in enumerate(nodes):
            width = _width(by_name[name], graph.axes[name])
            keep = torch.ones(width)
            keep[list(channels)] = 0.0
            mask = ChannelMask(keep, graph.axes[name], (replacements or {}).get(name))
            target = f"ablation_mask_{index}"
            self.module.add_submodule(target, mask)
            self.masks[name] = mask
            with self.module.graph.inserting_after(by_name[name]):
                masked = self.module.graph.call_module(target, (by_name[name],))
            by_name[name].replace_all_uses_with(masked, delete_user_cb=lambda user, m=masked: user is not m)
            self.inserted.append(masked)
        self.module.recompile()

    def remove(self) -> None:
        for masked in self.inserted:
            masked.replace_all_uses_with(cast(torch.fx.Node, masked.args[0]))
            self.module.graph.erase_node(masked)
            delattr(self.module, str(masked.target))
        self.inserted = []
        self.module.recompile()


def _width(node: torch.fx.Node, axis: int) -> int:
    shape = _shape(node)
    assert shape is not None, f"{node.name}: no shape; trace propagates them from an example input"
    return shape[axis]
