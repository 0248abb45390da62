"""The VGG study's choices, made once (rule `vgg_choices`, results/vgg/choices.json) and read by every consumer:
recovery training, the Shapley analysis, the figures and the paper comparison.

- `semantics`: the semantics of the paper's figures, recovery and Shapley: the first one configured (the sweep runs
  them in that order).
- `metric`: the leading metric (`ablation.vgg.metric`).
- `most_important`: the two layers whose similarity groups (else the first grouping swept) at the largest ratio cost
  the most of `metric` under `semantics` (`statistics.most_important_layers`); None where no layer choice below
  needs it, so that nothing waits for the sweep.
- `recovery_layers`, `class_layers` (Figs. 16, 17), `shapley_layers`: as configured (the class layers: the paper's
  with its network, where they were swept), else `most_important`; each in network order, with how it was chosen
  (`how`).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ablation.vgg.architecture import network_order

if TYPE_CHECKING:
    import pandas as pd

PAPER_CLASS_LAYERS = ["features.46", "features.49"]  # Figs. 16, 17 of the paper's vgg19_bn
LAYER_CHOICES = {"recovery_layers": "vgg.recovery.layers", "class_layers": "vgg.figures.class_layers",
                 "shapley_layers": "vgg.shapley.layers"}


@dataclass(frozen=True)
class Settings:
    """What the config says (`layers`: each of `LAYER_CHOICES` -> its configured layers, or None)."""

    semantics: list[str]
    metric: str
    model: str
    swept_layers: list[str]
    layers: dict[str, list[str] | None]

    def configured(self) -> dict[str, tuple[list[str], str]]:
        """The layer choices the config makes: choice -> (layers, how); the class layers the paper's with its
        network where they were swept."""
        found = {name: (list(layers), f"configured ({LAYER_CHOICES[name]})")
                 for name, layers in self.layers.items() if layers}
        if ("class_layers" not in found and self.model == "vgg19_bn"
                and set(PAPER_CLASS_LAYERS) <= set(self.swept_layers)):
            found["class_layers"] = (PAPER_CLASS_LAYERS, "the paper's, of its vgg19_bn")
        return found

    def needs_the_sweep(self) -> bool:
        return len(self.configured()) < len(LAYER_CHOICES)


@dataclass(frozen=True)
class Choices:
    semantics: str
    metric: str
    most_important: list[str] | None
    recovery_layers: list[str]
    class_layers: list[str]
    shapley_layers: list[str]
    how: dict[str, str]  # each layer choice -> how it was made

    def write(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def read(cls, path: str | Path) -> Choices:
        return cls(**json.loads(Path(path).read_text()))


def choose(settings: Settings, table: pd.DataFrame | None) -> Choices:
    """The choices from `settings` and, where one is left to it, the sweep's `table`."""
    from ablation.vgg import statistics  # pandas and scipy: not while the workflow is parsed

    semantics, most_important = settings.semantics[0], None
    if settings.needs_the_sweep():
        if table is None:
            raise ValueError("a layer choice is left to the sweep, but no sweep table was given")
        most_important = statistics.most_important_layers(table, settings.metric, semantics)
    by_the_sweep = (most_important or [], f"the two layers whose ablation costs the most {settings.metric} under "
                                          f"{semantics}")
    configured = settings.configured()
    chosen = {name: configured.get(name, by_the_sweep) for name in LAYER_CHOICES}
    layers = {name: network_order(layers) for name, (layers, _) in chosen.items()}
    return Choices(semantics, settings.metric, most_important, layers["recovery_layers"], layers["class_layers"],
                   layers["shapley_layers"], how={name: how for name, (_, how) in chosen.items()})
