"""The VGG study's input pipeline on real JPEGs: images/s of the evaluation-cache build (decode, resize, centre crop)
and of training batches (RandomResizedCrop, flip, normalise) through the DataLoader, by worker count, with and without
persistent workers. Prints one row per setting and the ratio to a single process in the same run.

    python benchmarks/input_pipeline.py --folder ../shared/data/imagenet-sample/val [--epochs 3]
"""

from __future__ import annotations

import argparse
import os
import time

import torch

from ablation.vgg import imagenet
from ablation.vgg.training import training_batches


def cache_build(folder: str, workers: int) -> float:
    start = time.perf_counter()
    images = imagenet.decode(folder, resize=256, crop=224, workers=workers)
    return len(images) / (time.perf_counter() - start)


def training(folder: str, workers: int, epochs: int, batch_size: int, persistent: bool) -> float:
    """Images/s over `epochs` epochs of training batches, as recovery training draws them (batches only)."""
    data = imagenet.training_set(folder, crop=224)
    start, seen = time.perf_counter(), 0
    if persistent:  # one loader for every epoch: its worker processes start once
        loader = torch.utils.data.DataLoader(data, batch_size=batch_size, shuffle=True, num_workers=workers,
                                             persistent_workers=workers > 0,
                                             generator=torch.Generator().manual_seed(0))
        for _ in range(epochs):
            seen += sum(len(labels) for _, labels in loader)
    else:  # as training_batches does: a loader per epoch, seeded per epoch
        for epoch in range(epochs):
            seen += sum(len(labels) for _, labels in training_batches(data, batch_size, epoch, "cpu", workers))
    return seen / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folder", required=True, help="an ImageNet folder (<wnid>/<image>.JPEG)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()
    cpus = len(os.sched_getaffinity(0))
    print(f"torch {torch.__version__}, {cpus} CPUs, {args.folder}")
    base = cache_build(args.folder, 0)
    print(f"cache build, 0 workers: {base:.1f} images/s")
    for workers in (1, 2, cpus) if cpus > 2 else (1, 2):
        rate = cache_build(args.folder, workers)
        print(f"cache build, {workers} workers: {rate:.1f} images/s ({rate / base:.2f}x)")
    base = training(args.folder, 0, args.epochs, args.batch_size, persistent=False)
    print(f"training batches, 0 workers: {base:.1f} images/s")
    for workers in (1, 2):
        for persistent in (False, True):
            rate = training(args.folder, workers, args.epochs, args.batch_size, persistent)
            print(f"training batches, {workers} workers{', persistent' if persistent else ''}: {rate:.1f} images/s "
                  f"({rate / base:.2f}x)")


if __name__ == "__main__":
    main()
