"""Which test items flip between two runs: per outcome matrix (`Outcomes`: network x ablation x test item, right or
wrong), per network, ablation and class, how many items one run gets right and the other wrong.

Items are matched by position, so both runs must have evaluated the same test items (the same labels in the same
order); networks and ablations are matched by name, and those only one run has are counted, not compared."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ablation.mnist.outcomes import Outcomes

COLUMNS = ["matrix", "network", "layer", "units", "class", "items", "flips", "became_right", "became_wrong"]


def matrices(results: Path) -> list[str]:
    """The outcome matrices of a run's results folder, as paths relative to it."""
    return sorted(str(path.relative_to(results)) for path in results.rglob("*.npz") if _is_outcomes(path))


def _is_outcomes(path: Path) -> bool:
    with np.load(path, allow_pickle=False) as saved:
        return {"correct", "items", "labels", "networks", "layers", "units"} <= set(saved.files)


def flips(name: str, reference: Outcomes, other: Outcomes) -> tuple[pd.DataFrame, str]:
    """Per (network, ablation, class: `all` and each label) the items and how many flip (`became_right`: wrong in
    the reference, right in the other run); and a note of what could not be compared ("" when everything could)."""
    if reference.labels.shape != other.labels.shape or not np.array_equal(reference.labels, other.labels):
        return pd.DataFrame(columns=COLUMNS), (f"{name}: not comparable here, the runs evaluated different test items "
                                               f"({len(reference.labels)} and {len(other.labels)})")
    networks = [n for n in reference.networks if n in other.networks]
    labels = {a.layer + "/" + a.label: a for a in reference.ablations}
    shared = [key for key in labels if key in {a.layer + "/" + a.label for a in other.ablations}]
    notes = [f"{kind} only in one run: {len(names)}" for kind, names in (
        ("networks", set(reference.networks) ^ set(other.networks)),
        ("ablations", set(labels) ^ {a.layer + "/" + a.label for a in other.ablations})) if names]
    first = reference.of_networks(networks).correct[:, [reference.index(labels[k]) for k in shared]]
    second_ablations = {a.layer + "/" + a.label: i for i, a in enumerate(other.ablations)}
    second = other.of_networks(networks).correct[:, [second_ablations[k] for k in shared]]
    right, wrong = ~first & second, first & ~second  # (networks, ablations, items)
    classes = [("all", np.ones(len(reference.labels), dtype=bool))]
    classes += [(str(label), reference.labels == label) for label in np.unique(reference.labels)]
    frames = []
    for class_name, chosen in classes:
        became_right, became_wrong = right[..., chosen].sum(-1), wrong[..., chosen].sum(-1)
        frames.append(pd.DataFrame({
            "matrix": name,
            "network": np.repeat(networks, len(shared)),
            "layer": [labels[k].layer for k in shared] * len(networks),
            "units": [labels[k].label for k in shared] * len(networks),
            "class": class_name,
            "items": int(chosen.sum()),
            "flips": (became_right + became_wrong).reshape(-1),
            "became_right": became_right.reshape(-1),
            "became_wrong": became_wrong.reshape(-1)}))
    note = f"{name}: " + ", ".join(notes) if notes else ""
    return pd.concat(frames, ignore_index=True)[COLUMNS], note


def summary(table: pd.DataFrame) -> dict[str, object]:
    """The page's headline: outcomes compared and flipped, the ablation and the class with the most flips."""
    overall = table[table["class"] == "all"]
    by_class = table[table["class"] != "all"].groupby("class").flips.sum()
    compared = int((overall["items"]).sum())
    worst = overall.loc[overall.flips.idxmax()] if len(overall) and overall.flips.max() > 0 else None
    return {"outcomes": compared, "flips": int(overall.flips.sum()),
            "percent": float(100 * overall.flips.sum() / compared) if compared else 0.0,
            "most_flips": (f"{worst.network}, {worst.layer} {worst.units}: {int(worst.flips)} of {int(worst['items'])}"
                           if worst is not None else "none"),
            "class_most_flips": (f"class {by_class.idxmax()}: {int(by_class.max())}"
                                 if len(by_class) and by_class.max() > 0 else "none")}
