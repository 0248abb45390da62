"""What an ablated MNIST unit outputs (`mnist.analysis.semantics`; `ablation.core.semantics`):

- `zero`: the paper's operation, its incoming weights zeroed. With no biases its pre-activation is 0 and ReLU(0) = 0,
  so this is also zeroing its activation: one semantics for both.
- `mean`: its activation replaced by its mean over held-out digits (the training digits: never evaluated).
- `resample`: its activation replaced by its own activation on the test item's partner (a fixed, seeded
  derangement of the test items).

Each is a replacement value per network, test item and unit, which the engine (`ablation.masked_predictions`)
puts in where a mask removes a unit; `zero` needs none.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ablation.core.semantics import derangement
from ablation.mnist.network import Stack

SEMANTICS = ("zero", "mean", "resample")
PAPER = "zero"


@dataclass(frozen=True)
class Semantics:
    """One semantics, with what it needs: held-out means (N, 20) and (N, 10) for `mean`, the derangement's seed
    for `resample`."""

    name: str
    means: tuple[torch.Tensor, torch.Tensor] | None
    seed: int

    @classmethod
    def of(cls, name: str, stack: Stack, held_out: torch.Tensor, seed: int) -> Semantics:
        """`name` for the networks of `stack`, its means over the normalised held-out inputs (B, 784)."""
        if name not in SEMANTICS:
            raise ValueError(f"unknown MNIST ablation semantics '{name}'; known: {', '.join(SEMANTICS)}")
        if name != "mean":
            return cls(name, None, seed)
        with torch.no_grad():
            h1, h2 = stack.hidden(held_out)
        return cls(name, (h1.mean(1), h2.mean(1)), seed)

    def replacements(self, stack: Stack, inputs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor] | None:
        """What each ablated unit outputs on each of the normalised test inputs (B, 784): (N, B, 20) and
        (N, B, 10), or (N, 1, 20) and (N, 1, 10) where it is the same on every input (mean), or None for zero."""
        if self.name == PAPER:
            return None
        if self.name == "mean":
            assert self.means is not None
            return self.means[0][:, None, :], self.means[1][:, None, :]
        partner = torch.from_numpy(derangement(len(inputs), self.seed))
        with torch.no_grad():
            h1, h2 = stack.hidden(inputs)
        return h1[:, partner], h2[:, partner]

