"""The VGG study's leading accuracy metric: top-1 or top-5, the one that decides the most important layers and that
Figs. 16-22, the extra figures, the class tests, recovery's stopping rule and the paper comparison show (Figs. 14
and 15 show top-5 and top-1, as the paper's). Torch-free: the workflow resolves it when it is parsed.

The paper measures ImageNet (1000 classes) by top-5, its usual metric. With 10 classes top-5 only asks the network
to rule out half of them: the embedded network scores 99.4 to 99.8 % top-5, at the ceiling, where no ablation can
make a class better. Below `TOP5_FROM_CLASSES` classes, top-1 leads.
"""

from __future__ import annotations

METRICS = ("top1", "top5")
LABELS = {"top1": "top-1", "top5": "top-5"}
SETTINGS = ("auto", *METRICS)
TOP5_FROM_CLASSES = 100  # top-5 leads from this many classes on (ImageNet: 1000)
MODEL_CLASSES = {"embedded": 10, "vgg19_bn": 1000}  # the digits; ImageNet


def leading(setting: str, classes: int) -> str:
    """`vgg.statistics.metric` resolved: as set, or (`auto`) top-5 with at least TOP5_FROM_CLASSES classes, else
    top-1."""
    if setting not in SETTINGS:
        raise ValueError(f"unknown metric setting '{setting}'; known: {', '.join(SETTINGS)}")
    if setting != "auto":
        return setting
    return "top5" if classes >= TOP5_FROM_CLASSES else "top1"


def reason(setting: str, classes: int) -> str:
    """Why the leading metric is what it is, for the captions."""
    metric = leading(setting, classes)
    if setting != "auto":
        return f"{LABELS[metric]}, as vgg.statistics.metric sets it"
    if metric == "top5":
        return f"top-5, the paper's metric, with {classes} classes"
    return f"top-1: of {classes} classes, top-5 only asks the network to rule out half, and sits at its ceiling"
