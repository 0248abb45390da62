"""The VGG networks: torchvision's layer names, and the user's weights file checked."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from ablation.core.errors import InputError
from ablation.vgg import network as vgg
from ablation.vgg.architecture import CONV_LAYERS


def test_layer_names_are_torchvisions_conv_layers():
    assert vgg.conv_layers() == CONV_LAYERS  # the constant, from torchvision's configuration
    for network in (vgg.VGG19_BN.build(), vgg.embedded(8).build()):
        for layer in CONV_LAYERS:
            index = vgg.features_index(layer)
            kinds = [type(network.features[index + k]) for k in range(3)]
            assert kinds == [nn.Conv2d, nn.BatchNorm2d, nn.ReLU], layer
    with pytest.raises(InputError, match="unknown VGG layer 'features.34'"):
        vgg.features_index("features.34")


def test_weights_files_are_checked(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        vgg.load_weights_file(tmp_path / "missing.pt")
    torch.save({"features.0.weight": torch.zeros(64, 3, 3, 3)}, tmp_path / "partial.pt")
    with pytest.raises(InputError, match="missing keys"):
        vgg.load_weights_file(tmp_path / "partial.pt")
    state = vgg.VGG19_BN.build().state_dict()
    state["classifier.6.weight"] = torch.zeros(10, 4096)
    with pytest.raises(InputError, match=r"classifier.6.weight has shape \(10, 4096\), expected \(1000, 4096\)"):
        vgg.check_state_dict(state, vgg.VGG19_BN, "weights.pt")
    (tmp_path / "code.pt").write_bytes(b"\x80\x04cos\nsystem\nq\x00.")  # a pickle that would import os.system
    with pytest.raises(InputError, match="vgg.weights: .* is not a loadable PyTorch state_dict"):
        vgg.load_weights_file(tmp_path / "code.pt")
    state = vgg.VGG19_BN.build().state_dict()
    state["features.40.weight"][3, 0, 1, 1] = float("inf")
    torch.save(state, tmp_path / "diverged.pt")
    with pytest.raises(InputError, match="features.40.weight holds 1 NaN or infinite values"):
        vgg.load_weights_file(tmp_path / "diverged.pt")
