"""A preprocessed image set: uint8 tensors decoded once, normalised to float only per batch.

The VGG study's evaluation images (ImageNet validation JPEGs, or digits for the embedded default) are decoded,
resized and cropped once into this form and cached in one file; every ablation reads the same tensor.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

IMAGENET_MEAN, IMAGENET_STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]


@dataclass(frozen=True)
class ImageSet:
    images: torch.Tensor  # uint8 (N, 3, H, W), already resized and cropped
    labels: torch.Tensor  # int64 (N,), class indices
    classes: list[str]  # class index -> name (a wnid, a class name, or a digit)
    mean: list[float]  # per-channel normalisation applied to images / 255
    std: list[float]
    source: str  # which data, in words: travels into every result's metadata and the report

    def __len__(self) -> int:
        return len(self.labels)

    def save(self, path: str | Path) -> None:
        torch.save(dict(self.__dict__), path)

    @classmethod
    def load(cls, path: str | Path) -> ImageSet:
        # mmap: a 50,000-image ImageNet cache (7.5 GB) is paged in per batch, not read into memory at once.
        return cls(**torch.load(path, map_location="cpu", weights_only=True, mmap=True))

    def normalise(self, images: torch.Tensor) -> torch.Tensor:
        mean = torch.tensor(self.mean, device=images.device).view(1, -1, 1, 1)
        std = torch.tensor(self.std, device=images.device).view(1, -1, 1, 1)
        return (images.float() / 255.0 - mean) / std

    def batches(self, batch_size: int, device: torch.device | str = "cpu",
                order: Sequence[int] | None = None) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """Normalised float images and labels, in order, or in `order` (batch by batch: a memory-mapped cache is
        never read whole)."""
        for start in range(0, len(self), batch_size):
            chosen = (slice(start, start + batch_size) if order is None
                      else torch.as_tensor(order[start:start + batch_size]))
            images = self.images[chosen].to(device, non_blocking=True)
            yield self.normalise(images), self.labels[chosen].to(device)

    def limited(self, count: int | None) -> ImageSet:
        """The first `count` images (all when None): a bounded run on a large set."""
        if count is None or count >= len(self):
            return self
        return ImageSet(self.images[:count], self.labels[:count], self.classes, self.mean, self.std,
                        f"{self.source}; first {count} images")


def staged(path: str | Path, folder: str | None) -> Path:
    """`path`, copied once into `folder` (node-local scratch; `$VARIABLES` expanded) where one is given: jobs on
    the same node share the copy, which is complete (written under a temporary name, then renamed) or absent."""
    if not folder:
        return Path(path)
    source, target_folder = Path(path), Path(os.path.expandvars(folder))
    target = target_folder / f"{source.stat().st_size}-{source.name}"
    if not target.exists():
        target_folder.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
        shutil.copyfile(source, partial)
        os.replace(partial, target)
    return target
