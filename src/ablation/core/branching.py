"""The branching engine on any traced classifier (`ablation.core.graph`): a batch's intact pass once, keeping every
node's value, then each group of ablations that masks the same node runs only the nodes downstream of it, on the
ablations stacked along the batch axis; every other input of those nodes (a skip connection's, a gate's) is the
intact value, repeated per ablation. On a chain (VGG) this is the VGG engine's branching; on a residual network the
skip connections read the intact stream until the masked branch joins it.
"""

from __future__ import annotations

from typing import Any, cast

import torch
import torch.fx
from torch.fx.node import map_arg


def intact_values(module: torch.fx.GraphModule, x: torch.Tensor) -> dict[str, Any]:
    """Every node's value on the batch `x` (the intact network), by node name."""
    values: dict[str, Any] = {}
    for node in module.graph.nodes:
        if node.op == "placeholder":
            values[node.name] = x
        elif node.op == "output":
            values[node.name] = map_arg(node.args[0], lambda n: values[n.name])
        else:
            values[node.name] = _run(module, node, values)
    return values


def downstream(module: torch.fx.GraphModule, start: str) -> list[torch.fx.Node]:
    """The nodes that depend on `start`, in graph order (`start` itself excluded)."""
    reached: set[str] = {start}
    found = []
    for node in module.graph.nodes:
        if any(parent.name in reached for parent in node.all_input_nodes):
            reached.add(node.name)
            found.append(node)
    return found


def _masked(value: torch.Tensor, keep: torch.Tensor, axis: int, replacement: torch.Tensor | None) -> torch.Tensor:
    """`value` (A * B, ...) with each ablation's channels (keep: (A, C), 0 where ablated; C along `axis` of an
    item) zeroed, or replaced by `replacement` (broadcasting against one ablation's (B, ...))."""
    ablations = len(keep)
    shaped = value.reshape(ablations, -1, *value.shape[1:])
    shape = [1] * shaped.dim()
    shape[0], shape[1 + axis % value.dim()] = ablations, keep.shape[1]
    view = keep.to(value.device, value.dtype).view(shape)
    if replacement is None:
        return (shaped * view).reshape(value.shape)
    return (shaped * view + replacement.to(value.device, value.dtype).unsqueeze(0) * (1 - view)).reshape(value.shape)


def branched_output(module: torch.fx.GraphModule, values: dict[str, Any], nodes: list[str], keep: torch.Tensor,
                    axes: dict[str, int] | None = None,
                    replacements: dict[str, torch.Tensor] | None = None) -> Any:
    """The output, (A, B, ...), with the channels that `keep` (A, C; 0 where ablated) removes zeroed in the
    output of every node in `nodes` (one node for a writer's channels, every tensor of a stream for a stream's),
    or replaced by `replacements[node]` (mean, resample: broadcasting against the node's intact value); `axes`: each
    node's channel axis (1 where not given). Only the nodes downstream of the masked ones run, on A * B items; other
    inputs are the intact `values`, repeated."""
    masked = set(nodes)
    order = list(module.graph.nodes)
    first = next(index for index, node in enumerate(order) if node.name in masked)
    ablations, batch = len(keep), values[order[first].name].shape[0]
    axes, replacements = axes or {}, replacements or {}

    def repeated(intact: Any) -> Any:
        if isinstance(intact, torch.Tensor) and intact.dim() > 0 and intact.shape[0] == batch:
            return intact.unsqueeze(0).expand(ablations, *intact.shape).reshape(ablations * batch, *intact.shape[1:])
        return intact  # parameters, shapes, scalars: the same for every ablation

    def masked_value(name: str, value: torch.Tensor) -> torch.Tensor:
        return _masked(value, keep, axes.get(name, 1), replacements.get(name))

    # A masked node that no earlier masked node reaches (a stream's projection shortcut beside its first block's
    # branch) starts from its intact value; every node that depends on a branched one runs on the ablations.
    # A branched value is dropped after its last reader: A * B items of every node would not fit at paper scale.
    last_read = {parent.name: index for index, node in enumerate(order) for parent in node.all_input_nodes}
    branched: dict[str, Any] = {}
    for index, node in enumerate(order[first:], start=first):
        if not any(n.name in branched for n in node.all_input_nodes):
            if node.name in masked:
                branched[node.name] = masked_value(node.name, repeated(values[node.name]))
            continue
        inputs = {n.name: branched[n.name] if n.name in branched else repeated(values[n.name])
                  for n in node.all_input_nodes}
        if node.op == "output":  # a classifier's one output tensor
            logits = cast(torch.Tensor, inputs[cast(torch.fx.Node, node.args[0]).name])
            return logits.reshape(ablations, batch, *logits.shape[1:])
        result = _run(module, node, inputs)
        branched[node.name] = masked_value(node.name, result) if node.name in masked else result
        for parent in node.all_input_nodes:
            if last_read[parent.name] == index:
                branched.pop(parent.name, None)
    raise ValueError(f"the output does not depend on {', '.join(nodes)}")


def _run(module: torch.fx.GraphModule, node: torch.fx.Node, values: dict[str, Any]) -> Any:
    """One node of the graph on `values` (its inputs by node name), as the generated code would run it."""
    args = map_arg(node.args, lambda n: values[n.name])
    kwargs = map_arg(node.kwargs, lambda n: values[n.name])
    if node.op == "call_module":
        return module.get_submodule(str(node.target))(*args, **kwargs)
    if node.op == "call_function":
        return node.target(*args, **kwargs)  # type: ignore[operator]
    if node.op == "call_method":
        return getattr(args[0], str(node.target))(*args[1:], **kwargs)
    if node.op == "get_attr":
        target: Any = module
        for part in str(node.target).split("."):
            target = getattr(target, part)
        return target
    raise ValueError(f"cannot run node {node.name} ({node.op})")
