import numpy as np
import pandas as pd
import pytest
import torch

from ablation.mnist import ablation as unit_ablation
from ablation.mnist import outcomes
from ablation.mnist.architecture import HIDDEN_LAYERS
from ablation.mnist.network import MLP, initial_weights, normalise
from ablation.mnist.outcomes import EVALUATIONS, Ablation, Outcomes


@pytest.fixture(scope="module")
def inputs():
    generator = torch.Generator().manual_seed(1)
    images = torch.randint(0, 256, (700, 28, 28), dtype=torch.uint8, generator=generator)
    return normalise(images), torch.randint(0, 10, (700,), generator=generator)


def _explicitly_ablated(state_dict, ablation):
    zeroed = {key: value.clone() for key, value in state_dict.items()}
    if ablation.units:
        zeroed[HIDDEN_LAYERS[ablation.layer][1]][list(ablation.units)] = 0.0
    model = MLP()
    model.load_state_dict(zeroed)
    return model


def test_plan_and_labels_follow_the_paper():
    ablations = outcomes.plan()
    assert len(ablations) == 1 + 20 + 190 + 10
    assert [a.label for a in ablations[:3]] == ["none", "1", "2"]
    assert Ablation("hidden1", (4, 9)).label == "5+10"


def test_an_ablated_unit_outputs_exactly_zero(inputs):
    x, _ = inputs
    state_dict = initial_weights([3]).network(0)
    for ablation in (Ablation("hidden1", (11,)), Ablation("hidden2", (4,)), Ablation("hidden1", (0, 19))):
        h1, h2 = _explicitly_ablated(state_dict, ablation).hidden(x)
        ablated = h1 if ablation.layer == "hidden1" else h2
        assert torch.all(ablated[:, list(ablation.units)] == 0.0)
        assert torch.count_nonzero(ablated) > 0


# The engine and an explicitly zeroed `MLP` compute the same logits in a different order (one product for all
# ablations vs one network each); they differ by up to 3.6e-7 with ATen's default, AVX2 and AVX-512 kernels and 1, 2
# or 4 threads alike. Random networks have near-ties (here 37 of 464,100 items with the two largest logits within
# 1e-5), where that rounding may decide the argmax: predictions must agree wherever the gap exceeds TIE, 28x the
# largest difference.
TIE = 1e-5


def test_masked_evaluation_equals_explicit_weight_zeroing(inputs):
    x, labels = inputs
    stack = initial_weights([0, 1, 2])
    # Sharpen the random networks a little so predictions are not all one class.
    stack.fc1 *= 4
    # Every single and pair, and sets of more units (Fig. A.2 ablates four) in either layer.
    ablations = outcomes.plan() + [Ablation("hidden1", (5, 10, 12, 17)), Ablation("hidden2", (0, 3, 7))]
    predicted = unit_ablation.predictions(stack, x, ablations, tile=128)
    near_ties = 0
    for network in range(len(stack)):
        for m, ablation in enumerate(ablations):
            with torch.no_grad():
                logits = _explicitly_ablated(stack.network(network), ablation)(x)
            top = logits.topk(2, dim=-1).values
            decided = top[:, 0] - top[:, 1] > TIE
            near_ties += int((~decided).sum())
            assert torch.equal(predicted[network, m].long()[decided], logits.argmax(-1)[decided]), (network, ablation)
    assert near_ties < 1e-3 * predicted.numel(), "near-ties are rare: the comparison covers nearly every item"


def test_accuracy_table_and_outcome_matrix(tmp_path):
    labels = np.array([0, 0, 1, 1])
    ablations = [Ablation("none", ()), Ablation("hidden1", (0,)), Ablation("hidden1", (1,)),
                 Ablation("hidden1", (0, 1))]
    correct = np.array([[[1, 1, 1, 0], [0, 1, 1, 1], [1, 1, 1, 0], [0, 0, 1, 1]]], dtype=bool)
    result = Outcomes(["a"], ablations, labels, correct)
    table = outcomes.accuracy_table(result)
    assert list(table.columns) == ["network", "layer", "units", "class", "items", "accuracy"]
    assert table.query("units == '1' and `class` == 'all'").accuracy.item() == 75.0
    assert table.query("units == 'none' and `class` == '1'").accuracy.item() == 50.0
    assert table.query("units == '1+2' and `class` == '0'").accuracy.item() == 0.0
    assert result.newly_wrong(0, ablations[1]).tolist() == [True, False, False, False]
    assert result.newly_right(0, ablations[1]).tolist() == [False, False, False, True]
    # Item 1: right with each single ablation, wrong only with the pair.
    assert result.pair_only_wrong(0, ablations[3]).tolist() == [False, True, False, False]
    drops = outcomes.drops(table)
    assert drops.query("units == '1+2' and `class` == 'all'")["drop"].item() == 25.0
    result.save(tmp_path / "o.npz", {"data": "test"})
    loaded = Outcomes.load(tmp_path / "o.npz")
    assert np.array_equal(loaded.correct, correct) and loaded.ablations == ablations and loaded.networks == ["a"]
    pd.testing.assert_frame_equal(outcomes.accuracy_table(loaded), table)


