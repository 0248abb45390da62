"""Building and saving the filter study's other models: torchvision's classifiers by name (random weights, its
pretrained ones, or a state_dict), the embedded residual network, or a user's own module by import path.
"""

from __future__ import annotations

import importlib
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torchvision
from torch import nn
from torchvision.models.resnet import BasicBlock, ResNet

from ablation.core import weights as weight_files
from ablation.core.errors import InputError
from ablation.models.names import EMBEDDED, IMPORT_PATH, is_import_path, is_weights_file

RESNET_WIDTHS, BLOCKS_PER_STAGE = (64, 128, 256, 512), 1


class EmbeddedResNet(ResNet):
    """The ResNet stage layout (a stem, four stages of BasicBlocks, projection shortcuts where a stage halves the
    size: ResNet-18's with one block per stage instead of two, a ResNet-10) with every width / `width_divisor`, for
    32x32 digits: a 3x3 stem of stride 2 without max pool (16x16 into the first stage, 2x2 into the last).
    torchvision's own blocks and layer names (`layer2.0.downsample.0`). One block per stage keeps every coupling (each
    stage's stream joins its projection, or the stem, and its block), and the stem's stride a third of the cost (about
    97 % top-1 on the default's digits; 14 s of training down to 4 s on 2 cores): the default run grows by at most a
    minute."""

    def __init__(self, width_divisor: int, classes: int) -> None:
        nn.Module.__init__(self)
        widths = [width // width_divisor for width in RESNET_WIDTHS]
        self._norm_layer, self.dilation, self.groups, self.base_width = nn.BatchNorm2d, 1, 1, 64
        self.inplanes = widths[0]
        self.conv1 = nn.Conv2d(3, widths[0], 3, stride=2, padding=1, bias=False)
        self.bn1, self.relu, self.maxpool = nn.BatchNorm2d(widths[0]), nn.ReLU(inplace=True), nn.Identity()
        self.layer1 = self._make_layer(BasicBlock, widths[0], BLOCKS_PER_STAGE)
        self.layer2 = self._make_layer(BasicBlock, widths[1], BLOCKS_PER_STAGE, stride=2)
        self.layer3 = self._make_layer(BasicBlock, widths[2], BLOCKS_PER_STAGE, stride=2)
        self.layer4 = self._make_layer(BasicBlock, widths[3], BLOCKS_PER_STAGE, stride=2)
        self.avgpool, self.fc = nn.AdaptiveAvgPool2d(1), nn.Linear(widths[3], classes)


@dataclass(frozen=True)
class Architecture:
    """Enough to rebuild the network from a state_dict."""

    model: str  # a torchvision classifier, `embedded_resnet`, or package.module:Class
    classes: int
    width_divisor: int  # embedded_resnet only

    def build(self) -> nn.Module:
        if self.model == EMBEDDED:
            return EmbeddedResNet(self.width_divisor, self.classes)
        if is_import_path(self.model):
            match = IMPORT_PATH.match(self.model)
            assert match is not None
            return getattr(importlib.import_module(match["module"]), match["attribute"])()
        return torchvision.models.get_model(self.model, weights=None, num_classes=self.classes)


def check_state_dict(state_dict: object, architecture: Architecture, origin: str) -> dict[str, torch.Tensor]:
    """The weights of `architecture`, or an InputError naming the first missing, unexpected or misshaped key."""
    return weight_files.check_state_dict(state_dict, architecture.build, origin, architecture.model,
                                         architecture.classes, "the state_dict of that model")


def built(architecture: Architecture, weights: str | None, seed: int, config_key: str) -> tuple[nn.Module, str]:
    """The network with its weights, and where they came from in words: random (seeded), torchvision's named
    weights (downloaded, hash-checked, into TORCH_HOME), or a state_dict file (loaded with weights_only)."""
    torch.manual_seed(seed)
    network = architecture.build()
    if not weights:
        return network.eval(), f"{architecture.model}, random weights (seed {seed})"
    if is_weights_file(weights):
        state_dict = weight_files.load_state_dict(
            weights, config_key, lambda loaded, origin: check_state_dict(loaded, architecture, origin))
        network.load_state_dict(state_dict)
        return network.eval(), f"{architecture.model}, weights from '{weights}'"
    try:
        named = torchvision.models.get_model_weights(architecture.model)[weights]
    except (KeyError, ValueError):
        raise InputError(f"{config_key}: '{weights}' is not a weights name of torchvision's {architecture.model}; "
                         "give DEFAULT, one of its names (IMAGENET1K_V1, ...) or a state_dict file") from None
    network.load_state_dict(named.get_state_dict(progress=False, check_hash=True))
    return network.eval(), f"torchvision {architecture.model} {named.name} ({named.url})"


def save_network(path: str | Path, architecture: Architecture, network: nn.Module, source: str) -> None:
    torch.save({"architecture": asdict(architecture), "state_dict": network.state_dict(), "source": source}, path)


def load_network(path: str | Path) -> tuple[nn.Module, str]:
    saved = torch.load(path, map_location="cpu", weights_only=True)
    network = Architecture(**saved["architecture"]).build()
    network.load_state_dict(saved["state_dict"])
    return network.eval(), saved["source"]
