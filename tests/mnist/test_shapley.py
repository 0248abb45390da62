"""The MNIST study's Shapley analysis: the fast evaluation of every lesion set against the direct masked evaluation,
and the exact games against msapy's sampled ones (the formulas themselves: tests/core/test_shapley.py)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

from ablation.mnist import shapley as mnist_shapley
from ablation.mnist.ablation import exact_predictions, masked_predictions
from ablation.mnist.lesion_sets import hidden1_counts
from ablation.mnist.network import Stack, load_state_dict, normalise
from helpers import SHARED_AUTHORS


def direct_counts(h1: torch.Tensor, fc2: torch.Tensor, fc3: torch.Tensor, labels: torch.Tensor,
                  predict=exact_predictions) -> np.ndarray:
    """Items right per class under every lesion set of the first layer, by a direct masked evaluation (exact, or
    `masked_predictions` in float32)."""
    units = h1.shape[1]
    sets = torch.arange(2**units)
    counts = np.zeros((10, 2**units), dtype=np.int64)
    for start in range(0, 2**units, 4096):
        keep = (((sets[start : start + 4096, None] >> torch.arange(units)) & 1) == 0).float()
        ones = torch.ones(len(keep), fc2.shape[0])
        found = (exact_predictions(fc2, fc3, h1, keep, ones) if predict is exact_predictions
                 else masked_predictions(fc2[None], fc3[None], h1[None], keep, ones)[0].long())
        right = (found == labels).numpy()
        for c in range(10):
            counts[c, start : start + len(keep)] = right[:, labels.numpy() == c].sum(1)
    return counts


def test_every_lesion_set_of_a_small_network_counts_as_the_direct_evaluation(mnist_data):
    """12 first-layer units (4,096 sets), 600 real digits; once as trained-like random weights, once with two
    output rows equal, so that every item of those classes is an exact tie: the kernel must hand them to the
    direct evaluation (argmax picks the first of equal logits)."""
    generator = torch.Generator().manual_seed(0)
    fc1, fc2 = torch.randn(12, 784, generator=generator) * 0.05, torch.randn(10, 12, generator=generator)
    fc3 = torch.randn(10, 10, generator=generator)
    h1 = torch.relu(normalise(mnist_data.test_images[:600]) @ fc1.T)
    h1[0], h1[1, 1:] = 0, 0  # items with no active unit and with one (the kernel decides each under its own units)
    labels = mnist_data.test_labels[:600]
    tied = fc3.clone()
    tied[5] = tied[3]
    for output, ties in ((fc3, False), (tied, True)):
        direct = direct_counts(h1, fc2, output, labels)
        # float32 agrees but for items within its rounding of a tie (the tied rows are exact ties in any order)
        assert np.abs(direct_counts(h1, fc2, output, labels, masked_predictions) - direct).sum() <= 2
        for tensors in (False, True):  # the compiled kernel (CPU) and the tensor path (GPU), here on the CPU
            result = hidden1_counts(h1, fc2, output, labels, 10, tensors=tensors)
            assert np.array_equal(result.counts, direct), tensors
            # the tied rows' close calls went to the exact evaluation (the kernel alone calls an exact tie wrong)
            assert result.rechecked > 0 if ties else result.rechecked < 600 * 4096 // 100
            assert np.array_equal(result.class_sizes, np.bincount(labels.numpy(), minlength=10))


@pytest.fixture(scope="module")
def authors_network(mnist_data) -> mnist_shapley.Network:
    path = SHARED_AUTHORS / "MNIST_MLP(20, 10)_trained.pt"
    if not path.exists():
        pytest.skip(f"the authors' network not found at {path}")
    stack = Stack.of([load_state_dict(path)])
    images, labels = mnist_data.test_images[:128], mnist_data.test_labels[:128]
    with torch.no_grad():
        h1 = stack.hidden(normalise(images))[0][0]
    return mnist_shapley.Network(h1, stack.fc2[0], stack.fc3[0], labels)


def test_all_2_20_lesion_sets_of_the_authors_network_count_as_the_direct_evaluation(authors_network):
    network = authors_network
    result = network.all_lesion_sets("hidden1")
    assert result.counts.shape == (10, 2**20)
    assert np.array_equal(result.counts, direct_counts(network.h1, network.fc2, network.fc3, network.labels))
    assert result.rechecked > 0  # close calls were decided exactly
    accuracy = result.accuracy()
    assert accuracy[0, 0] == pytest.approx(100 * result.counts[:, 0].sum() / 128)
    # The whole layer lesioned: every logit is exactly 0 and argmax says 0, so exactly the zeros are right.
    assert result.counts[:, -1].sum() == (network.labels == 0).sum().item()


def test_exact_games_and_msapy_agree_within_three_standard_errors(authors_network):
    """The reference MSA library's permutation estimate of the first layer's Shapley values lies within 3 standard
    errors (of its per-permutation samples) of the exact values; so does ours, sampled with the same budget."""
    msa = pytest.importorskip("msapy.msa")
    import fastprogress.fastprogress

    network = authors_network
    settings = mnist_shapley.Settings(["hidden1", "hidden2"], 20, 2, None, 0, "cpu")
    values, _, games = mnist_shapley.games("authors", network, settings)
    exact = values[(values.layer == "hidden1") & (values["class"] == "all")].value.to_numpy()
    summary = games[(games.layer == "hidden1") & (games["class"] == "all")].iloc[0]
    assert exact.sum() == pytest.approx(summary.intact - summary.all_lesioned, abs=1e-9)  # efficiency
    assert (values.method == "exact").all() and (values.standard_error == 0).all()

    def accuracy(lesioned: tuple[int, ...]) -> float:
        mask = np.zeros((1, 20), dtype=bool)
        mask[0, list(lesioned)] = True
        return float(network.accuracy("hidden1", mask)[0, 0])

    fastprogress.fastprogress.NO_BAR = True
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = msa.interface(elements=list(range(20)), n_permutations=200, objective_function=accuracy,
                              objective_function_params={}, rng=np.random.default_rng(0), n_parallel_games=1,
                              lazy=True, dual_progress_bars=False)
    estimate = table.shapley_values.to_numpy()
    error = table.std(ddof=1).to_numpy() / np.sqrt(len(table))
    # Units that never matter (dead ReLUs) have exactly 0 and no spread: allow float64 rounding there.
    assert (np.abs(estimate - exact) <= 3 * error + 1e-9).all(), (estimate - exact) / error
    sampled, *_ = mnist_shapley.games("authors", network, mnist_shapley.Settings(["hidden1"], 10, 200, None, 0, "cpu"))
    ours = sampled[sampled["class"] == "all"]
    assert (ours.method == "sampled").all()
    assert (np.abs(ours.value.to_numpy() - exact) <= 3 * ours.standard_error.to_numpy() + 1e-9).all()
    assert np.allclose(ours.single_drop, values[(values.layer == "hidden1") & (values["class"] == "all")].single_drop)
