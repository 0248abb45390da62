"""Training of many MNIST networks at once as one batched model.

The networks differ only in their initial weights and see the same minibatches in the same order, as in the
paper. The loss is the sum of the networks' mean cross-entropies, so each network's gradient is exactly its
own, and SGD with momentum acts elementwise: the stack trains each network as if it were trained alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from ablation.core.logs import Progress
from ablation.mnist.architecture import CLASSES
from ablation.mnist.network import MLP, Stack, initial_weights, normalise

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainingSettings:
    """As `mnist.training` in the config, the only source of defaults."""

    epochs: int
    batch_size: int
    learning_rate: float
    momentum: float
    data_seed: int  # the minibatch order, shared by all networks


@dataclass
class TrainingResult:
    initial: Stack
    trained: Stack
    test_accuracy: torch.Tensor  # (epochs, N), percent, after each epoch
    train_loss: torch.Tensor  # (epochs, N), mean over the epoch's batches


def accuracy(stack: Stack, inputs: torch.Tensor, labels: torch.Tensor, batch: int = 10000) -> torch.Tensor:
    """Percent correct of every network in the stack, shape (N,)."""
    correct = torch.zeros(len(stack))
    with torch.no_grad():
        for start in range(0, len(inputs), batch):
            predictions = stack.logits(inputs[start : start + batch]).argmax(-1)
            correct += (predictions == labels[start : start + batch]).sum(-1)
    return 100.0 * correct / len(inputs)


def train(
    seeds: list[int],
    train_images: torch.Tensor,
    train_labels: torch.Tensor,
    test_images: torch.Tensor,
    test_labels: torch.Tensor,
    settings: TrainingSettings,
    on_epoch: Callable[[int, torch.Tensor, torch.Tensor], None] | None = None,
) -> TrainingResult:
    initial = initial_weights(seeds)
    weights = [w.clone().requires_grad_(True) for w in initial.tensors()]
    stack = Stack(*weights)
    optimiser = torch.optim.SGD(weights, lr=settings.learning_rate, momentum=settings.momentum)
    inputs, test_inputs = normalise(train_images), normalise(test_images)
    order = torch.Generator().manual_seed(settings.data_seed)
    n = len(seeds)
    accuracies, losses = [], []
    # One report for all epochs: the per-epoch lines (`on_epoch`) say how well, this one how fast.
    progress = Progress(settings.epochs * len(inputs), f"training {n} networks for {settings.epochs} epochs",
                        "images", log)
    for epoch in range(1, settings.epochs + 1):
        permutation = torch.randperm(len(inputs), generator=order)
        epoch_loss, batches = torch.zeros(n), 0
        for start in range(0, len(inputs), settings.batch_size):
            index = permutation[start : start + settings.batch_size]
            logits = stack.logits(inputs[index])  # (N, B, 10)
            per_network = F.cross_entropy(
                logits.reshape(-1, CLASSES), train_labels[index].repeat(n), reduction="none"
            ).reshape(n, -1).mean(1)
            optimiser.zero_grad(set_to_none=True)
            per_network.sum().backward()
            optimiser.step()
            epoch_loss += per_network.detach()
            batches += 1
            progress.advance(len(index))
        test_accuracy = accuracy(stack, test_inputs, test_labels)
        accuracies.append(test_accuracy)
        losses.append(epoch_loss / batches)
        if on_epoch is not None:
            on_epoch(epoch, losses[-1], test_accuracy)
    trained = Stack(*(w.detach().clone() for w in weights))
    return TrainingResult(initial, trained, torch.stack(accuracies), torch.stack(losses))


def train_alone(seed: int, train_images: torch.Tensor, train_labels: torch.Tensor, settings: TrainingSettings) -> MLP:
    """The plain reference: one `MLP`, one optimiser, the same minibatch order; what `train` must equal."""
    model = MLP()
    model.load_state_dict(initial_weights([seed]).network(0))
    optimiser = torch.optim.SGD(model.parameters(), lr=settings.learning_rate, momentum=settings.momentum)
    order = torch.Generator().manual_seed(settings.data_seed)
    inputs = normalise(train_images)
    for _ in range(settings.epochs):
        permutation = torch.randperm(len(inputs), generator=order)
        for start in range(0, len(inputs), settings.batch_size):
            batch = permutation[start : start + settings.batch_size]
            optimiser.zero_grad()
            F.cross_entropy(model(inputs[batch]), train_labels[batch]).backward()
            optimiser.step()
    return model
