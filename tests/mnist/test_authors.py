"""The paper authors' published network and t-SNE map: downloaded or shipped as published, read as they are, and every
paper number from the network."""

import shutil

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.neighbors import NearestNeighbors

from ablation.core import data_source, provenance
from ablation.core.data_source import FULL_MNIST, is_full_mnist
from ablation.core.errors import InputError
from ablation.mnist import ablation as unit_ablation
from ablation.mnist import authors, roles, statistics, steps
from ablation.mnist.network import Stack, load_state_dict
from ablation.mnist.outcomes import Ablation, accuracy_table, drops, plan
from ablation.report import comparison
from helpers import SHARED_AUTHORS, serve


@pytest.fixture(scope="module")
def authors_nets():
    files = {role: SHARED_AUTHORS / name for role, (name, _) in authors.FILES.items()}
    if not all(path.exists() for path in files.values()):
        pytest.skip(f"the authors' network not found at {SHARED_AUTHORS}")
    return files


def test_download_fetches_the_published_files_and_checks_their_sha256(authors_nets, tmp_path):
    with serve(SHARED_AUTHORS) as server:
        for role in authors.FILES:
            authors.download(role, tmp_path / "nets" / f"{role}.pt", base_url=server)
    assert (authors.is_authors(tmp_path / "nets/trained.pt")
            and authors.is_authors(tmp_path / "nets/initial.pt", "initial"))
    # Old torch format with cuda:0 storages, read as it is.
    assert tuple(load_state_dict(tmp_path / "nets/trained.pt")["fc1.weight"].shape) == (20, 784)


def test_a_download_with_the_wrong_content_or_no_server_is_one_clear_error(authors_nets, tmp_path):
    impostor = tmp_path / "server"
    impostor.mkdir()
    for name, _ in authors.FILES.values():
        shutil.copy(authors_nets["initial"], impostor / name)  # the untrained file under the trained file's name
    with serve(impostor) as server, pytest.raises(InputError, match="does not have the SHA-256"):
        authors.download("trained", tmp_path / "trained.pt", base_url=server)
    assert not (tmp_path / "trained.pt").exists() and not list(tmp_path.glob("*.part"))
    with pytest.raises(InputError, match="could not download the authors' network"):
        authors.download("trained", tmp_path / "trained.pt", base_url=(tmp_path / "nowhere").as_uri() + "/")


# Every drop and gain the paper states, as published (its binarised test digits) on the authors' network.
PAPER_NUMBERS = {
    "overall drop [%p], unit 12": 44.54, "overall drop [%p], unit 19": 11.61, "overall drop [%p], unit 6": 1.44,
    "overall drop [%p], unit 20": 14.61, "overall drop [%p], unit 3": 25.35, "gain on class 5 [%p], unit 3": 5.72,
    "gain of the positive-synergy pair 5+10 on class 5 [%p]": 5.16, "larger gain of its units alone [%p]": 3.14,
    "smaller gain of its units alone [%p]": 0.45, "intact test accuracy [%]": 94.64,
}