def test_accuracy_table_is_each_groups_mean_by_network_then_class_then_ablation(monkeypatch):
    monkeypatch.setattr(outcomes, "ROWS_PER_PRODUCT", 4)  # 21 rows: blocks of 4 and a last one of 1
    generator = np.random.default_rng(3)
    labels = generator.choice([0, 2, 3, 9], size=301)  # classes 1, 4-8 absent: no rows for them
    ablations = outcomes.plan()[:7]
    correct = generator.random((3, len(ablations), len(labels))) < 0.8
    table = outcomes.accuracy_table(Outcomes(["x", "b", "m"], ablations, labels, correct))
    groups = [("all", np.ones(len(labels), dtype=bool))] + [(str(c), labels == c) for c in (0, 2, 3, 9)]
    expected = [(network, a.layer, a.label, name, int(chosen.sum()), 100.0 * correct[i, m][chosen].mean())
                for i, network in enumerate(["x", "b", "m"]) for name, chosen in groups
                for m, a in enumerate(ablations)]
    assert list(table.itertuples(index=False, name=None)) == expected


def test_as_published_evaluates_ablations_on_binarised_digits_and_the_intact_network_on_the_originals():
    generator = torch.Generator().manual_seed(5)
    images = torch.randint(0, 256, (500, 28, 28), dtype=torch.uint8, generator=generator)
    labels = torch.randint(0, 10, (500,), generator=generator)
    stack = initial_weights([7])
    stack.fc1 *= 4
    ablations = [Ablation("none", ()), Ablation("hidden1", (2,)), Ablation("hidden1", (0, 1, 2, 3))]
    clean = unit_ablation.evaluate(stack, ["n"], images, labels, ablations, "clean")
    published = unit_ablation.evaluate(stack, ["n"], images, labels, ablations, "as_published")
    binary = unit_ablation.binarised(images)
    assert set(binary.unique().tolist()) == {0, 255} and torch.equal(binary == 255, images > 10)
    for m, ablation in enumerate(ablations):
        for result, inputs in ((clean, images), (published, binary if ablation.units else images)):
            with torch.no_grad():
                logits = _explicitly_ablated(stack.network(0), ablation)(normalise(inputs))
            top = logits.topk(2, dim=-1).values
            decided = (top[:, 0] - top[:, 1] > TIE).numpy()
            expected = (logits.argmax(-1) == labels).numpy()
            assert decided.mean() > 0.99 and np.array_equal(result.correct[0, m][decided], expected[decided])
    assert np.array_equal(published.correct[0, 0], clean.correct[0, 0])
    assert not np.array_equal(published.correct[0, 1:], clean.correct[0, 1:]), "binarising changes the ablated rows"
    with pytest.raises(ValueError, match="unknown evaluation"):
        unit_ablation.evaluate(stack, ["n"], images, labels, ablations, "binary")


@pytest.mark.parametrize("evaluation", EVALUATIONS)
def test_evaluating_no_ablations_or_only_the_intact_network_works(evaluation):
    """mnist_featured adds the Fig. A.2 set only where it is not a single or pair already: nothing to add is valid."""
    images, labels = torch.zeros((20, 28, 28), dtype=torch.uint8), torch.zeros(20, dtype=torch.long)
    stack = initial_weights([7, 8])
    nothing = unit_ablation.evaluate(stack, ["a", "b"], images, labels, [], evaluation)
    assert nothing.correct.shape == (2, 0, 20) and nothing.ablations == []
    intact = unit_ablation.evaluate(stack, ["a", "b"], images, labels, [Ablation("none", ())], evaluation)
    clean = unit_ablation.evaluate(stack, ["a", "b"], images, labels, [Ablation("none", ())], "clean")
    assert intact.correct.shape == (2, 1, 20) and np.array_equal(intact.correct, clean.correct)
