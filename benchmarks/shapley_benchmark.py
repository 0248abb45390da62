"""Benchmark of the exact Shapley values of the MNIST network's 20 first-layer units against sampling, in one run.

The exact path (ablation.mnist.lesion_sets.hidden1_counts) decides every test item under all 2^20 lesion sets; the
Shapley values and interaction indices then follow exactly from the accuracies (ablation.core.shapley). Reported,
each figure against a baseline measured in the same run:
- the exact path's wall time (warm; the first call, which compiles or loads the numba kernel, is shown apart),
  lesion sets/s, set-items/s, how many (set, item) decisions it made (each digit only under the subsets of its
  active units) and how many of those it rechecked directly;
- the FLOP floor of deciding every set and item: per (set, item) the output layer needs at least 200 flops: 10 adds
  (the two halves' partial sums of the second layer's pre-activation), 10 ReLU and 9 margins W3[label] - W3[c] over
  10 units (90 multiply-adds, 2 flops each); at the float32 matmul throughput (torch.mm, 2048 x 2048, same threads)
  of this machine; and the same floor for only the set-items decided;
- the direct evaluation (ablation.mnist.ablation.masked_predictions, float32) on random lesion sets, extrapolated
  to 2^20; whether the exact path's counts for those sets equal the exact direct evaluation's
  (ablation.mnist.ablation.exact_predictions), and on how many sets float32's differ (items within float32
  rounding of a tie, which it decides by the order of its sums);
- msapy (the reference MSA library) at equal wall time: P permutations such that it takes about as long as the
  exact counts and values; its error against the exact values in percentage points and in its own standard
  errors; and the project's own sampler (ablation.core.shapley.sample_values) with the same P.

Real MNIST and the authors' trained network from ../shared/data when present, else the bundled digits and an
untrained network.

    python benchmarks/shapley_benchmark.py [--items 10000] [--seconds 60]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numba
import numpy as np
import torch
from msapy import msa

from ablation.core.digits import load_bundled, load_from_folder
from ablation.core.shapley import exact_interactions, exact_values, sample_values
from ablation.mnist.ablation import exact_predictions, masked_predictions
from ablation.mnist.lesion_sets import LesionCounts, hidden1_counts
from ablation.mnist.network import Stack, initial_weights, load_state_dict, normalise

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
UNITS, CLASSES = 20, 10
SETS = 2**UNITS
FLOPS_PER_SET_ITEM = 10 + 10 + 2 * 9 * 10


def timed(function: Callable[..., Any], *arguments: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = function(*arguments)
    return time.perf_counter() - start, result


def matmul_throughput(n: int = 2048, seconds: float = 2.0) -> float:
    a, b = torch.randn(n, n), torch.randn(n, n)
    torch.mm(a, b)
    runs, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        torch.mm(a, b)
        runs += 1
    return 2 * n**3 * runs / (time.perf_counter() - start)


class Game:
    """Overall test accuracy (%) of one network under lesion masks of its first layer, evaluated directly."""

    def __init__(self, stack: Stack, h1: torch.Tensor, labels: torch.Tensor) -> None:
        self.stack, self.h1, self.labels = stack, h1, labels.to(torch.int8)
        self.one_hot = torch.nn.functional.one_hot(labels, CLASSES).float()

    def right(self, lesioned: np.ndarray) -> torch.Tensor:
        """(M, n) bool: items right under (M, 20) bool lesion masks."""
        keep = torch.from_numpy(~lesioned).float()
        predictions = masked_predictions(self.stack.fc2, self.stack.fc3, self.h1, keep, torch.ones(len(keep), 10))
        return predictions[0] == self.labels

    def counts(self, lesioned: np.ndarray, exact: bool = False) -> np.ndarray:
        """(classes, M) items right per class (float32 sums of 0/1: exact below 2^24 items)."""
        if exact:
            keep = torch.from_numpy(~lesioned).float()
            found = exact_predictions(self.stack.fc2[0], self.stack.fc3[0], self.h1[0], keep,
                                      torch.ones(len(keep), 10)) == self.labels
        else:
            found = self.right(lesioned)
        return (found.float() @ self.one_hot).T.numpy().astype(np.int64)

    def accuracy(self, lesioned: np.ndarray) -> np.ndarray:
        right = self.right(lesioned)
        return 100.0 * right.sum(1).numpy() / right.shape[1]

    def objective(self, lesioned: tuple[int, ...]) -> float:
        """msapy's objective: the lesioned elements' indices -> accuracy."""
        mask = np.zeros((1, UNITS), dtype=bool)
        mask[0, list(lesioned)] = True
        return float(self.accuracy(mask)[0])


def lesion_masks(sets: np.ndarray) -> np.ndarray:
    return ((sets[:, None] >> np.arange(UNITS)) & 1).astype(bool)


def run_msapy(game: Game, permutations: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """msapy's Shapley values and their standard errors (std of the permutations' contributions / sqrt(P))."""
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):  # its progress bar prints regardless
        warnings.simplefilter("ignore")
        table = msa.interface(elements=list(range(UNITS)), n_permutations=permutations,
                              objective_function=game.objective, objective_function_params={},
                              rng=np.random.default_rng(seed), n_parallel_games=1, lazy=True,
                              dual_progress_bars=False)
        return table.shapley_values.to_numpy(), table.std(ddof=1).to_numpy() / np.sqrt(len(table))


def errors(estimate: np.ndarray, standard_errors: np.ndarray, exact: np.ndarray) -> str:
    """Error against the exact values, also in standard errors (over the units whose SE is not 0: a unit whose
    sampled contributions were all equal, e.g. a dead one, has SE 0)."""
    error, spread = np.abs(estimate - exact), standard_errors > 0
    z = error[spread] / standard_errors[spread]
    zero = f"; SE 0 for {np.sum(~spread)} units (|error| {error[~spread].max():.1e} pp)" if not spread.all() else ""
    return (f"max |error| {error.max():.3f} pp, RMSE {np.sqrt(np.mean(error**2)):.3f} pp, largest |error|/SE "
            f"{z.max():.2f}, within 3 SE {np.sum(z <= 3)}/{spread.sum()}{zero}")


def load(items: int) -> tuple[Stack, torch.Tensor, torch.Tensor, str]:
    network = SHARED / "authors-mlp" / "MNIST_MLP(20, 10)_trained.pt"
    mnist = SHARED / "mnist" / "raw"
    data = load_from_folder(mnist, verify_md5=True) if mnist.is_dir() else load_bundled(seed=0)
    if network.is_file():
        stack, name = Stack.of([load_state_dict(network)]), "the authors' trained network"
    else:
        stack, name = initial_weights([0]), "an untrained network (initial_weights, seed 0)"
    return stack, data.test_images[:items], data.test_labels[:items], f"{name} on {data.source}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=10000, help="test items (all there are if fewer)")
    parser.add_argument("--sample-sets", type=int, default=2**13, help="lesion sets the direct evaluation times")
    parser.add_argument("--chunk", type=int, default=512, help="lesion sets per direct evaluation call")
    parser.add_argument("--probe", type=int, default=20,
                        help="permutations that time msapy first (x4 until they take 1 s or a tenth of the budget)")
    parser.add_argument("--seconds", type=float, help="msapy's time budget (default: the exact path's)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    stack, images, labels, source = load(args.items)
    with torch.no_grad():
        h1 = stack.hidden(normalise(images))[0]
    n, game = len(labels), Game(stack, h1, labels)
    print(f"{source}; {n} test items; torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"numba {numba.__version__}, {numba.get_num_threads()} threads; load average {os.getloadavg()[0]:.2f} "
          f"on {os.cpu_count()} CPUs")

    def exact() -> LesionCounts:
        return hidden1_counts(h1[0], stack.fc2[0], stack.fc3[0], labels, CLASSES)

    cold, _ = timed(exact)
    warm, lesioned = timed(exact)
    decisions = SETS * n
    decided = int((2 ** (h1[0] != 0).sum(1).double()).sum())  # each digit under the subsets of its active units
    print(f"exact path, all 2^{UNITS} = {SETS} lesion sets: {warm:.2f} s warm ({cold:.2f} s first call, with the "
          f"numba compile or cache load), {SETS / warm:.0f} sets/s, {decisions / warm:.3g} set-items/s; decided "
          f"{decided:.3g} set-items ({decided / decisions:.2%} of them: each digit only under the subsets of its "
          f"active units), rechecked {lesioned.rechecked} ({lesioned.rechecked / decided:.2e} of those)")

    peak = matmul_throughput()
    floor = FLOPS_PER_SET_ITEM * decisions / peak
    print(f"float32 matmul throughput (torch.mm 2048x2048): {peak / 1e9:.1f} GFLOP/s; FLOP floor of deciding every "
          f"set and item, {FLOPS_PER_SET_ITEM} flops x {decisions:.3g} set-items = {floor:.2f} s -> measured "
          f"{warm / floor:.2f}x that floor; of deciding only the {decided:.3g}: {floor * decided / decisions:.3f} s")

    sets = np.random.default_rng(args.seed).choice(SETS, size=min(args.sample_sets, SETS), replace=False)
    game.counts(lesion_masks(sets[: args.chunk]))  # warm-up
    direct, counts = timed(lambda: np.concatenate([game.counts(lesion_masks(sets[start : start + args.chunk]))
                                                   for start in range(0, len(sets), args.chunk)], axis=1))
    extrapolated = direct * SETS / len(sets)
    exact_s, exact_counts = timed(lambda: np.concatenate([
        game.counts(lesion_masks(sets[start : start + args.chunk]), exact=True)
        for start in range(0, len(sets), args.chunk)], axis=1))
    float32_differ = np.abs(counts - exact_counts).sum(0)
    print(f"direct evaluation (masked_predictions, float32) of {len(sets)} random lesion sets: {direct:.2f} s, "
          f"{len(sets) / direct:.0f} sets/s -> {extrapolated:.0f} s for all 2^{UNITS}; exact path "
          f"{extrapolated / warm:.1f}x faster")
    print(f"exact direct evaluation (exact_predictions) of the same sets: {exact_s:.2f} s; the exact path's counts "
          f"equal it: {np.array_equal(exact_counts, lesioned.counts[:, sets])}; float32's differ on "
          f"{np.count_nonzero(float32_differ)} of {len(sets)} sets, by at most {float32_differ.max()} item(s)")

    table_s, accuracy = timed(lesioned.accuracy)
    values_s, values = timed(exact_values, accuracy[0])
    pairs_s, _ = timed(exact_interactions, accuracy[0])
    total = warm + table_s + values_s
    print(f"exact Shapley values from the overall accuracy: {values_s * 1e3:.0f} ms, after the accuracy table "
          f"(11 x 2^{UNITS}) {table_s * 1e3:.0f} ms (interaction indices {pairs_s * 1e3:.0f} ms); exact counts and "
          f"values {total:.2f} s; accuracy intact {accuracy[0, 0]:.2f} %, all lesioned {accuracy[0, -1]:.2f} %, "
          f"values sum to {values.sum():.2f} pp (intact - all lesioned: {accuracy[0, 0] - accuracy[0, -1]:.2f})")
    print("values (pp), units 1-20: " + " ".join(f"{v:.2f}" for v in values))

    run_msapy(game, 2, args.seed)  # warm-up
    budget, probes = args.seconds or total, args.probe
    while (probe := timed(run_msapy, game, probes, args.seed)[0]) < min(1.0, budget / 10):
        probes *= 4  # too short to time reliably
    permutations = max(2, round(budget * probes / probe))
    print(f"msapy {probes} permutations: {probe:.2f} s ({probe / probes * 1e3:.1f} ms per permutation) -> "
          f"{permutations} permutations for a budget of {budget:.1f} s "
          f"({'--seconds' if args.seconds else 'the exact counts and values'})")
    msapy_s, (estimate, standard_errors) = timed(run_msapy, game, permutations, args.seed)
    print(f"msapy, {permutations} permutations: {msapy_s:.2f} s ({msapy_s / total:.2f}x the exact "
          f"path); {errors(estimate, standard_errors, values)}")
    sampled_s, sampled = timed(sample_values, game.accuracy, UNITS, permutations, args.seed)
    print(f"sample_values, {permutations} permutations: {sampled_s:.2f} s ({sampled_s / total:.2f}x the "
          f"exact path); {errors(sampled.values, sampled.standard_errors, values)}")
    print(f"load average at the end (this run included): {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
