"""Recovery training: ablate a random share of a layer's filters, retrain, and follow top-1/top-5.

Experiment 1: every pass starts from the intact network, ablates a fresh random `ratio` of the layer's filters
and retrains for a fixed number of epochs (the paper: 6). Experiment 2: ablations accumulate: every iteration
draws `ratio` of *all* the layer's filters at random, already ablated ones included (so the ablated share grows
as 1 - (1 - ratio)^k on average: with ratio 0.25, 25, 44, 58, 68, 76, 82 % after k = 1..6), ablates them on top of
the earlier ones and continues from the previous iteration's retrained network. The paper's stopping rule, "at
least five training epochs had to be completed and after that the improvement in accuracy had to be increased by at
least 0.05% over two epochs", read as: after at least `min_epochs` epochs, stop once the leading metric
(`metric`: top-5 at paper scale, the metric of the paper's recovery figures; top-1 with fewer classes,
`ablation.vgg.metric`) rose by less than `min_improvement` percentage points over the last `window` epochs together
(or after `max_epochs`).
Always: everything before the layer is frozen and kept in eval mode (its BatchNorm statistics do not move);
the ablated filters stay ablated (their channel is masked and their conv weights and bias are reset to zero after
every step). A checkpoint after every epoch lets a killed run resume exactly where it stopped.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import logging
import os
import signal
from collections.abc import Callable, Iterator, Sized
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Protocol, cast

import numpy as np
import pandas as pd
import torch
from torch import nn

from ablation.core.logs import Progress
from ablation.vgg import ablation as filter_ablation
from ablation.vgg.ablation import mask_hook, zero_filters
from ablation.vgg.images import ImageSet
from ablation.vgg.network import conv, features, features_index
from ablation.vgg.training import PRECISION, Preempted, TrainingData, derived_seed, train_epoch, training_batches

log = logging.getLogger("ablation")
# An experiment's table: its third column counts experiment 1's passes, experiment 2's iterations (0: intact).
STEP = {1: "pass", 2: "iteration"}
METRICS = ("top1", "top5")
# Beside each accuracy, the test images it has gained and lost against the intact network (its paired interval).
CHANGES = ("top1_gained", "top1_lost", "top5_gained", "top5_lost")


def columns(experiment: int) -> list[str]:
    return ["experiment", "layer", STEP[experiment], "ablated_filters", "layer_filters", "epoch", *METRICS, *CHANGES,
            "images"]


@dataclass(frozen=True)
class RecoverySettings:
    """As `vgg.recovery` in the config (the only source of defaults); None where the experiment has no such knob."""

    experiment: int  # 1: reset between passes; 2: ablations accumulate
    ratio: float
    passes: int  # experiment 2: iterations
    epochs: int | None  # experiment 1: epochs per pass
    min_epochs: int | None  # experiment 2: the stopping rule
    max_epochs: int | None
    min_improvement: float | None
    window: int | None
    batch_size: int
    learning_rate: float
    momentum: float
    semantics: str
    seed: int
    metric: str  # top1 or top5: the one the stopping rule follows

    @classmethod
    def from_config(cls, recovery: dict, experiment: int, semantics: str, metric: str) -> RecoverySettings:
        """From the config's `vgg.recovery`: experiment 1 runs passes of a fixed number of epochs, experiment 2
        iterations under the stopping rule on `metric`; both under `semantics` (the first swept, as the paper's
        figures)."""
        shared = {key: recovery[key] for key in ("ratio", "batch_size", "learning_rate", "momentum", "seed")}
        if experiment == 1:
            first = recovery["experiment1"]
            return cls(experiment=1, passes=first["passes"], epochs=first["epochs"], min_epochs=None, window=None,
                       min_improvement=None, max_epochs=None, semantics=semantics, metric=metric, **shared)
        second = recovery["experiment2"]
        return cls(experiment=2, passes=second["iterations"], epochs=None, semantics=semantics, metric=metric, **shared,
                   **{key: second[key] for key in ("min_epochs", "window", "min_improvement", "max_epochs")})


def should_stop(scores: list[float], settings: RecoverySettings) -> bool:
    """scores[0] (of settings.metric) is right after the ablation, scores[e] after epoch e."""
    epochs = len(scores) - 1
    if settings.experiment == 1:
        assert settings.epochs is not None
        return epochs >= settings.epochs
    assert settings.min_epochs is not None and settings.window is not None and settings.max_epochs is not None
    assert settings.min_improvement is not None
    if epochs >= settings.max_epochs:
        return True
    # 1e-9: accuracies are ratios of counts, and a rise of exactly min_improvement must not read as 0.0499999.
    return (epochs >= max(settings.min_epochs, settings.window)
            and scores[-1] - scores[-1 - settings.window] < settings.min_improvement - 1e-9)


def ablated_filters(layer: str, channels: int, settings: RecoverySettings) -> list[list[int]]:
    """The ablated filters of each pass: a fresh random share (experiment 1), or that share drawn from all filters
    and added to the ones ablated before (experiment 2)."""
    rng = np.random.default_rng([settings.seed, derived_seed(layer, settings.experiment)])
    size = max(1, round(settings.ratio * channels))
    passes: list[list[int]] = []
    ablated: set[int] = set()
    for _ in range(settings.passes):
        drawn = {int(i) for i in rng.choice(channels, size, replace=False)}
        ablated = drawn if settings.experiment == 1 else ablated | drawn
        passes.append(sorted(ablated))
    return passes


class Checkpoint:
    """The state after the last finished epoch, valid only for the same settings, layers and network."""

    def __init__(self, path: str | Path, fingerprint: str) -> None:
        self.path, self.fingerprint = Path(path), fingerprint

    def load(self) -> dict | None:
        if not self.path.exists():
            return None
        saved = torch.load(self.path, map_location="cpu", weights_only=True)
        if saved.get("fingerprint") != self.fingerprint:
            log.info("ignoring checkpoint %s: it was made with other settings", self.path)
            return None
        log.info("resuming from %s: layer %d, pass %d, epoch %d", self.path, *saved["position"])
        return saved

    def save(self, state: dict) -> None:
        partial = self.path.with_suffix(".partial")
        torch.save({"fingerprint": self.fingerprint, **state}, partial)
        os.replace(partial, self.path)  # atomic: a kill mid-write leaves the previous checkpoint intact


@contextmanager
def sigterm_requests_stop() -> Iterator[dict[str, bool]]:
    """While active, SIGTERM (a cluster's time limit, before its SIGKILL) only sets `requested["stop"]`, so that
    training stops at the next batch boundary and writes a checkpoint."""
    requested = {"stop": False}

    def request(_signum: int, _frame: object) -> None:
        log.warning("SIGTERM: stopping after this batch and writing a checkpoint")
        requested["stop"] = True

    previous = signal.signal(signal.SIGTERM, request)
    try:
        yield requested
    finally:
        signal.signal(signal.SIGTERM, previous)


def fingerprint(network: nn.Module, layers: list[str], settings: RecoverySettings, data: str) -> str:
    # The table's columns too: a checkpoint whose rows lack some is not resumed.
    digest = hashlib.sha256(json.dumps([layers, asdict(settings), data, columns(settings.experiment)]).encode())
    for tensor in network.state_dict().values():
        digest.update(tensor.detach().cpu().contiguous().view(-1).view(torch.uint8).numpy().tobytes()[:4096])
    return digest.hexdigest()


class AblatedLayer(Protocol):
    """A network being retrained with some units of one layer ablated and everything before the layer frozen."""

    evaluated: nn.Module  # what an evaluation runs: the network with the ablation in place

    def trainable(self) -> list[nn.Parameter]: ...

    def train_mode(self) -> None: ...

    def forward(self, images: torch.Tensor) -> torch.Tensor: ...

    def keep_ablated(self) -> None: ...

    def close(self) -> None: ...


class Ablating(Protocol):
    """How a model's layers are ablated for retraining: the VGG's (`VggAblating`), or any traced model's
    (`ablation.models.recovery`)."""

    def channels(self, network: nn.Module, layer: str) -> int: ...

    def ablate(self, network: nn.Module, layer: str, filters: list[int], semantics: str) -> AblatedLayer: ...


class _AblatedLayer:
    """A VGG with `filters` of `layer` ablated and everything before the layer frozen in eval mode."""

    def __init__(self, network: nn.Module, layer: str, filters: list[int], semantics: str) -> None:
        self.network, self.layer, self.filters, self.start = network, layer, filters, features_index(layer)
        self.evaluated: nn.Module = network
        zero_filters(network, layer, filters)
        self.hook = mask_hook(network, layer, filters, semantics)
        self.prefix = features(network)[: self.start]
        for parameter in self.prefix.parameters():
            parameter.requires_grad_(False)

    def trainable(self) -> list[nn.Parameter]:
        return [p for p in self.network.parameters() if p.requires_grad]

    def train_mode(self) -> None:
        self.network.train()
        self.prefix.eval()

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():  # the frozen prefix needs no graph
            features = self.prefix(images)
        return filter_ablation.head(self.network, features, self.start)

    def keep_ablated(self) -> None:
        zero_filters(self.network, self.layer, self.filters)

    def close(self) -> None:
        """Remove the mask and unfreeze the prefix: the network is plain again for the next pass."""
        self.hook.remove()
        for parameter in self.prefix.parameters():
            parameter.requires_grad_(True)


class VggAblating:
    def channels(self, network: nn.Module, layer: str) -> int:
        return conv(network, layer).out_channels

    def ablate(self, network: nn.Module, layer: str, filters: list[int], semantics: str) -> AblatedLayer:
        return _AblatedLayer(network, layer, filters, semantics)


VGG_ABLATING = VggAblating()


def _row(settings: RecoverySettings, layer: str, pass_: int, ablated: int, channels: int, epoch: int,
         result: Evaluation) -> dict[str, object]:
    return dict(zip(columns(settings.experiment), (settings.experiment, layer, pass_, ablated, channels, epoch,
                                                   *result)))


Evaluation = tuple[float, ...]  # top-1, top-5 [%], then CHANGES and the images: a row's last columns


@dataclass
class ResumeState:
    """Where a run stopped, from its checkpoint: the rows so far and the position (layer index, pass, epoch) of the
    last finished epoch, whether that pass had met its stopping rule, the network and optimizer after that epoch,
    and, where a SIGTERM stopped the next epoch inside, how far it got (`partial`)."""

    rows: list[dict[str, object]] = field(default_factory=list)
    position: tuple[int, int, int] | None = None
    finished: bool = False
    network: dict | None = None
    optimizer: dict | None = None
    partial: dict | None = None

    @classmethod
    def load(cls, checkpoint: Checkpoint) -> ResumeState:
        saved = checkpoint.load()
        if saved is None:
            return cls()
        return cls(saved["rows"], cast(tuple[int, int, int], tuple(saved["position"])), saved["finished"],
                   saved["network"], saved["optimizer"], saved.get("partial"))

    def done(self, layer: int, pass_: int) -> bool:
        """The pass was finished before the run stopped."""
        return self.position is not None and ((layer, pass_) < self.position[:2] or (
            (layer, pass_) == self.position[:2] and self.finished))

    def resumes(self, layer: int, pass_: int) -> bool:
        """The run stopped inside this pass."""
        return self.position is not None and (layer, pass_) == self.position[:2] and not self.finished

    def layer_started(self, layer: int) -> bool:
        return self.position is not None and layer <= self.position[0]


@dataclass(frozen=True)
class _Job:
    """What every pass of a run shares."""

    settings: RecoverySettings
    train: TrainingData
    test: ImageSet
    checkpoint: Checkpoint
    device: str
    workers: int
    eval_batch_size: int
    stop: Callable[[], bool] | None
    ablating: Ablating
    intact_hits: torch.Tensor | None = None  # (2, images): the intact network's top-1 and top-5 hits, once known

    def evaluate(self, model: nn.Module, progress: Progress | str) -> tuple[Evaluation, torch.Tensor]:
        """Top-1, top-5, the images gained and lost against the intact network (`intact_hits`; none before it is
        known) and the images; and the hits of every image. `progress`: the epoch's (it counts the test images too),
        or what an evaluation of its own is."""
        if isinstance(progress, str):
            progress = Progress(len(self.test), progress, "images")
        counts, found = filter_ablation.evaluate_against(model, self.test, self.eval_batch_size, self.device,
                                                         PRECISION, self.intact_hits, progress)
        changes = (int(getattr(counts, name).sum()) for name in CHANGES)
        return (*counts.accuracy(), *changes, int(counts.images.sum())), found

    def accuracy(self, model: nn.Module, progress: Progress | str) -> Evaluation:
        return self.evaluate(model, progress)[0]


def run(network: nn.Module, layers: list[str], train: TrainingData, test: ImageSet, settings: RecoverySettings,
        checkpoint: Checkpoint, device: str = "cpu", workers: int = 0, eval_batch_size: int = 64,
        only_pass: int | None = None, stop: Callable[[], bool] | None = None,
        ablating: Ablating = VGG_ABLATING) -> pd.DataFrame:
    """Top-1/top-5 of every layer's intact network, after every ablation and after every epoch of retraining.

    `only_pass`: run that pass alone (experiment 1, whose passes are independent: a cluster runs them as separate
    jobs); the intact network's row goes with pass 1. Its rows are those the whole run has for that pass.
    `stop()` true (SIGTERM, see `sigterm_requests_stop`): the state after the current batch is saved and the job
    exits; run again, it resumes there and ends with the same table as a run never stopped. `ablating`: how the
    model's layers are ablated (the VGG's by default)."""
    job = _Job(settings, train, test, checkpoint, device, workers, eval_batch_size, stop, ablating)
    original = copy.deepcopy(network.state_dict())
    # Every job evaluates the intact network once: each later evaluation counts its changes against it.
    intact, hits = job.evaluate(network, "intact network on the test images")
    job = replace(job, intact_hits=hits)
    state = ResumeState.load(checkpoint)
    rows = state.rows
    carried = state.network  # experiment 2: the network the next pass continues from
    for li, layer in enumerate(layers):
        channels = ablating.channels(network, layer)
        if not state.layer_started(li) and only_pass in (None, 1):
            rows.append(_row(settings, layer, 0, 0, channels, 0, intact))
        for pass_, filters in enumerate(ablated_filters(layer, channels, settings), start=1):
            if (only_pass is not None and pass_ != only_pass) or state.done(li, pass_):
                continue
            resume = state if state.resumes(li, pass_) else None
            start = resume.network if resume else (carried if settings.experiment == 2 and pass_ > 1 else original)
            assert start is not None
            network.load_state_dict(start)
            _retrain(job, network, (li, layer), pass_, filters, rows, resume)
            carried = copy.deepcopy(network.state_dict())
    return pd.DataFrame(rows, columns=columns(settings.experiment))


def _retrain(job: _Job, network: nn.Module, layer_at: tuple[int, str], pass_: int, filters: list[int],
             rows: list[dict[str, object]], resume: ResumeState | None) -> None:
    """One pass: ablate `filters` of the layer, then retrain until the stopping rule, a row after every epoch and a
    checkpoint with it; `resume`: the state of a run that stopped inside this pass."""
    settings, (li, layer) = job.settings, layer_at
    channels = job.ablating.channels(network, layer)
    model = job.ablating.ablate(network.to(job.device), layer, filters, settings.semantics)
    optimizer = torch.optim.SGD(model.trainable(), lr=settings.learning_rate, momentum=settings.momentum)
    if resume:
        optimizer.load_state_dict(cast(dict, resume.optimizer))
        scores = [cast(float, r[settings.metric]) for r in rows
                  if (r["layer"], r[STEP[settings.experiment]]) == (layer, pass_)]
    else:
        after = job.accuracy(model.evaluated, f"experiment {settings.experiment}, {layer}, pass {pass_}: test "
                                              "before retraining")
        rows.append(_row(settings, layer, pass_, len(filters), channels, 0, after))
        scores = [after[METRICS.index(settings.metric)]]
    partial = resume.partial if resume else None
    while not should_stop(scores, settings):
        epoch = len(scores)
        skip = _epoch_start(settings, layer, pass_, epoch, partial if partial and partial["epoch"] == epoch else None)
        model.train_mode()
        # One report per epoch (the number of epochs of experiment 2 is not known in advance).
        progress = Progress(max(0, len(cast(Sized, job.train)) - skip * settings.batch_size) + len(job.test),
                            f"experiment {settings.experiment}, {layer}, pass {pass_}, epoch {epoch} (training and "
                            "test images)", "images")
        batches = training_batches(job.train, settings.batch_size, derived_seed(settings.seed, layer, pass_, epoch),
                                   job.device, job.workers)
        try:
            loss = train_epoch(model.forward, optimizer, itertools.islice(batches, skip, None), job.device,
                               model.keep_ablated, stop=job.stop, progress=progress)
        except Preempted as preempted:
            # The rows and the network so far; resuming replays the epoch's batch order to this point.
            job.checkpoint.save({"rows": rows, "position": [li, pass_, epoch - 1], "finished": False,
                                 "network": network.state_dict(), "optimizer": optimizer.state_dict(),
                                 "partial": {"epoch": epoch, "batches": skip + preempted.batches,
                                             "rng": torch.get_rng_state(), "cuda_rng": (
                                                 torch.cuda.get_rng_state_all() if torch.cuda.is_available()
                                                 else None)}})
            raise SystemExit(f"preempted in epoch {epoch}; checkpoint written: the job resumes from it") from None
        result = job.accuracy(model.evaluated, progress)
        rows.append(_row(settings, layer, pass_, len(filters), channels, epoch, result))
        scores.append(result[METRICS.index(settings.metric)])
        log.info("experiment %d, %s, pass %d (%d/%d filters ablated), epoch %d: loss %.4f, top-1 %.2f %%, "
                 "top-5 %.2f %%", settings.experiment, layer, pass_, len(filters), channels, epoch, loss, *result[:2])
        job.checkpoint.save({"rows": rows, "position": [li, pass_, epoch], "finished": should_stop(scores, settings),
                             "network": network.state_dict(), "optimizer": optimizer.state_dict()})
        partial = None  # the partial epoch is done: later epochs start afresh
    model.close()


def _epoch_start(settings: RecoverySettings, layer: str, pass_: int, epoch: int, partial: dict | None) -> int:
    """Seed the epoch's dropout, or restore the random state where a SIGTERM stopped it (`partial`); the batches
    already trained."""
    if partial is None:
        torch.manual_seed(derived_seed(settings.seed, layer, pass_, epoch, "dropout"))
        return 0
    torch.set_rng_state(partial["rng"])
    if partial["cuda_rng"] is not None:
        torch.cuda.set_rng_state_all(partial["cuda_rng"])
    return int(partial["batches"])
