"""What made a result: data, settings, seeds and library versions, attached to every output."""

from __future__ import annotations

import json
import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

PACKAGES = ("ablation", "torch", "torchvision", "numpy", "scipy", "statsmodels", "pandas", "scikit-learn", "snakemake")


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for package in PACKAGES:
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = "not installed"
    return found


def record(data_source: str, settings: dict[str, object]) -> dict[str, object]:
    return {"data": data_source, "settings": settings, "versions": versions()}


def write(metadata: dict[str, object], path: str | Path) -> None:
    Path(path).write_text(json.dumps(metadata, indent=2, sort_keys=True) + "\n")


def read(path: str | Path) -> dict[str, object]:
    return json.loads(Path(path).read_text())
