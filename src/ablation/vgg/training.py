"""Training a VGG: the embedded default from scratch on digits, and the epoch loop recovery training reuses.

Every epoch draws its minibatch order (and dropout) from a seed derived from (seed, epoch, ...), so a run
resumed from an epoch checkpoint continues exactly as an uninterrupted one.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset

from ablation.core.logs import Progress
from ablation.vgg import ablation as filter_ablation
from ablation.vgg.images import ImageSet

log = logging.getLogger("ablation")
# Training and the test evaluations between its epochs: bf16 autocast on a GPU, float32 on a CPU (the sweep has
# its own setting, vgg.ablation.precision); the embedded network's test evaluation runs in batches of 64.
PRECISION, EVALUATION_BATCH = "auto", 64
TrainingData = ImageSet | Dataset  # digits in memory, or an ImageNet training folder decoded on the fly


@dataclass(frozen=True)
class TrainingSettings:
    """As `vgg.embedded` in the config, the only source of defaults."""

    epochs: int
    batch_size: int
    learning_rate: float
    momentum: float
    seed: int


def derived_seed(*parts: object) -> int:
    return zlib.crc32("/".join(map(str, parts)).encode())


def training_batches(data: TrainingData, batch_size: int, seed: int, device: str,
                     workers: int = 0) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """One epoch of shuffled minibatches, normalised, on `device`; the order is fixed by `seed`."""
    generator = torch.Generator().manual_seed(seed)
    if isinstance(data, ImageSet):
        order = torch.randperm(len(data), generator=generator)
        for start in range(0, len(order), batch_size):
            chosen = order[start:start + batch_size]
            yield data.normalise(data.images[chosen].to(device)), data.labels[chosen].to(device)
        return
    loader = DataLoader(data, batch_size=batch_size, shuffle=True, generator=generator, num_workers=workers,
                        pin_memory=device.startswith("cuda"), persistent_workers=False)
    for images, labels in loader:
        yield images.to(device, non_blocking=True), labels.to(device, non_blocking=True)


class Preempted(Exception):
    """Training stopped at a batch boundary because the job is asked to stop (SIGTERM at a cluster's time limit)."""

    def __init__(self, batches: int) -> None:
        super().__init__(f"stopped after {batches} batches")
        self.batches = batches  # batches of this call done


def train_epoch(forward: Callable[[torch.Tensor], torch.Tensor], optimizer: torch.optim.Optimizer,
                batches: Iterator[tuple[torch.Tensor, torch.Tensor]], device: str,
                after_step: Callable[[], None] | None = None, stop: Callable[[], bool] | None = None,
                progress: Progress | None = None) -> float:
    """One pass over `batches`; returns the mean cross-entropy. Raises `Preempted` after the first step at which
    `stop()` is true. `progress` (in images) advances every batch."""
    total, count = 0.0, 0
    for done, (images, labels) in enumerate(batches, start=1):
        with filter_ablation.autocast(device, PRECISION):
            loss = F.cross_entropy(forward(images).float(), labels)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if after_step is not None:
            after_step()
        total, count = total + float(loss.detach()) * len(labels), count + len(labels)
        if progress is not None:
            progress.advance(len(labels))
        if stop is not None and stop():
            raise Preempted(done)
    return total / max(count, 1)


class Buildable(Protocol):
    """An architecture that builds its network: the embedded VGG's, or another model's (`ablation.models`)."""

    def build(self) -> nn.Module: ...


def train_embedded(architecture: Buildable, train: ImageSet, test: ImageSet, settings: TrainingSettings,
                   device: str = "cpu") -> tuple[nn.Module, list[dict[str, float]]]:
    """An embedded network (the VGG19-BN, or another model on the digits) trained from scratch (SGD with momentum,
    cosine schedule); one history row per epoch."""
    torch.manual_seed(settings.seed)
    network = architecture.build().to(device)
    optimizer = torch.optim.SGD(network.parameters(), lr=settings.learning_rate, momentum=settings.momentum)
    # Cosine decay to zero: the network ends converged, so recovery training measures recovery, not more training.
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=settings.epochs)
    history = []
    # One report for the whole training, test images included: a line every tenth of it, not ten per epoch.
    progress = Progress(settings.epochs * (len(train) + len(test)),
                        f"training for {settings.epochs} epochs (training and test images)", "images")
    for epoch in range(1, settings.epochs + 1):
        torch.manual_seed(derived_seed(settings.seed, "dropout", epoch))
        network.train()
        loss = train_epoch(network, optimizer,
                           training_batches(train, settings.batch_size, derived_seed(settings.seed, epoch), device),
                           device, progress=progress)
        schedule.step()
        top1, top5 = filter_ablation.evaluate(network, test, batch_size=EVALUATION_BATCH, precision=PRECISION,
                                              device=device, progress=progress).accuracy()
        log.info("epoch %d/%d  loss %.4f  test top-1 %.2f %%  top-5 %.2f %%", epoch, settings.epochs, loss, top1, top5)
        history.append({"epoch": epoch, "train_loss": loss, "top1": top1, "top5": top5})
    return network.cpu().eval(), history
