"""Reading a user's weights file: never unpickling code, and one clear error for every way it can be broken."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import torch

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
