"""The branching engine on traced classifiers (`ablation.core.branching`) against one plain forward pass per
ablation: a writer's channels and a stream's, on residual, dense and inverted-residual networks."""

from __future__ import annotations

import pytest
import torch
import torchvision

from ablation.core.branching import branched_output, intact_values
from ablation.core.graph import NodeMasks, stream_nodes, trace


def _keep(channels: int, ablated: list[list[int]]) -> torch.Tensor:
    keep = torch.ones(len(ablated), channels)
    for row, removed in enumerate(ablated):
        keep[row, removed] = 0.0
    return keep


@pytest.mark.parametrize("name", ["resnet18", "densenet121", "mobilenet_v3_small"])
def test_a_writers_channels_branch_to_the_plain_passes_logits(name):
    torch.manual_seed(0)
    model = getattr(torchvision.models, name)().eval()
    x = torch.randn(3, 3, 64, 64)
    graph = trace(model, x)
    writer = list(graph.writers)[len(graph.writers) // 2]  # a layer in the middle, skip connections around it
    node = next(n.name for n in graph.module.graph.nodes if n.op == "call_module" and n.target == writer)
    ablated = [[0], [1, 2], list(range(graph.writers[writer] // 4))]
    with torch.no_grad():
        values = intact_values(graph.module, x)
        assert torch.equal(values["output"], model(x)), "the interpreted intact pass is the model's"
        engine = branched_output(graph.module, values, [node], _keep(graph.writers[writer], ablated))
        for row, removed in enumerate(ablated):
            def zero(_module, _inputs, output, removed=removed):
                output = output.clone()
                output[:, removed] = 0.0
                return output

            handle = graph.module.get_submodule(writer).register_forward_hook(zero)
            plain = graph.module(x)
            handle.remove()
            assert torch.allclose(engine[row], plain, rtol=0, atol=1e-4), (name, writer, row)
            assert torch.equal(engine[row].topk(5).indices, plain.topk(5).indices), (name, writer, row)


def test_a_stream_channel_branches_to_the_stream_ablations_logits():
    torch.manual_seed(0)
    model = torchvision.models.resnet18().eval()
    x = torch.randn(2, 3, 64, 64)
    graph = trace(model, x)
    stream = list(graph.streams())[1]
    nodes = [n.name for n in graph.module.graph.nodes
             if n.op != "placeholder" and n.name in graph.spaces and graph.space(n.name) == stream]
    ablated = [[5], [0, 7, 9]]
    with torch.no_grad():
        engine = branched_output(graph.module, intact_values(graph.module, x), nodes,
                                 _keep(graph.writers[stream], ablated))
        for row, removed in enumerate(ablated):
            ablation = NodeMasks(graph, stream_nodes(graph, stream), removed)
            plain = graph.module(x)
            ablation.remove()
            assert torch.allclose(engine[row], plain, rtol=0, atol=1e-4)
            assert torch.equal(engine[row].topk(5).indices, plain.topk(5).indices)