def test_the_authors_network_gives_every_paper_number_to_the_hundredth(authors_nets, mnist_data):
    trained, initial = (Stack.of([load_state_dict(authors_nets[role])]) for role in ("trained", "initial"))
    ablations = plan() + [Ablation.parse("hidden1", "6+11+13+18")]
    runs = {name: unit_ablation.evaluate(trained, ["authors"], mnist_data.test_images, mnist_data.test_labels,
                                         ablations, name) for name in unit_ablation.EVALUATIONS}
    table = accuracy_table(runs["as_published"])
    chosen = {f.figure: f for f in roles.featured(runs["as_published"], "authors", "paper", 0.5)}
    mwu = statistics.mann_whitney(initial, trained, ["authors"]).merge(statistics.unit_drops(drops(table)))
    summary, per_network = statistics.weight_change_vs_drop(mwu[["network", "layer", "units", "U", "p"]], drops(table),
                                                            "authors", 200, 0)
    pair_tests = statistics.pair_tests(runs["as_published"], 0.05)
    positions = pd.DataFrame(authors.tsne_map(), columns=["x", "y"]).assign(map="authors")
    frame = comparison.compare(runs, chosen, "as_published", "authors", True, 0.5, summary, per_network,
                               statistics.class_selectivity(drops(table)), 200, 0, mnist_data.source,
                               is_full_mnist(mnist_data.source), pair_tests, 0.05, positions).set_index("claim")
    for claim, paper in PAPER_NUMBERS.items():
        assert float(frame.loc[claim, "value"]) == pytest.approx(paper, abs=0.005), claim
        assert frame.loc[claim, "verdict"] == "agrees"
        assert frame.loc[claim, "tolerance"].startswith("exact to the paper's 2 decimals")
    assert frame.loc["overall drop [%p], unit 12", "measured_as"] == "as_published"
    # Each featured drop with its paired interval over the digits, from the run's own lost and gained digits.
    intervals = statistics.drop_intervals(runs["as_published"]).set_index(["units", "class"])
    low, high = intervals.loc[("12", "all"), ["ci_low", "ci_high"]]
    assert low < 44.54 < high and f"[{low:.2f}, {high:.2f}]" in frame.loc["overall drop [%p], unit 12", "tolerance"]
    # Fig. 12's pair by the exact pair test, its counts those of the test's table.
    tested = pair_tests.set_index("units").loc["4+16"]
    pair = frame.loc["pair 4+16 has an effect beyond the sum of its singles"]
    assert f"{tested.lost_only_after_pair} digits lost only after the pair" in pair.value
    assert pair.verdict == ("holds" if tested.super_additive else "does not hold")
    # The binarised digits explain the numbers: on the clean digits unit 6 never matters, the four units together
    # change accuracy by 0.02 %p, and four units are negligible; after the pair 12+19 over half of class 6 is lost.
    assert frame.loc["overall drop [%p], unit 6", "other"] == "clean: 0.00"
    clean = accuracy_table(runs["clean"]).query("`class` == 'all'").set_index("units").accuracy
    assert clean["none"] - clean["6+11+13+18"] == pytest.approx(0.02, abs=1e-6)
    negligible = frame.loc["units of 20 whose ablation moves accuracy by at most 0.5 %p"]
    assert (negligible.other, negligible.verdict) == ("clean: 4", "agrees")
    assert negligible.tolerance.startswith("exact to the paper's 2 decimals, clean")
    assert float(frame.loc["share of class 6 wrong only after pair 12+19 [%]", "value"]) > 50
    # Where the paper places the newly wrong digits of units 12 and 16 on its map: the share in that part of the map,
    # over half for both (88 % and 58 %), as the paper says.
    for units, part, inside in (("12", "upper half", lambda x, y: y > 0.5),
                                ("16", "lower right quarter", lambda x, y: (x > 0.5) & (y < 0.5))):
        wrong = runs["as_published"].newly_wrong(0, Ablation.parse("hidden1", units))
        share = 100 * inside(*authors.tsne_map()[wrong].T).mean()
        row = frame.loc[f"unit {units}: share of its newly wrong digits in the {part} of the t-SNE map [%]"]
        assert row.value == f"{share:.2f} of {wrong.sum()}" and row.verdict == "holds"
    assert frame.loc["lowest class accuracy [%] (paper: digit 8)", "value"] == "91.38"
    assert frame.loc["highest class accuracy [%] (paper: digit 1)", "value"] == "98.41"


def test_the_shipped_tsne_map_is_the_authors_and_places_the_mnist_test_digits_in_order(mnist_data):
    assert provenance.sha256(authors.TSNE_MAP) == authors.TSNE_MAP_SHA256
    coordinates = authors.tsne_map()
    assert coordinates.shape == (10_000, 2) and coordinates.dtype == np.float64
    assert coordinates.min(0).tolist() == [0.0, 0.0] and coordinates.max(0).tolist() == [1.0, 1.0]  # their scaling
    # In the test set's order, a digit's nearest neighbours on the map are mostly of its own class: 96 % here, a map
    # of the same digits in another order about 10 %.
    labels = mnist_data.test_labels.numpy()
    neighbours = NearestNeighbors(n_neighbors=11).fit(coordinates).kneighbors(coordinates, return_distance=False)
    majority = np.array([np.bincount(labels[row[1:]], minlength=10).argmax() for row in neighbours])
    assert (majority == labels).mean() > 0.9


@pytest.mark.parametrize(("setting", "full", "kind"), [
    ("auto", True, data_source.AUTHORS), ("auto", False, data_source.COMPUTED), ("authors", True, data_source.AUTHORS),
    ("computed", True, data_source.COMPUTED), ("computed", False, data_source.COMPUTED)])
def test_the_map_is_the_authors_only_on_all_of_mnist(setting, full, kind):
    source = FULL_MNIST + " from /data" + ("" if full else "; first 500 test digits")
    assert data_source.map_kind(setting, source) == kind


def test_the_authors_map_on_other_digits_stops_the_data_job_before_anything_else(mnist_raw, tmp_path):
    with pytest.raises(InputError, match="tsne_map: authors places the 10,000 MNIST test digits"):
        steps.mnist_data(source="path", path=str(mnist_raw), download_dir=str(tmp_path), verify_md5=False, seed=0,
                         max_train=None, max_test=500, tsne_map="authors", out_data=str(tmp_path / "data.pt"),
                         out_provenance=str(tmp_path / "data.json"))
    assert not (tmp_path / "data.pt").exists()


def test_the_tsne_step_writes_the_authors_map_for_all_of_mnist(mnist_data, tmp_path):
    torch.save(mnist_data.to_dict(), tmp_path / "data.pt")
    steps.mnist_tsne(data_path=str(tmp_path / "data.pt"), tsne_map="auto", perplexity=30, seed=0, threads=1,
                     out_path=str(tmp_path / "tsne.csv"))
    written = pd.read_csv(tmp_path / "tsne.csv")
    assert (written["map"] == data_source.AUTHORS).all() and (written.label == mnist_data.test_labels.numpy()).all()
    assert np.abs(written[["x", "y"]].to_numpy() - authors.tsne_map()).max() <= 5e-6  # written to 5 decimals
