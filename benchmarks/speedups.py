"""Speed-ups of this tree's code against an older commit's, measured in one run on the same machine: each case runs
in a fresh process under each tree's `src/` (a git worktree of the old commit), alternating, and the medians are
compared.

Cases:
- figure start-up: importing what a figure job imports (`ablation.<study>.figures`), all three studies;
- report start-up: importing what a report job imports (`ablation.report.steps`);
- VGG sweep: the embedded default's sweep (448 ablations in 16 layers, `literal`) on a finished run's network and
  test images (`--run`);
- MNIST Shapley: one network's games, both layers exact (2^20 and 2^10 lesion sets), on `--items` digits of
  random activations (the kernel's time does not depend on the weights);
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
    "MNIST Shapley": """
import numba, torch
from ablation.mnist import shapley
torch.manual_seed(0); torch.set_num_threads({threads}); numba.set_num_threads({threads})
network = shapley.Network(torch.relu(torch.randn({items}, 20)), 0.3 * torch.randn(10, 20), 0.3 * torch.randn(10, 10),
                          torch.randint(0, 10, ({items},)))
settings = shapley.Settings(layers=["hidden1", "hidden2"], max_exact_units=20, permutations=100,
                            target_standard_error=None, seed=0, device="cpu")
shapley.games("net", network, settings)  # compiles the kernel or loads it from numba's cache
start = time.perf_counter()  # the timer restarts: only the second call counts
shapley.games("net", network, settings)
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
    parser.add_argument("--items", type=int, default=1000, help="digits in the Shapley case")
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
                code = template.format(run=args.run and args.run.resolve(), threads=args.threads, items=args.items,
                                       scratch=scratch)
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
