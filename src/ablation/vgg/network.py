"""VGG19-BN: torchvision's ImageNet network, and the embedded default with the same layers for small digits.

Both are torchvision's `VGG` built from the same 16-conv configuration ("E") with batch norm, so every layer
has torchvision's name (`features.33` is the same conv layer in both). The embedded default divides every
width by `width_divisor`, pools to 1x1 instead of 7x7 (digits are padded to 32x32: five pools leave 1x1) and
shrinks the classifier's hidden width; its classifier keeps the indices `classifier.0/3/6`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import cast

import torch
from torch import nn
from torchvision.models import VGG19_BN_Weights, vgg19_bn
from torchvision.models.vgg import VGG, cfgs, make_layers

from ablation.core import weights
from ablation.core.errors import InputError
from ablation.vgg.architecture import CONV_LAYERS
from ablation.vgg.images import ImageSet

CONFIGURATION = cfgs["E"]  # VGG19: 16 conv layers (widths) and 5 max pools ("M")
MODELS = ("embedded", "vgg19_bn")
DIGIT_SIZE = 32  # MNIST's 28x28 padded by 2: five 2x2 pools leave 1x1


def conv_layers() -> list[str]:
    """Names of the 16 conv layers in network order: conv, BatchNorm, ReLU per width; one module per pool."""
    names, index = [], 0
    for entry in CONFIGURATION:
        if entry == "M":
            index += 1
        else:
            names.append(f"features.{index}")
            index += 3
    return names



def features_index(layer: str) -> int:
    if layer not in CONV_LAYERS:
        raise InputError(f"unknown VGG layer '{layer}'; the conv layers are {', '.join(CONV_LAYERS)}")
    return int(layer.split(".")[1])


def features(network: nn.Module) -> nn.Sequential:
    """A VGG's conv part (torchvision's `features`), typed as what it is."""
    return cast(nn.Sequential, network.features)


def conv(network: nn.Module, layer: str) -> nn.Conv2d:
    """The conv module of `layer` (`features.<index>`)."""
    return cast(nn.Conv2d, features(network)[features_index(layer)])


@dataclass(frozen=True)
class Architecture:
    """Enough to rebuild the network from a state_dict."""

    model: str  # "embedded" or "vgg19_bn"
    classes: int
    width_divisor: int = 1
    hidden: int = 4096

    def build(self) -> VGG:
        if self.model == "vgg19_bn":
            return vgg19_bn(weights=None, num_classes=self.classes)
        widths = [entry if entry == "M" else entry // self.width_divisor for entry in CONFIGURATION]
        network = VGG(make_layers(widths, batch_norm=True), num_classes=self.classes)
        last = widths[-2]
        network.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        network.classifier = nn.Sequential(
            nn.Linear(last, self.hidden), nn.ReLU(True), nn.Dropout(),
            nn.Linear(self.hidden, self.hidden), nn.ReLU(True), nn.Dropout(),
            nn.Linear(self.hidden, self.classes),
        )
        return network


def embedded(width_divisor: int, classes: int = 10) -> Architecture:
    return Architecture("embedded", classes, width_divisor, hidden=max(64, 512 // width_divisor))


VGG19_BN = Architecture("vgg19_bn", 1000)


def check_state_dict(state_dict: object, architecture: Architecture, origin: str) -> dict[str, torch.Tensor]:
    """The weights of `architecture`, or an InputError naming the first missing, unexpected or misshaped key."""
    return weights.check_state_dict(state_dict, architecture.build, origin, f"torchvision's {architecture.model}",
                                    architecture.classes, "the state_dict of torchvision.models.vgg19_bn()")


def load_weights_file(path: str | Path) -> dict[str, torch.Tensor]:
    """A local vgg19_bn state_dict, loaded without unpickling code and checked key by key."""
    return weights.load_state_dict(path, "vgg.weights",
                                   lambda loaded, origin: check_state_dict(loaded, VGG19_BN, origin))


def pretrained_weights(path: str | None) -> tuple[dict[str, torch.Tensor], str]:
    """The IMAGENET1K_V1 weights from a local file, or downloaded (hash-checked) by torchvision into TORCH_HOME."""
    if path:
        return load_weights_file(path), f"torchvision vgg19_bn weights from '{path}'"
    weights = VGG19_BN_Weights.IMAGENET1K_V1
    return (weights.get_state_dict(progress=False, check_hash=True),
            f"torchvision vgg19_bn {weights.name} ({weights.url})")


def imagenet_class_names() -> list[str]:
    return list(VGG19_BN_Weights.IMAGENET1K_V1.meta["categories"])


def save_network(path: str | Path, architecture: Architecture, network: nn.Module, source: str,
                 history: list[dict[str, float]] | None = None) -> None:
    torch.save({"architecture": asdict(architecture), "state_dict": network.state_dict(), "source": source,
                "history": history or []}, path)


def load_network(path: str | Path) -> tuple[VGG, str]:
    saved = torch.load(path, map_location="cpu", weights_only=True)
    network = Architecture(**saved["architecture"]).build()
    network.load_state_dict(saved["state_dict"])
    return network.eval(), saved["source"]


def digit_images(images: torch.Tensor, labels: torch.Tensor, source: str) -> ImageSet:
    """uint8 digits (N, 28, 28) -> 3-channel 32x32 images, normalised like the MNIST study (mean 0.5, std 0.5)."""
    padded = nn.functional.pad(images, (2, 2, 2, 2)).unsqueeze(1).expand(-1, 3, -1, -1).contiguous()
    return ImageSet(padded, labels, [str(c) for c in range(10)], [0.5] * 3, [0.5] * 3, source)
