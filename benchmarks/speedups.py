"""Speed-ups of this tree's code against an older commit's, measured in one run on the same machine: each case runs
in a fresh process under each tree's `src/` (a git worktree of the old commit), alternating, and the medians are
compared.

Cases:
- figure start-up: importing what a figure job imports (`ablation.<study>.figures`), all three studies;
- report start-up: importing what a report job imports (`ablation.report.steps`);
- VGG sweep: the embedded default's sweep (448 ablations in 16 layers, `literal`) on a finished run's network and
  test images (`--run`);
- MNIST job start-up: importing what an MNIST job imports (`ablation.mnist.steps`);
- VGG table job start-up: importing what a VGG table job imports (`ablation.vgg.table_steps`, or where a tree has
  none, `ablation.vgg.steps`);
- MNIST Shapley: a finished run's first network's games (`--run`), both layers exact (2^20 and 2^10 lesion sets),
  on its test digits (the kernel's time depends on how many first-layer units each digit activates);
- VGG null: the embedded default's null job (both zeroing semantics) on a finished run's network, test images and
  sweep (`--run`);
- VGG Shapley of features.0: the embedded default's Shapley job for its first layer (8 filters) on a finished run's
  network and test images (`--run`).

    python benchmarks/speedups.py --old e97fed8 [--run RUN_FOLDER] [--repeats 3] [--cases "VGG sweep" ...]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from ablation.core import provenance

REPO = Path(__file__).resolve().parents[1]
TIMED = "import time; start = time.perf_counter()\n{code}\nprint(time.perf_counter() - start)"
CASES = {
    "figure start-up": "import ablation.mnist.figures, ablation.vgg.figures, ablation.models.figures",
    "report start-up": "import ablation.report.steps",
    "VGG sweep": """
import torch
from ablation.vgg import steps
from ablation.vgg.architecture import CONV_LAYERS
steps.vgg_ablation(network_path="{run}/results/vgg/network.pt", images_path="{run}/results/vgg/test_images.pt",
                   held_out_path=None, layers=list(CONV_LAYERS), semantics="literal", ratios=[0.01, 0.05, 0.1, 0.25],
                   groupings=["similarity", "random", "l1"], groups_per_ratio=3, seed=0, batch_size=64,
                   branch_images=512, precision="auto", device="cpu", threads={threads}, stage_dir=None,
                   out_table="{scratch}/sweep.csv")
""",
    "MNIST job start-up": "import ablation.mnist.steps",
    "VGG table job start-up": """
try:
    import ablation.vgg.table_steps
except ImportError:
    import ablation.vgg.steps
""",
    "MNIST Shapley": """
import numba, torch
from ablation.core.digits import MnistData
from ablation.mnist import shapley
from ablation.mnist.network import normalise
from ablation.mnist.steps import load_networks
torch.set_num_threads({threads}); numba.set_num_threads({threads})
data = MnistData.from_dict(torch.load("{run}/results/mnist/data.pt", weights_only=True))
names, _, trained = load_networks("{run}/results/mnist/networks.pt")
with torch.no_grad():
    h1 = trained.hidden(normalise(data.test_images))[0]
network = shapley.Network(h1[0], trained.fc2[0], trained.fc3[0], data.test_labels)
settings = shapley.Settings(layers=["hidden1", "hidden2"], max_exact_units=20, permutations=100,
                            target_standard_error=None, seed=0, device="cpu")
shapley.games("net", network, settings)  # compiles the kernel or loads it from numba's cache
start = time.perf_counter()  # the timer restarts: only the second call counts
shapley.games("net", network, settings)
""",
    "VGG null": """
from ablation.vgg import steps
steps.vgg_null(network_path="{run}/results/vgg/network.pt", images_path="{run}/results/vgg/test_images.pt",
               table_path="{run}/results/vgg/ablations.csv", metric="top1", alpha=0.05,
               null=dict(alternative="greater", stop_after_exceedances=2, max_random_groups=9,
                         random_groups_per_pass=3, ratios=[0.1, 0.25], seed=0),
               batch_size=64, branch_images=512, precision="auto", device="cpu", threads={threads}, stage_dir=None,
               out_tests="{scratch}/null.csv", out_draws="{scratch}/draws.csv")
""",
    "VGG Shapley of features.0": """
from ablation.vgg import shapley, steps
settings = shapley.Settings(groups=16, permutations=64, target_standard_error=2.5, seed=0, semantics="literal",
                            batch_size=64, branch_images=512, precision="auto", device="cpu")
steps.vgg_shapley(network_path="{run}/results/vgg/network.pt", images_path="{run}/results/vgg/test_images.pt",
                  layers=["features.0"], settings=settings, threads={threads}, stage_dir=None,
                  out_values="{scratch}/shapley.csv")
""",
}


def measure(tree: Path, code: str, threads: int) -> float:
    env = {**os.environ, "PYTHONPATH": str(tree / "src"), "OMP_NUM_THREADS": str(threads)}
    result = subprocess.run([sys.executable, "-c", TIMED.format(code=code)], env=env, capture_output=True, text=True,
                            cwd=tree)
    if result.returncode:
        raise RuntimeError(result.stderr[-2000:])
    return float(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old", required=True, help="the commit to compare with")
    parser.add_argument("--run", type=Path, help="a finished default run (for the VGG sweep's network and images)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=min(os.cpu_count() or 1, 2))
    parser.add_argument("--cases", nargs="+", choices=list(CASES), default=list(CASES))
    args = parser.parse_args()
    print(f"{provenance.machine_line(provenance.machine(), threads=False)}, {args.threads} threads; old: {args.old}")
    with tempfile.TemporaryDirectory() as scratch:
        old = Path(scratch) / "old"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(old), args.old], check=True,
                       capture_output=True)
        try:
            print("| case | old | this tree | speed-up |")
            print("|---|---|---|---|")
            for case in args.cases:
                template = CASES[case]
                if "{run}" in template and args.run is None:
                    print(f"| {case} | | | not measured: give --run |")
                    continue
                code = template.format(run=args.run and args.run.resolve(), threads=args.threads, scratch=scratch)
                times: dict[str, list[float]] = {"old": [], "new": []}
                for _ in range(args.repeats):
                    for name, tree in (("old", old), ("new", REPO)):
                        times[name].append(measure(tree, code, args.threads))
                before, after = statistics.median(times["old"]), statistics.median(times["new"])
                print(f"| {case} | {before:.2f} s | {after:.2f} s | {before / after:.2f}x |")
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(old)], capture_output=True)


if __name__ == "__main__":
    main()
