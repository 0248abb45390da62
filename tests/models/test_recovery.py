"""Recovery training on a traced residual network (`ablation.models.recovery`): what does not depend on the ablated
layer stays frozen (the branch beside it too), the ablated units stay ablated, and what depends on them retrains."""

from __future__ import annotations

import pytest
import torch

from ablation.core.graph import trace
from ablation.models.network import EmbeddedResNet
from ablation.models.recovery import GraphAblating
from ablation.vgg.images import ImageSet
from ablation.vgg.training import train_epoch, training_batches

CLASSES = 10


@pytest.fixture
def digits() -> ImageSet:
    generator = torch.Generator().manual_seed(0)
    images = torch.randint(0, 256, (64, 3, 32, 32), dtype=torch.uint8, generator=generator)
    labels = torch.randint(0, CLASSES, (64,), generator=generator)
    return ImageSet(images, labels, [str(c) for c in range(CLASSES)], [0.5] * 3, [0.5] * 3, "random digits")


@pytest.mark.parametrize(("layer", "semantics"), [("layer2.0.conv1", "literal"),
                                                  ("stream-layer2.0.conv2", "activation")])
def test_retraining_freezes_what_does_not_depend_on_the_layer(digits, layer, semantics):
    torch.manual_seed(0)
    graph = trace(EmbeddedResNet(8, CLASSES), next(digits.batches(2))[0])
    before = {key: value.clone() for key, value in graph.module.state_dict().items()}
    filters = [1, 4, 9]
    model = GraphAblating(graph).ablate(graph.module, layer, filters, semantics)
    optimizer = torch.optim.SGD(model.trainable(), lr=0.1, momentum=0.9)
    model.train_mode()
    train_epoch(model.forward, optimizer, training_batches(digits, 16, seed=0, device="cpu"), "cpu",
                model.keep_ablated)
    after = graph.module.state_dict()
    frozen = ["conv1.", "bn1.", "layer1."] + (["layer2.0.downsample."] if layer == "layer2.0.conv1" else [])
    for key in before:
        if any(key.startswith(prefix) for prefix in frozen):
            assert torch.equal(before[key], after[key]), f"{key} moved although it does not depend on {layer}"
    writers = ["layer2.0.conv1"] if layer == "layer2.0.conv1" else ["layer2.0.conv2", "layer2.0.downsample.0"]
    for writer in writers:
        assert (graph.module.get_submodule(writer).weight[filters] == 0).all(), writer
    assert not torch.equal(before["layer3.0.conv1.weight"], after["layer3.0.conv1.weight"])
    assert not torch.equal(before["fc.weight"], after["fc.weight"])
    seen = {}
    handle = graph.module.get_submodule("layer3.0.conv1").register_forward_pre_hook(
        lambda _m, inputs: seen.__setitem__("input", inputs[0]))
    model.evaluated.eval()
    with torch.no_grad():
        model.evaluated(next(digits.batches(8))[0])
    handle.remove()
    if semantics == "activation":  # the stream's channels are gone from every tensor of it, the stage's output too
        assert (seen["input"][:, filters] == 0).all()
    model.close()
    assert all(p.requires_grad for p in graph.module.parameters()), "closed: everything trains again"
