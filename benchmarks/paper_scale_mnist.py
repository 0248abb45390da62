"""The paper-scale MNIST study through the workflow, timed against its own training job: all of MNIST (the folder
given), the default's 21 networks x 100 epochs, the Shapley analysis, the VGG study and the model study off. It runs
once per t-SNE map, one after the other, each in a fresh folder: `authors` (what `mnist.analysis.tsne_map: auto`
picks with all of MNIST) and `computed` (the t-SNE in the run, the path before the authors' map). Each line gives the
run's span (the first job's start to the last job's end, from `results/critical_path.csv`), its training job's wall
time, their ratio and the rest of the span; the last line the ratio of the two spans.

    python benchmarks/paper_scale_mnist.py MNIST_FOLDER [--workdir DIR] [--cores 2] [--maps authors computed]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[1]


def config(mnist: Path, tsne_map: str) -> dict:
    return {"mnist": {"data": {"source": "path", "path": str(mnist)},
                      "analysis": {"tsne_map": tsne_map, "shapley": {"enabled": False}}},
            "vgg": {"enabled": False}, "models": {"resnet_digits": None}}


def run(workdir: Path, mnist: Path, tsne_map: str, cores: int) -> tuple[float, float]:
    """The run's span and its training job's wall time, in seconds."""
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    (workdir / "config.yaml").write_text(yaml.safe_dump(config(mnist, tsne_map)))
    subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--cores", str(cores),
                    "--directory", str(workdir), "--configfile", str(workdir / "config.yaml")],
                   check=True, capture_output=True)
    path = pd.read_csv(workdir / "results" / "critical_path.csv")
    jobs = pd.read_csv(workdir / "results" / "run_times.csv")
    return path.end.max() - path.start.min(), jobs[jobs.rule == "mnist_train"].wall_s.item()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mnist", type=Path, help="the folder with the four MNIST .gz files")
    parser.add_argument("--workdir", type=Path, help="where the runs go (default: a temporary folder, removed)")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--maps", nargs="+", default=["authors", "computed"], choices=["authors", "computed"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        base = args.workdir or Path(scratch)
        spans = {}
        for tsne_map in args.maps:
            span, training = run(base / tsne_map, args.mnist.resolve(), tsne_map, args.cores)
            spans[tsne_map] = span
            print(f"tsne_map {tsne_map}: {span:.1f} s, training {training:.1f} s, {span / training:.2f}x its training "
                  f"job; {span - training:.1f} s besides the training", flush=True)
    if len(spans) == 2:
        print(f"the authors' map: {spans['computed'] / spans['authors']:.2f}x faster than the computed map")


if __name__ == "__main__":
    main()
