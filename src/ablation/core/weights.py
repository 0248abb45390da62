"""Reading a user's weights file: never unpickling code, and one clear error for every way it can be broken."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import torch
from torch import nn

from ablation.core.errors import InputError


def load(path: str | Path, config_key: str) -> object:
    """The file's content, loaded with `weights_only=True`, or an InputError naming the file and the fix."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{config_key}: weights file '{path}' does not exist; fix the path in the config")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises many types, some with an empty message (a truncated archive)
        detail = next(iter(str(error).splitlines()), "")
        raise InputError(
            f"{config_key}: '{path}' is not a loadable PyTorch state_dict ({type(error).__name__}"
            f"{': ' + detail if detail else ''}); it is truncated or not a torch.save file: "
            "save the weights again with torch.save(model.state_dict(), path)"
        ) from None


def load_state_dict(path: str | Path, config_key: str,
                    check: Callable[[object, str], dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    """A state_dict that `check` accepts (keys and shapes) and whose weights are all finite."""
    state_dict = check(load(path, config_key), str(path))
    check_finite(state_dict, str(path))
    return state_dict


def check_finite(state_dict: Mapping[str, torch.Tensor], origin: str) -> None:
    """NaN or infinite weights would give tables of meaningless numbers: refuse them up front."""
    for key, tensor in state_dict.items():
        if tensor.is_floating_point():
            broken = int((~torch.isfinite(tensor)).sum())
            if broken:
                raise InputError(f"'{origin}': {key} holds {broken} NaN or infinite values (a diverged training run?); "
                                 "give weights that are all finite")


def check_state_dict(state_dict: object, build: Callable[[], nn.Module], origin: str, model: str, classes: int,
                     fix: str) -> dict[str, torch.Tensor]:
    """The weights for the module `build` makes (`model` with `classes` classes, in words), or an InputError naming
    the first missing, unexpected or misshaped key; `fix`: what to give instead."""
    with torch.device("meta"):  # shapes only: no memory, no random initialisation of millions of weights
        expected = build().state_dict()
    if not isinstance(state_dict, Mapping) or not all(isinstance(v, torch.Tensor) for v in state_dict.values()):
        raise InputError(f"'{origin}' is not a PyTorch state_dict of tensors; save one with "
                         "torch.save(model.state_dict(), path)")
    missing, unexpected = sorted(set(expected) - set(state_dict)), sorted(set(state_dict) - set(expected))
    if missing or unexpected:
        raise InputError(f"'{origin}' does not fit {model}: missing keys {missing[:3]}, unexpected keys "
                         f"{unexpected[:3]}; give {fix}")
    for key, tensor in expected.items():
        if state_dict[key].shape != tensor.shape:
            raise InputError(f"'{origin}': {key} has shape {tuple(state_dict[key].shape)}, expected "
                             f"{tuple(tensor.shape)} ({model} with {classes} classes)")
    return dict(state_dict)
