"""Benchmark of the MNIST study on full MNIST: batched training, the ablation engine, and the whole workflow.

Every figure is a ratio against a baseline measured in the same run:
- training N networks as one batched model vs one network at a time (plain nn.Module + SGD), E epochs each;
- all unit ablations of all networks with the cached, folded-mask engine vs one full forward pass per ablation, under
  each semantics (zero, mean, resample);
- optionally (--study) the whole workflow at paper scale, timed end to end.

    python benchmarks/mnist_benchmark.py --mnist ../shared/data/mnist/raw [--epochs 2] [--study]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
import yaml

from ablation.core.digits import load_from_folder
from ablation.mnist import ablation as unit_ablation
from ablation.mnist import outcomes
from ablation.mnist.architecture import HIDDEN_LAYERS
from ablation.mnist.network import MLP, initial_weights, normalise
from ablation.mnist.semantics import SEMANTICS, Semantics
from ablation.mnist.training import TrainingSettings, train, train_alone

REPO = Path(__file__).resolve().parents[1]


def one_at_a_time(seeds: list[int], images: torch.Tensor, labels: torch.Tensor, settings: TrainingSettings) -> None:
    for seed in seeds:
        train_alone(seed, images, labels, settings)


def per_ablation_passes(stack, inputs: torch.Tensor, ablations: list[outcomes.Ablation]) -> None:
    """The plain way: zero the weights and run the whole test set through the network, per ablation."""
    model = MLP()
    with torch.no_grad():
        for network in range(len(stack)):
            for ablation in ablations:
                state_dict = stack.network(network)
                if ablation.units:
                    state_dict[HIDDEN_LAYERS[ablation.layer][1]][list(ablation.units)] = 0.0
                model.load_state_dict(state_dict)
                model(inputs).argmax(-1)


def per_ablation_replaced(stack, inputs: torch.Tensor, ablations: list[outcomes.Ablation],
                          replacement: tuple[torch.Tensor, torch.Tensor]) -> None:
    """The plain way under mean or resample: a forward pass per ablation with the ablated units' outputs replaced."""
    with torch.no_grad():
        for network in range(len(stack)):
            for ablation in ablations:
                h1 = torch.relu(inputs @ stack.fc1[network].T)
                if ablation.layer == "hidden1":
                    h1[:, list(ablation.units)] = replacement[0][network][:, list(ablation.units)]
                h2 = torch.relu(h1 @ stack.fc2[network].T)
                if ablation.layer == "hidden2":
                    h2[:, list(ablation.units)] = replacement[1][network][:, list(ablation.units)]
                (h2 @ stack.fc3[network].T).argmax(-1)


def timed(function, *arguments) -> float:
    start = time.perf_counter()
    function(*arguments)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mnist", type=Path, required=True, help="folder with the four MNIST files")
    parser.add_argument("--networks", type=int, default=21)
    parser.add_argument("--epochs", type=int, default=2, help="epochs per training measurement")
    parser.add_argument("--study", action="store_true", help="also time the whole workflow at paper scale")
    args = parser.parse_args()
    data = load_from_folder(args.mnist, verify_md5=True)
    seeds = list(range(args.networks))
    training = yaml.safe_load((Path(__file__).parents[1] / "config/config.yaml").read_text())["mnist"]["training"]
    settings = TrainingSettings(epochs=args.epochs, batch_size=training["batch_size"],
                                learning_rate=training["learning_rate"], momentum=training["momentum"],
                                data_seed=training["seed"])
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; {data.source}")

    batched = timed(train, seeds, data.train_images, data.train_labels, data.test_images, data.test_labels, settings)
    looped = timed(one_at_a_time, seeds, data.train_images, data.train_labels, settings)
    print(f"training {args.networks} nets x {args.epochs} epochs: batched {batched:.1f} s, "
          f"one at a time {looped:.1f} s, "
          f"speed-up {looped / batched:.1f}x; projected 100 epochs batched: {batched / args.epochs * 100 / 60:.1f} min")

    stack, inputs, ablations = initial_weights(seeds), normalise(data.test_images), outcomes.plan()
    names = [str(s) for s in seeds]
    for name in SEMANTICS:
        semantics = Semantics.of(name, stack, normalise(data.train_images), seed=0)
        engine = timed(unit_ablation.evaluate, stack, names, data.test_images, data.test_labels, ablations, "clean",
                       semantics)
        replacement = semantics.replacements(stack, inputs)
        plain = (timed(per_ablation_passes, stack, inputs, ablations) if replacement is None
                 else timed(per_ablation_replaced, stack, inputs, ablations, replacement))
        print(f"{name}: all {len(ablations)} ablations x {args.networks} nets on {len(inputs):,} test digits: engine "
              f"{engine:.2f} s, per-ablation passes {plain:.2f} s, speed-up {plain / engine:.1f}x")

    if args.study:
        with tempfile.TemporaryDirectory() as workdir:
            config = Path(workdir) / "config.yaml"
            config.write_text(f"mnist:\n  path: {args.mnist.resolve()}\n")
            command = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"),
                       "--directory", workdir, "--configfile", str(config), "--cores", "all", "--quiet"]
            study = timed(lambda: subprocess.run(command, check=True))
        print(f"whole MNIST study at paper scale ({args.networks} nets x 100 epochs, all figures): "
              f"{study / 60:.1f} min "
              f"= {study / (batched / args.epochs * 100):.2f}x the projected training time")


if __name__ == "__main__":
    main()
