"""Which models the filter study takes (config `models.<name>.model`), checked when the workflow is parsed: torch-free,
so that a wrong name is one line before any job starts.

- a torchvision classification model by name (`TORCHVISION_CLASSIFIERS`, torchvision's own list: a test keeps it
  equal to `torchvision.models.list_models(module=torchvision.models)`);
- `embedded_resnet`: the ResNet stage layout (one BasicBlock per stage) with reduced widths, trained here on the
  digits like the embedded VGG (with the embedded default only: at paper scale the workflow leaves it out);
- a user's own `nn.Module` as `package.module:Class` (built with no arguments), with its state_dict in `weights`.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from ablation.core.errors import InputError

EMBEDDED = "embedded_resnet"
TORCHVISION_CLASSIFIERS = (
    "alexnet", "convnext_base", "convnext_large", "convnext_small", "convnext_tiny", "densenet121", "densenet161",
    "densenet169", "densenet201", "efficientnet_b0", "efficientnet_b1", "efficientnet_b2", "efficientnet_b3",
    "efficientnet_b4", "efficientnet_b5", "efficientnet_b6", "efficientnet_b7", "efficientnet_v2_l",
    "efficientnet_v2_m", "efficientnet_v2_s", "googlenet", "inception_v3", "maxvit_t", "mnasnet0_5", "mnasnet0_75",
    "mnasnet1_0", "mnasnet1_3", "mobilenet_v2", "mobilenet_v3_large", "mobilenet_v3_small", "regnet_x_16gf",
    "regnet_x_1_6gf", "regnet_x_32gf", "regnet_x_3_2gf", "regnet_x_400mf", "regnet_x_800mf", "regnet_x_8gf",
    "regnet_y_128gf", "regnet_y_16gf", "regnet_y_1_6gf", "regnet_y_32gf", "regnet_y_3_2gf", "regnet_y_400mf",
    "regnet_y_800mf", "regnet_y_8gf", "resnet101", "resnet152", "resnet18", "resnet34", "resnet50",
    "resnext101_32x8d", "resnext101_64x4d", "resnext50_32x4d", "shufflenet_v2_x0_5", "shufflenet_v2_x1_0",
    "shufflenet_v2_x1_5", "shufflenet_v2_x2_0", "squeezenet1_0", "squeezenet1_1", "swin_b", "swin_s", "swin_t",
    "swin_v2_b", "swin_v2_s", "swin_v2_t", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19",
    "vgg19_bn", "vit_b_16", "vit_b_32", "vit_h_14", "vit_l_16", "vit_l_32", "wide_resnet101_2", "wide_resnet50_2",
)
IMPORT_PATH = re.compile(r"^(?P<module>[A-Za-z_][\w.]*):(?P<attribute>[A-Za-z_]\w*)$")
NAME = re.compile(r"^[A-Za-z][\w-]*$")  # a results folder and a report category


def is_import_path(model: str) -> bool:
    return IMPORT_PATH.match(model) is not None


def is_weights_file(weights: str) -> bool:
    """A path (it has a folder or a .pt/.pth suffix), not a torchvision weights name such as DEFAULT."""
    return "/" in weights or Path(weights).suffix in (".pt", ".pth")


def check(name: str, model: str, weights: str | None) -> None:
    """One InputError naming the problem and the fix, for the config entry `models.<name>`."""
    key = f"models.{name}"
    if not NAME.match(name):
        raise InputError(f"{key}: '{name}' names a results folder; use letters, digits, '_' and '-'")
    if model == EMBEDDED:
        return
    if is_import_path(model):
        module = IMPORT_PATH.match(model)["module"]  # type: ignore[index]
        try:
            found = importlib.util.find_spec(module)
        except (ImportError, ValueError):
            found = None
        if found is None:
            raise InputError(f"{key}.model: '{module}' is not an importable module; put it on PYTHONPATH (or "
                             "install it) and give package.module:Class")
        if not weights or not is_weights_file(weights):
            raise InputError(f"{key}.weights: your own model '{model}' needs its state_dict file "
                             "(torch.save(model.state_dict(), path))")
    elif model not in TORCHVISION_CLASSIFIERS:
        close = [m for m in TORCHVISION_CLASSIFIERS if m.startswith(model[:4])] or list(TORCHVISION_CLASSIFIERS[:5])
        raise InputError(f"{key}.model: unknown model '{model}'; give a torchvision classifier ({', '.join(close)}, "
                         f"...), {EMBEDDED}, or your own as package.module:Class")
    if weights and is_weights_file(weights) and not Path(weights).is_file():
        raise InputError(f"{key}.weights: '{weights}' does not exist; fix the path, or set it to null for random "
                         "weights")
