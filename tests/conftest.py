"""Shared fixtures: the real data beside the repository, skipped cleanly where absent, and the small study, run once
for every module that reads it (helpers: helpers.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import SHARED_MNIST, small_study, snakemake


@pytest.fixture(scope="session")
def mnist_raw() -> Path:
    if not all((SHARED_MNIST / f"{stem}.gz").exists() for stem in (
        "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")):
        pytest.skip(f"real MNIST not found at {SHARED_MNIST}")
    return SHARED_MNIST


@pytest.fixture()
def mnist_copy(mnist_raw: Path, tmp_path: Path) -> Path:
    """A writable copy of the four .gz files, for tests that damage one."""
    folder = tmp_path / "mnist"
    shutil.copytree(mnist_raw, folder)
    return folder


@pytest.fixture(scope="session")
def mnist_data(mnist_raw: Path):
    from ablation.core.digits import load_from_folder

    return load_from_folder(mnist_raw, verify_md5=True)


@pytest.fixture(scope="session")
def study(tmp_path_factory) -> Path:
    """The small study (.test/config/config.yaml) run to the end in a temporary folder; read it, don't change it."""
    workdir = tmp_path_factory.mktemp("study")
    result = snakemake(workdir, small_study(workdir))
    assert result.returncode == 0, result.stderr[-3000:]
    return workdir
