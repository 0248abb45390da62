"""What several test modules share: the real data beside the repository, the small study, Snakemake runs, a local
server, planted outcomes. Fixtures live in conftest.py; `pythonpath = tests` (pyproject) makes this importable."""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
import threading
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import torch
import yaml
from torch import nn

from ablation.mnist import outcomes
from ablation.mnist.outcomes import Ablation, Outcomes
from ablation.vgg import network as vgg

REPO = Path(__file__).resolve().parents[1]
SHARED_MNIST = REPO.parent / "shared" / "data" / "mnist" / "raw"
SHARED_IMAGENET = REPO.parent / "shared" / "data" / "imagenet-sample"
# The paper authors' published network (their file names; see ablation.mnist.authors).
SHARED_AUTHORS = REPO.parent / "shared" / "data" / "authors-mlp"
SMALL_STUDY = REPO / ".test" / "config" / "config.yaml"

# As the README runs it: --rerun-incomplete redoes the jobs a dead run left unfinished.
SNAKEMAKE = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--rerun-incomplete",
             "--cores", "2"]


def snakemake(workdir: Path, config: dict, *arguments: str, env: dict[str, str] | None = None,
              cores: bool = True) -> subprocess.CompletedProcess:
    (workdir / "config.yaml").write_text(yaml.safe_dump(config))
    # Arguments (targets, flags) before --configfile, which would take further words as config files.
    command = SNAKEMAKE if cores else SNAKEMAKE[:-2]
    return subprocess.run([*command, *arguments, "--directory", str(workdir), "--configfile",
                           str(workdir / "config.yaml")], capture_output=True, text=True, timeout=1200, env=env)


def default_config() -> dict:
    """config/config.yaml as shipped: the one source of the settings' defaults."""
    return yaml.safe_load((REPO / "config" / "config.yaml").read_text())


def small_vgg() -> dict:
    return yaml.safe_load(SMALL_STUDY.read_text())["vgg"]


def small_study(workdir: Path) -> dict:
    """The small study (.test/config/config.yaml) set up in `workdir`: its data copied there, and real MNIST (a
    subset) where available instead of the bundled digits."""
    shutil.copytree(REPO / ".test" / "data", workdir / ".test" / "data", dirs_exist_ok=True)
    config = yaml.safe_load(SMALL_STUDY.read_text())
    if SHARED_MNIST.is_dir():
        config["mnist"]["data"] = {"source": "path", "path": str(SHARED_MNIST), "max_train_items": 6000,
                                   "max_test_items": 1000}
    return config


def recovery_settings(experiment: int, **changes: object):
    """Recovery settings as the default config makes them (the stopping rule on top-5, the paper's), with
    `changes`."""
    from dataclasses import replace

    from ablation.vgg.recovery import RecoverySettings

    config = default_config()["vgg"]
    return replace(RecoverySettings.from_config(config["recovery"], experiment, config["ablation"]["semantics"][0],
                                                "top5"), **changes)


@contextmanager
def serve(folder: Path):
    """A mirror on 127.0.0.1 serving `folder`, as torchvision's real mirrors serve the MNIST files."""
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def planted_outcomes() -> Outcomes:
    """MNIST outcomes of one network where units 3, 8 and 15 do nothing and units 5 and 10 each gain a little on
    class 2 and together a lot."""
    rng = np.random.default_rng(3)
    ablations = outcomes.plan()
    labels = np.repeat(np.arange(10), 50)
    intact = rng.random(len(labels)) < 0.8
    correct = np.repeat(intact[None, None], len(ablations), axis=1).copy()
    index = {a: i for i, a in enumerate(ablations)}
    class2_wrong = np.flatnonzero((labels == 2) & ~intact)
    for ablation, row in index.items():
        units = set(ablation.units)
        if ablation.layer != "hidden1" or not units or units <= {2, 7, 14}:
            continue  # the intact network, and the negligible units 3, 8, 15 (0-based 2, 7, 14)
        # A cost outside class 2, so that units 5 and 10 each gain on class 2 alone.
        correct[0, row, rng.choice(np.flatnonzero(intact & (labels != 2)), 5 * len(units), replace=False)] = False
    for units, fixed in (((4,), 1), ((9,), 1), ((4, 9), 6)):
        correct[0, index[Ablation("hidden1", units)], class2_wrong[:fixed]] = True
    return Outcomes(["n"], ablations, labels, correct)


# The VGG layer most VGG tests ablate.
LAYER = "features.33"


def randomised(network: nn.Module, seed: int = 0) -> nn.Module:
    """Random BatchNorm statistics and affine parameters, so a literal ablation leaves a visible constant."""
    generator = torch.Generator().manual_seed(seed)
    for module in network.modules():
        if isinstance(module, nn.BatchNorm2d):
            for tensor, low, high in ((module.running_mean, -0.5, 0.5), (module.running_var, 0.5, 2.0),
                                      (module.weight.data, 0.5, 1.5), (module.bias.data, 0.2, 0.8)):
                tensor.copy_(torch.rand(tensor.shape, generator=generator) * (high - low) + low)
    return network.eval()


def outputs_around(network: nn.Module, layer: str, x: torch.Tensor) -> dict[str, torch.Tensor]:
    """The outputs of the layer's conv, BatchNorm and ReLU as the network computes them (hooks included)."""
    index, seen = vgg.features_index(layer), {}
    handles = [network.features[index + offset].register_forward_hook(
        lambda _m, _i, output, name=name: seen.__setitem__(name, output.clone()))
        for offset, name in enumerate(("conv", "bn", "relu"))]
    with torch.no_grad():
        network(x)
    for handle in handles:
        handle.remove()
    return seen
