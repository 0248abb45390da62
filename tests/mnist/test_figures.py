"""What the MNIST figures draw, not only that they exist."""

import numpy as np
import pandas as pd

from ablation.core import style
from ablation.mnist import figures, plots, roles
from ablation.mnist.network import initial_weights
from ablation.mnist.outcomes import Ablation, Outcomes
from helpers import planted_outcomes


def test_fig08_draws_each_units_initial_and_trained_weights_as_28x28_images():
    initial, trained = initial_weights([0]).fc1[0].numpy(), initial_weights([1]).fc1[0].numpy() * 5
    figure = plots.weights_before_after(initial, trained, np.linspace(1e-9, 1, 20), "n")
    images = [ax.images[0].get_array() for ax in figure.get_axes() if ax.images]
    assert len(images) == 2 * 20 and all(image.shape == (28, 28) for image in images)
    for unit in range(20):
        assert np.array_equal(images[unit], initial[unit].reshape(28, 28))  # left: before training
        assert np.array_equal(images[20 + unit], trained[unit].reshape(28, 28))  # right: after
    style.save(figure, "/dev/null")


def test_the_featured_figures_show_the_chosen_units(tmp_path):
    planted = planted_outcomes()
    roles.write(roles.featured(planted, "n", "roles", 0.0), tmp_path / "featured.csv")
    # As the featured_units job adds it: the negligible set's row (it changes nothing).
    result = Outcomes(planted.networks, planted.ablations + [Ablation.parse("hidden1", "3+8+15")], planted.labels,
                      np.concatenate([planted.correct, planted.correct[:, :1]], axis=1))
    result.save(tmp_path / "run.npz", {})
    pd.DataFrame({"x": np.arange(500.0), "y": np.zeros(500), "label": result.labels, "map": "computed"}).to_csv(
        tmp_path / "tsne.csv")
    inputs = {figures.RUN: str(tmp_path / "run.npz"), figures.FEATURED: str(tmp_path / "featured.csv"),
              figures.TSNE: str(tmp_path / "tsne.csv")}
    title = lambda figure: figure._suptitle.get_text()  # noqa: E731
    assert "units 3 + 8 + 15" in title(figures.figA2_negligible_set(inputs, "n"))
    synergy = title(figures.fig13_positive_synergy_pair(inputs, "n"))
    assert "units 5 + 10" in synergy and "1 of 1 networks have one" in synergy
    assert ("class 2: pair gain +12.00 %p; alone unit 5 +2.00, unit 10 +2.00, sum +4.00 %p: a positive synergy"
            in synergy)
    share = title(figures.figA3_pair_of_fig03_and_fig04(inputs, "n"))
    pair = roles.read(tmp_path / "featured.csv")["figA3_pair_of_fig03_and_fig04"]
    expected = float(roles.pair_only_shares(result, "n", pair.units)[pair.class_name])
    assert f"class {pair.class_name}: {expected:.2f} % of its digits wrong only after the pair" in share
    assert figures.fig01_tsne(inputs, "n").axes[0].get_title() == "t-SNE of the 500 test digits: computed in this run"
    singles = figures.figA4_singles_of_fig13(inputs, "n")
    assert [ax.get_title() for ax in singles.get_axes()] == ["unit 5 alone", "unit 10 alone"]
