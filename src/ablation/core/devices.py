"""Where a computing job runs (config `device: auto | cpu | cuda`)."""

from __future__ import annotations

import torch


def device_for(requested: str = "auto") -> str:
    """`auto`: the GPU when there is one (rules that need one ask for gpu=1), else the CPU."""
    return ("cuda" if torch.cuda.is_available() else "cpu") if requested == "auto" else requested
