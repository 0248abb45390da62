"""Units and couplings found by tracing (`ablation.core.graph`): on planted residual, dense and gated networks whose
couplings are known, and on torchvision's residual, dense and inverted-residual classifiers."""

from __future__ import annotations

import pytest
import torch
import torchvision
from torch import nn

from ablation.core.graph import NodeMasks, stream_nodes, trace


class Residual(nn.Module):
    """stem -> two residual blocks on one stream (the second with a gate) -> a block with a projection shortcut
    (a second stream) -> hidden linear -> classes."""

    def __init__(self) -> None:
        super().__init__()
        self.stem, self.stem_bn = nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8)
        self.a1, self.a2 = nn.Conv2d(8, 8, 3, padding=1), nn.Conv2d(8, 8, 3, padding=1)
        self.b1, self.b2 = nn.Conv2d(8, 8, 3, padding=1), nn.Conv2d(8, 8, 3, padding=1)
        self.gate = nn.Conv2d(8, 8, 1)
        self.c1, self.c2 = nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.Conv2d(16, 16, 3, padding=1)
        self.projection = nn.Conv2d(8, 16, 1, stride=2)
        self.hidden, self.classes = nn.Linear(16, 12), nn.Linear(12, 5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.relu(self.stem_bn(self.stem(x)))
        x = torch.relu(x + self.a2(torch.relu(self.a1(x))))
        branch = self.b2(torch.relu(self.b1(x)))
        gate = torch.sigmoid(self.gate(nn.functional.adaptive_avg_pool2d(branch, 1)))
        x = torch.relu(gate * branch + x)
        x = torch.relu(self.c2(torch.relu(self.c1(x))) + self.projection(x))
        return self.classes(torch.relu(self.hidden(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))))


class Dense(nn.Module):
    """Each layer reads the concatenation of all earlier outputs: no addition, no stream."""

    def __init__(self) -> None:
        super().__init__()
        self.first, self.second, self.third = nn.Conv2d(3, 4, 1), nn.Conv2d(7, 4, 1), nn.Conv2d(11, 4, 1)
        self.classes = nn.Linear(15, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.cat([x, self.first(x)], 1)
        x = torch.cat([x, self.second(x)], 1)
        x = torch.cat([x, self.third(x)], 1)
        return self.classes(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


def test_additions_couple_the_writers_of_a_stream_and_nothing_else():
    graph = trace(Residual(), torch.zeros(2, 3, 8, 8))
    units = graph.units().set_index("layer")
    assert list(units.index) == ["stem", "a1", "a2", "b1", "b2", "gate", "c1", "c2", "projection", "hidden"]
    assert graph.streams() == {"stem": ["stem", "a2", "b2"], "c2": ["c2", "projection"]}
    assert units.stream.to_dict() == {"stem": "stem", "a1": "", "a2": "stem", "b1": "", "b2": "stem", "gate": "",
                                      "c1": "", "c2": "c2", "projection": "c2", "hidden": ""}
    assert units.coupled_with["a2"] == "stem b2" and units.channels["c2"] == 16 and units.kind["hidden"] == "linear"
    assert "classes" not in units.index, "the output layer's units are the classes"


def test_ablating_a_stream_channel_silences_it_on_every_branch_that_reads_it():
    torch.manual_seed(0)
    model = Residual()
    graph = trace(model, torch.zeros(2, 3, 8, 8))
    seen: dict[str, torch.Tensor] = {}
    readers = ["a1", "b1", "gate", "c1", "projection"]  # convs whose input is (pooled from) the first stream
    handles = [graph.module.get_submodule(name).register_forward_pre_hook(
        lambda _m, inputs, name=name: seen.__setitem__(name, inputs[0].detach().clone())) for name in readers]
    x = torch.randn(4, 3, 8, 8)
    graph.module(x)
    assert all(seen[name][:, 3].abs().sum() > 0 for name in readers)
    ablation = NodeMasks(graph, stream_nodes(graph, "stem"), [3])
    ablated = graph.module(x)
    for name in readers:  # each reads the stream, the gate through a pooled writer of it
        assert (seen[name][:, 3] == 0).all(), name
        assert (seen[name][:, [0, 1, 2, 4]] != 0).any(), name
    ablation.remove()
    for handle in handles:
        handle.remove()
    with torch.no_grad():
        assert torch.equal(graph.module(x), model(x)), "removed: the traced module is the model again"
        assert not torch.equal(ablated, model(x))


def test_concatenations_couple_nothing_and_say_who_reads_each_writer():
    graph = trace(Dense(), torch.zeros(1, 3, 4, 4))
    units = graph.units().set_index("layer")
    assert graph.streams() == {} and (units.stream == "").all()
    assert units.read_by_concatenation.to_dict() == {"first": "cat cat_1 cat_2", "second": "cat_1 cat_2",
                                                     "third": "cat_2"}


@pytest.mark.parametrize(("name", "streams", "writers"), [
    ("resnet18", 4, 20),  # one stream per stage; 17 convs + 3 projections
    ("densenet121", 0, 120),
    # 52 convs and the hidden linear; a stream per run of inverted residuals of one width: 24, 40, 48, 96 channels
    ("mobilenet_v3_small", 4, 53),
    ("resnet50", 4, 53),
    ("efficientnet_b0", 5, 81),  # the stages that repeat a block: 2 to 6
    ("convnext_tiny", 4, 58),  # 22 convs and 36 pointwise linear layers, which act on channels after a permute
    ("regnet_y_400mf", 4, 85),
    ("vgg19_bn", 0, 18),  # 16 convs and 2 hidden linear layers: no stream
])
def test_torchvision_classifiers(name, streams, writers):
    model = getattr(torchvision.models, name)()
    graph = trace(model, torch.zeros(1, 3, 64, 64))
    units = graph.units()
    assert len(graph.streams()) == streams and len(units) == writers
    assert (units.channels > 0).all()
