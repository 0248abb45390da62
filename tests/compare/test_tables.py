"""Matching two runs' tables row by row, the verdicts, the outcome flips and the paper comparison side by side, on
planted tables whose differences are known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ablation.compare import outcomes, paper, runs, tables
from ablation.core.errors import InputError
from ablation.mnist.outcomes import Ablation, Outcomes


def _drops() -> pd.DataFrame:
    return pd.DataFrame({"network": ["net00"] * 4 + ["net01"] * 4, "layer": "hidden1",
                         "units": ["1", "2", "1", "2"] * 2, "class": ["all", "all", "0", "0"] * 2,
                         "drop": np.arange(8, dtype=float), "significant": [True, False] * 4})


def _verdict(result: pd.DataFrame) -> str:
    return result[result.column == "(table)"].verdict.item()


def test_a_table_against_itself_or_shuffled_is_identical():
    frame = _drops()
    assert _verdict(tables.compare("d.csv", frame, frame, {})) == tables.IDENTICAL
    shuffled = frame.sample(frac=1, random_state=0)
    result = tables.compare("d.csv", frame, shuffled, {})
    assert _verdict(result) == tables.IDENTICAL and (result.rows_differing == 0).all()


def test_differences_within_and_beyond_the_tolerance():
    frame, other = _drops(), _drops()
    other.loc[3, "drop"] += 0.25
    within = tables.compare("d.csv", frame, other, {"drop": 0.3})
    row = within[within.column == "drop"].iloc[0]
    assert row.rows_differing == 1 and row.share_differing == 1 / 8
    assert row.largest_abs_difference == pytest.approx(0.25)
    assert _verdict(within) == tables.WITHIN
    assert _verdict(tables.compare("d.csv", frame, other, {"drop": 0.2})) == tables.DIFFERS
    other.loc[0, "significant"] = False  # text and flags never have a tolerance
    result = tables.compare("d.csv", frame, other, {"drop": 1.0})
    assert result[result.column == "significant"].verdict.item() == tables.DIFFERS
    assert _verdict(result) == tables.DIFFERS


def test_missing_values_rows_and_columns_are_differences():
    frame, other = _drops(), _drops()
    other.loc[2, "drop"] = np.nan
    result = tables.compare("d.csv", frame, other, {"drop": 100.0})
    assert result[result.column == "drop"].largest_abs_difference.item() == np.inf
    assert _verdict(result) == tables.DIFFERS
    both = frame.assign(drop=np.where(frame.index == 2, np.nan, frame["drop"]))
    assert _verdict(tables.compare("d.csv", both, both.copy(), {})) == tables.IDENTICAL
    fewer = frame.iloc[:-1]
    result = tables.compare("d.csv", frame, fewer, {})
    unmatched = result[result.column == tables.UNMATCHED].iloc[0]
    assert unmatched.rows_differing == 1 and unmatched.note == "1 only in the reference run"
    assert _verdict(result) == tables.DIFFERS
    assert _verdict(tables.compare("d.csv", frame, fewer, {tables.UNMATCHED: 1})) == tables.WITHIN
    result = tables.compare("d.csv", frame, frame.drop(columns="significant"), {})
    assert "column significant only in the reference run" in result.note.iloc[-1]


def test_keys_are_named_columns_and_repeated_keys_match_in_order():
    assert tables.keys_of("d.csv", _drops()) == ["network", "layer", "units", "class"]
    assert tables.keys_of("mnist/featured.csv", pd.DataFrame(columns=["figure", "units", "class"])) == ["figure"]
    positions = pd.DataFrame({"x": [1.0, 2.0, 3.0]})
    assert tables.keys_of("tsne.csv", positions) == []
    assert _verdict(tables.compare("tsne.csv", positions, positions[::-1].reset_index(drop=True), {})) == tables.DIFFERS
    repeated = pd.DataFrame({"layer": ["a", "a", "b"], "v": [1.0, 2.0, 3.0]})
    assert _verdict(tables.compare("r.csv", repeated, repeated.copy(), {})) == tables.IDENTICAL


def test_folders_list_tables_only_one_run_has(tmp_path):
    for run, names in (("a", ["x.csv", "only_a.csv"]), ("b", ["x.csv"])):
        (tmp_path / run / "sub").mkdir(parents=True)
        for name in names:
            _drops().to_csv(tmp_path / run / "sub" / name, index=False)
    found = tables.compare_folders(tmp_path / "a", tmp_path / "b", tables.tolerances("none"))
    verdicts = found[found.column == "(table)"].set_index("table").verdict
    assert verdicts.to_dict() == {"sub/only_a.csv": tables.MISSING, "sub/x.csv": tables.IDENTICAL}


def test_stated_tolerances_are_positive_and_name_their_measurement():
    for measured_on in ("default", "small"):
        stated = tables.tolerances(measured_on)
        assert len(stated) and (stated.tolerance > 0).all() and not stated.duplicated(["table", "column"]).any()
    assert tables.tolerances("none").empty


def test_outcome_flips_are_counted_per_network_ablation_and_class():
    labels = np.array([0, 0, 1, 1, 1])
    ablations = [Ablation("none", ()), Ablation("hidden1", (0,)), Ablation("hidden1", (1,))]
    correct = np.ones((2, 3, 5), dtype=bool)
    reference = Outcomes(["n0", "n1"], ablations, labels, correct)
    flipped = correct.copy()
    flipped[1, 2, [0, 3, 4]] = False  # n1, unit 2: one item of class 0 and two of class 1 become wrong
    other = Outcomes(["n0", "n1"], ablations, labels, flipped)
    table, note = outcomes.flips("m.npz", reference, other)
    assert note == ""
    found = table.set_index(["network", "units", "class"])
    assert found.loc[("n1", "2", "all")].flips == 3 and found.loc[("n1", "2", "all")].became_wrong == 3
    assert found.loc[("n1", "2", "0")].flips == 1 and found.loc[("n1", "2", "1")].flips == 2
    assert table.flips.sum() == 6  # nothing else flips
    summary = outcomes.summary(table)
    assert summary["flips"] == 3 and summary["outcomes"] == 30 and summary["class_most_flips"] == "class 1: 2"
    _, note = outcomes.flips("m.npz", reference, Outcomes(["n0", "n1"], ablations, labels[::-1].copy(), correct))
    assert "not comparable here" in note
    _, note = outcomes.flips("m.npz", reference, Outcomes(["n0"], ablations[:2], labels, correct[:1, :2]))
    assert note == "m.npz: networks only in one run: 1, ablations only in one run: 1"


def test_paper_comparisons_side_by_side_match_rows_by_figure_and_order():
    first = pd.DataFrame({"figure": ["Fig. 3", "Fig. 3", "Fig. 4"], "claim": ["drop, unit 10", "x", "y"],
                          "paper": ["44.54", "1", "2"], "value": ["9.2", "1", "2"],
                          "verdict": ["differs", "agrees", "agrees"]})
    second = first.assign(claim=["drop, unit 5", "x", "y"], verdict=["differs", "agrees", "differs"]).iloc[:2]
    found = paper.side_by_side({"a": first, "b": second})
    assert found.claim.tolist() == ["drop, unit 10 / drop, unit 5", "x", "y"]
    assert found.verdicts.tolist() == ["the same", "the same", "in some runs only"]
    assert found["verdict: b"].tolist() == ["differs", "agrees", "(absent)"]


def test_settings_flatten_to_dotted_keys():
    assert runs.flat({"a": {"b": 1, "c": [1, 2]}, "d": "x", "e": {}}) == {"a.b": "1", "a.c": "[1, 2]", "d": "x",
                                                                        "e": "{}"}


@pytest.mark.parametrize(("make", "message"), [
    (lambda root: None, "Run folder {root}/run does not exist"),
    (lambda root: (root / "run").mkdir(), "{root}/run holds no run of this workflow (results/mnist/provenance.json"),
    (lambda root: _provenance(root, "{"), "results/mnist/provenance.json is damaged"),
    (lambda root: _provenance(root, '{"settings": {"x": 1}}'), "was written by another workflow or version"),
    (lambda root: _provenance(root, '{"settings": {"mnist": {}}}'),
     "{root}/run is not a finished run (results/run_summary.csv is missing)"),
])
def test_a_folder_that_is_not_a_finished_run_is_one_clear_line(tmp_path, make, message):
    make(tmp_path)
    with pytest.raises(InputError) as error:
        runs.check([tmp_path / "run", tmp_path / "run"])
    assert message.format(root=tmp_path) in str(error.value) and "\n" not in str(error.value)


def _provenance(root, text: str) -> None:
    (root / "run" / "results" / "mnist").mkdir(parents=True)
    (root / "run" / "results" / "mnist" / "provenance.json").write_text(text)
