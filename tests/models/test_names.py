"""The models the filter study takes (`ablation.models.names`): torchvision's list as torchvision has it, and one
line for each way an entry of `models` can be wrong."""

from __future__ import annotations

import pytest
import torch
import torchvision

from ablation.core.errors import InputError
from ablation.core.graph import trace, unit_layers
from ablation.models import names
from ablation.models.network import Architecture, EmbeddedResNet, built, load_network, save_network


def test_the_torch_free_list_is_torchvisions():
    assert list(names.TORCHVISION_CLASSIFIERS) == torchvision.models.list_models(module=torchvision.models)


@pytest.mark.parametrize(("model", "weights", "message"), [
    ("resnet81", None, "unknown model 'resnet81'"),
    ("no.such.module:Net", "net.pt", "'no.such.module' is not an importable module"),
    ("collections:OrderedDict", None, "needs its state_dict file"),
    ("resnet18", "missing/weights.pt", "'missing/weights.pt' does not exist"),
])
def test_a_wrong_entry_is_one_line(model, weights, message):
    with pytest.raises(InputError, match=message):
        names.check("net", model, weights)


def test_a_right_entry_passes(tmp_path):
    names.check("net", "mobilenet_v3_small", "DEFAULT")
    (tmp_path / "net.pt").touch()
    names.check("own-net", "ablation.models.network:EmbeddedResNet", str(tmp_path / "net.pt"))
    names.check("net", "embedded_resnet", None)


def test_the_embedded_resnet_has_the_resnet_stages_and_streams():
    network = EmbeddedResNet(8, 10)
    graph = trace(network, torch.zeros(2, 3, 32, 32))
    layers = unit_layers(graph)
    assert list(graph.streams()) == ["conv1", "layer2.0.conv2", "layer3.0.conv2", "layer4.0.conv2"]
    assert graph.streams()["layer2.0.conv2"] == ["layer2.0.conv2", "layer2.0.downsample.0"]
    assert layers["layer1.0.conv1"] == 8 and layers["stream-layer4.0.conv2"] == 64 and len(layers) == 12 + 4
    # torchvision's ResNet-18 names, its first block of each stage.
    reference = unit_layers(trace(torchvision.models.resnet18(), torch.zeros(1, 3, 64, 64)))
    assert [name for name in layers if "stream" not in name] == [name for name in reference
                                                             if ".1." not in name and "stream" not in name]


def test_a_state_dict_file_round_trips_and_a_wrong_one_is_one_line(tmp_path):
    architecture = Architecture("resnet18", 10, 1)
    network, source = built(architecture, None, 0, "models.r.weights")
    assert "random weights (seed 0)" in source
    torch.save(network.state_dict(), tmp_path / "weights.pt")
    loaded, source = built(architecture, str(tmp_path / "weights.pt"), 1, "models.r.weights")
    assert all(torch.equal(a, b) for a, b in zip(network.state_dict().values(), loaded.state_dict().values()))
    save_network(tmp_path / "network.pt", architecture, loaded, source)
    assert load_network(tmp_path / "network.pt")[1] == source
    torch.save(torchvision.models.resnet34().state_dict(), tmp_path / "other.pt")
    with pytest.raises(InputError, match="does not fit resnet18: missing keys"):
        built(architecture, str(tmp_path / "other.pt"), 0, "models.r.weights")
    with pytest.raises(InputError, match="'BEST' is not a weights name of torchvision's resnet18"):
        built(architecture, "BEST", 0, "models.r.weights")
