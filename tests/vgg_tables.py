"""Planted VGG tables for the tests of the VGG statistics, figures and the paper comparison: small synthetic
ablation and recovery tables with known drops per layer, grouping, ratio and class."""

from __future__ import annotations

import numpy as np
import pandas as pd

# Deliberately not in network order: `features.10` sorts before `features.3` alphabetically.
LAYERS = {"features.10": 20.0, "features.0": 10.0, "features.49": 60.0, "features.3": 80.0}  # layer: base drop


SLOPE = {"features.0": 0.5, "features.3": 2.0, "features.10": 1.0, "features.49": 3.0}  # class selectivity


GROUPS = {"similarity": 3, "random": 3, "l1": 1}


FACTOR = {"similarity": 1.0, "random": 0.5, "l1": 0.8}


L1_WINS_AT = "features.0"  # the one layer where l1 hurts more than similarity


RATIOS = (0.05, 0.25)


def grouping_factor(grouping: str, layer: str) -> float:
    return 4.0 if (grouping, layer) == ("l1", L1_WINS_AT) else FACTOR[grouping]


def _intact(label: str, classes: int) -> tuple[float, float]:
    """Intact top-1 and top-5 of a class (`all`: the class mean)."""
    index = np.arange(classes) if label == "all" else np.array([int(label)])
    return float(np.mean(60 + 30 * index / classes)), float(np.mean(80 + 15 * index / classes))


def _class_effect(layer: str, label: str, classes: int) -> float:
    return 0.0 if label == "all" else SLOPE[layer] * (int(label) - (classes - 1) / 2) * 10 / classes


def top5_drop(layer: str, grouping: str, ratio: float, group: int, label: str, classes: int) -> float:
    return LAYERS[layer] * ratio * grouping_factor(grouping, layer) + group + _class_effect(layer, label, classes)


def ablation_table(classes: int = 10) -> pd.DataFrame:
    """Intact rows, then every layer x grouping x ratio x group x class; top-1 drops are twice the top-5 drops."""
    labels = ["all", *(str(c) for c in range(classes))]
    rows = []
    for label in labels:
        top1, top5 = _intact(label, classes)
        rows.append(("none", "none", 0.0, 0, 0, label, 50, top1, top5))
    for layer in LAYERS:
        for grouping, groups in GROUPS.items():
            for ratio in RATIOS:
                for group in range(groups):
                    for label in labels:
                        top1, top5 = _intact(label, classes)
                        drop = top5_drop(layer, grouping, ratio, group, label, classes)
                        rows.append((layer, grouping, ratio, group, round(64 * ratio), label, 50, top1 - 2 * drop,
                                     top5 - drop))
    return pd.DataFrame(rows, columns=["layer", "grouping", "ratio", "group", "filters", "class", "images", "top1",
                                       "top5"])


RECOVERY_IMAGES = 1000


def recovery_table(experiment: int, epochs: tuple[int, ...] = (3, 2, 4)) -> pd.DataFrame:
    """Two layers: the intact network, then passes (experiment 2: iterations) with `epochs[p - 1]` retraining epochs
    each; every image an ablated network gets wrong that the intact one got right is lost (`with_top1`)."""
    rows = []
    for layer, width in (("features.49", 512), ("features.3", 64)):
        rows.append((experiment, layer, 0, 0, width, 0, 70.0))
        for p, trained in enumerate(epochs, start=1):
            ablated = width // 4 * (p if experiment == 2 else 1)
            for epoch in range(trained + 1):
                top1 = 70.0 - (30 + 3 * p) * (0.6 ** epoch) - (5 * p if experiment == 2 else 1.5 * p)
                rows.append((experiment, layer, p, ablated, width, epoch, top1))
    step = "pass" if experiment == 1 else "iteration"
    frame = pd.DataFrame(rows, columns=["experiment", "layer", step, "ablated_filters", "layer_filters", "epoch",
                                        "top1"])
    return with_top1(frame, np.ones(len(frame), dtype=bool), frame.top1.to_numpy())


def with_top1(recovery: pd.DataFrame, rows: np.ndarray, top1: np.ndarray | float) -> pd.DataFrame:
    """`recovery` with top-1 set to `top1` (rounded to whole images) in `rows`, top-5 18 %p above it, and the images
    gained and lost against the intact network as whole images: only lost (below intact) or only gained (above)."""
    step = recovery.columns[2]
    frame = recovery.copy()
    frame["images"] = RECOVERY_IMAGES
    frame["top1"] = np.where(rows, top1, frame.top1)
    intact = frame.groupby("layer").top1.transform(lambda a: a[frame.loc[a.index, step] == 0].iloc[0])
    for metric, offset in (("top1", 0.0), ("top5", 18.0)):
        changed = np.round((intact - frame.top1) * RECOVERY_IMAGES / 100).astype(int)
        frame[metric] = intact + offset - 100 * changed / RECOVERY_IMAGES
        frame[f"{metric}_lost"], frame[f"{metric}_gained"] = changed.clip(lower=0), (-changed).clip(lower=0)
    return frame[[*frame.columns[:6], "top1", "top5", "top1_gained", "top1_lost", "top5_gained", "top5_lost",
                  "images"]]


def with_changes(table: pd.DataFrame) -> pd.DataFrame:
    """The synthetic table as the engine writes it: two semantics, and images gained and lost."""
    frame = table.copy()
    for metric in ("top5", "top1"):
        drop = np.round((frame.groupby("class")[metric].transform("first") - frame[metric]) * frame.images / 100)
        frame[f"{metric}_gained"] = np.where(frame.layer == "none", 0, 2 + np.clip(-drop, 0, None)).astype(int)
        frame[f"{metric}_lost"] = np.where(frame.layer == "none", 0, 2 + np.clip(drop, 0, None)).astype(int)
    other = frame.assign(top5=frame.top5 - np.where(frame.layer == "features.0", 30.0, 0.0))
    return pd.concat([frame.assign(semantics="literal"), other.assign(semantics="activation")], ignore_index=True)


def at_ceiling(table: pd.DataFrame, missed: int) -> pd.DataFrame:
    """Every class of 50 images with `missed` top-5 misses intact, and ablations that gain all of them."""
    frame = with_changes(table)
    frame["top5"] = np.where(frame.layer == "none", 100 * (50 - missed) / 50, frame.top5)
    frame["top5_gained"], frame["top5_lost"] = np.where(frame.layer == "none", 0, missed), 0
    return frame
