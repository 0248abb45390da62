"""Shared fixtures and helpers: the real data beside the repository (skipped cleanly where absent), a local server."""

from __future__ import annotations

import functools
import shutil
import threading
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from ablation.mnist import outcomes
from ablation.mnist.outcomes import Ablation, Outcomes

REPO = Path(__file__).resolve().parents[1]
SHARED_MNIST = REPO.parent / "shared" / "data" / "mnist" / "raw"
SHARED_IMAGENET = REPO.parent / "shared" / "data" / "imagenet-sample"
# The paper authors' published network (their file names; see ablation.authors).
SHARED_AUTHORS = REPO.parent / "shared" / "data" / "authors-mlp"


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
    from ablation.mnist.data import load_from_folder

    return load_from_folder(mnist_raw)


@contextmanager
def serve(folder: Path):
    """A mirror on 127.0.0.1 serving `folder`, as torchvision's real mirrors serve the MNIST files."""
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def planted_outcomes() -> Outcomes:
    """MNIST outcomes of one network where units 3, 8 and 15 do nothing and units 5 and 10 each gain a little on
    class 2 and together a lot."""
    rng = np.random.default_rng(3)
    ablations = outcomes.plan()
    labels = np.repeat(np.arange(10), 50)
    intact = rng.random(len(labels)) < 0.8
    correct = np.repeat(intact[None, None], len(ablations), axis=1).copy()
    index = {a: i for i, a in enumerate(ablations)}
    class2_wrong = np.flatnonzero((labels == 2) & ~intact)
    for ablation, row in index.items():
        units = set(ablation.units)
        if ablation.layer != "hidden1" or not units or units <= {2, 7, 14}:
            continue  # the intact network, and the negligible units 3, 8, 15 (0-based 2, 7, 14)
        correct[0, row, rng.choice(np.flatnonzero(intact), 5 * len(units), replace=False)] = False  # a cost
    for units, fixed in (((4,), 1), ((9,), 1), ((4, 9), 6)):
        correct[0, index[Ablation("hidden1", units)], class2_wrong[:fixed]] = True
    return Outcomes(["n"], ablations, labels, correct)
