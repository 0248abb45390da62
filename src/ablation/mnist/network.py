"""The paper's MNIST network (784-20-10-10, ReLU, no biases, softmax output) and a stack of many of them.

A stack holds the weights of N networks with the same architecture as tensors with a leading network axis, so
N networks train and evaluate as one batched model. `MLP` is the plain single-network module: the format of
imported networks and the reference that tests compare the stack against.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from ablation.core import weights
from ablation.core.errors import InputError
from ablation.mnist.architecture import CLASSES, HIDDEN_LAYERS, INPUTS, WEIGHT_SHAPES

HIDDEN1, HIDDEN2 = (width for width, _ in HIDDEN_LAYERS.values())
NORMALISE_MEAN, NORMALISE_STD = 0.5, 0.5


class MLP(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(INPUTS, HIDDEN1, bias=False)
        self.fc2 = nn.Linear(HIDDEN1, HIDDEN2, bias=False)
        self.fc3 = nn.Linear(HIDDEN2, CLASSES, bias=False)

    def hidden(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h1 = torch.relu(self.fc1(x))
        return h1, torch.relu(self.fc2(h1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits; the paper's softmax output is their argmax at prediction and log-softmax in the loss."""
        return self.fc3(self.hidden(x)[1])


def normalise(images: torch.Tensor) -> torch.Tensor:
    """uint8 digits (N, 28, 28) -> float inputs (N, 784), Normalize(0.5, 0.5) as in the authors' code."""
    return (images.reshape(len(images), -1).float() / 255.0 - NORMALISE_MEAN) / NORMALISE_STD


@dataclass
class Stack:
    """Weights of N networks: fc1 (N, 20, 784), fc2 (N, 10, 20), fc3 (N, 10, 10)."""

    fc1: torch.Tensor
    fc2: torch.Tensor
    fc3: torch.Tensor

    def __len__(self) -> int:
        return len(self.fc1)

    def tensors(self) -> list[torch.Tensor]:
        return [self.fc1, self.fc2, self.fc3]

    def network(self, index: int) -> dict[str, torch.Tensor]:
        """One network's state_dict, loadable into `MLP`."""
        return {f"{name}.weight": weights[index].clone()
                for name, weights in zip(("fc1", "fc2", "fc3"), self.tensors())}

    def select(self, indices: list[int]) -> Stack:
        return Stack(*(weights[indices] for weights in self.tensors()))

    @classmethod
    def of(cls, state_dicts: list[Mapping[str, torch.Tensor]]) -> Stack:
        return cls(*(torch.stack([sd[key].float() for sd in state_dicts]) for key in WEIGHT_SHAPES))

    @classmethod
    def concat(cls, stacks: list[Stack]) -> Stack:
        return cls(*(torch.cat(parts) for parts in zip(*(stack.tensors() for stack in stacks))))

    def hidden(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Hidden activations (N, B, 20) and (N, B, 10) for inputs x (B, 784) shared by all networks."""
        n = len(self)
        # One GEMM for all networks' first layers: they read the same input batch.
        h1 = torch.relu(x @ self.fc1.reshape(n * HIDDEN1, INPUTS).T).reshape(len(x), n, HIDDEN1).transpose(0, 1)
        return h1, torch.relu(torch.bmm(h1, self.fc2.transpose(1, 2)))

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        return torch.bmm(self.hidden(x)[1], self.fc3.transpose(1, 2))


def initial_weights(seeds: list[int]) -> Stack:
    """PyTorch's default `nn.Linear` initialisation of `MLP`, one network per seed (independent of N)."""
    state_dicts: list[Mapping[str, torch.Tensor]] = []
    for seed in seeds:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            state_dicts.append(MLP().state_dict())
    return Stack.of(state_dicts)


def check_state_dict(state_dict: object, origin: str) -> dict[str, torch.Tensor]:
    """The weights of one `MLP`, or an InputError that says what is wrong and what is expected."""
    expected = ", ".join(f"{key} {rows}x{cols}" for key, (rows, cols) in WEIGHT_SHAPES.items())
    if not isinstance(state_dict, Mapping) or not all(isinstance(v, torch.Tensor) for v in state_dict.values()):
        raise InputError(f"'{origin}' is not a PyTorch state_dict of tensors; "
                         f"save one with torch.save(model.state_dict()) holding {expected}")
    if set(state_dict) != set(WEIGHT_SHAPES):
        raise InputError(
            f"'{origin}' has keys {sorted(state_dict)}, expected exactly {sorted(WEIGHT_SHAPES)} "
            f"({expected}, no biases)"
        )
    for key, shape in WEIGHT_SHAPES.items():
        if tuple(state_dict[key].shape) != shape:
            raise InputError(f"'{origin}': {key} has shape {tuple(state_dict[key].shape)}, "
                             f"expected {shape} ({expected})")
    return {key: state_dict[key].float() for key in WEIGHT_SHAPES}


def load_state_dict(path: str | Path) -> dict[str, torch.Tensor]:
    """Load an external network's weights safely (weights_only: never unpickles arbitrary objects)."""
    return weights.load_state_dict(path, "mnist.import", check_state_dict)
