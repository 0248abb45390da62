"""The authors' trained MNIST network (`../shared/data/authors-mlp`) on the full MNIST test set under each ablation
semantics (`ablation.mnist.semantics`): which units and pairs matter most, and whether that depends on what
"ablate" means; the engine's time per semantics against a plain forward pass per ablation, in the same run.

    python benchmarks/semantics_authors.py --mnist ../shared/data/mnist/raw \\
        --network "../shared/data/authors-mlp/MNIST_MLP(20, 10)_trained.pt"
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from ablation.core.digits import load_from_folder
from ablation.mnist import ablation as unit_ablation
from ablation.mnist import outcomes, statistics
from ablation.mnist.network import Stack, load_state_dict, normalise
from ablation.mnist.semantics import SEMANTICS, Semantics

TOP = 3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mnist", type=Path, required=True, help="folder with the four MNIST files")
    parser.add_argument("--network", type=Path, required=True, help="the authors' trained state_dict")
    args = parser.parse_args()
    data = load_from_folder(args.mnist, verify_md5=True)
    stack = Stack.of([load_state_dict(args.network)])
    ablations = outcomes.plan()
    frames = []
    for name in SEMANTICS:
        start = time.perf_counter()
        semantics = Semantics.of(name, stack, normalise(data.train_images), seed=0)
        result = unit_ablation.evaluate(stack, ["authors"], data.test_images, data.test_labels, ablations, "clean",
                                        semantics)
        print(f"{name}: {len(ablations)} ablations on {len(data.test_labels):,} digits in "
              f"{time.perf_counter() - start:.2f} s")
        frames.append(outcomes.accuracy_table(result).assign(semantics=name))
    table = pd.concat(frames, ignore_index=True)
    drops = statistics.semantics_drops(table)
    for layer in ("hidden1", "hidden2"):
        singles = drops[(drops.layer == layer) & ~drops.units.str.contains(r"\+")]
        wide = singles.pivot(index="units", columns="semantics", values="drop")[list(SEMANTICS)]
        print(f"\n{layer}: the {TOP} largest single-unit drops [%p] under each semantics")
        for name in SEMANTICS:
            top = wide[name].nlargest(TOP)
            print(f"  {name:9s} " + ", ".join(f"unit {unit} {value:.2f}" for unit, value in top.items()))
        leaders = wide[SEMANTICS[0]].nlargest(TOP).index
        print(f"  zero's top {TOP} under each: " + "; ".join(
            f"unit {unit}: " + ", ".join(f"{name} {wide.loc[unit, name]:.2f}" for name in SEMANTICS)
            for unit in leaders))
    rankings = statistics.semantics_rankings(table, "zero", TOP, 100, 0)
    print("\nagainst zero (one network: no interval):")
    print(rankings[["semantics", "ranking", "items", "spearman", "overlap"]].to_string(index=False))


if __name__ == "__main__":
    main()
