"""Shared fixtures: the real MNIST files beside the repository (skipped cleanly where absent)."""

from __future__ import annotations

import functools
import shutil
import threading
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

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
    from ablation.mnist import load_from_folder

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
