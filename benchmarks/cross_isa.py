"""How far the study's numbers move between CPU instruction sets: the measured tolerance the README states.

Runs the same workflow and config once per instruction set on this machine (each in its own folder), selecting
the kernels with the environment variables that PyTorch's libraries read (ATen: `ATEN_CPU_CAPABILITY`, oneDNN:
`ONEDNN_MAX_CPU_ISA`, MKL: `MKL_ENABLE_INSTRUCTIONS`), then compares each run with the first: the largest and
median absolute difference of the numbers the report shows (accuracies, drops, correlations, recovery), the share
of test-item outcomes that differ, and the units, pairs and recovery layers that the figures feature (`--tables`:
also every table's float columns). A kept folder is reused: Snakemake reruns nothing there. On a CPU without
AVX-512, leave `avx512` out of `--machines`.

    python benchmarks/cross_isa.py --study small            # the test suite's small study (real MNIST subset)
    python benchmarks/cross_isa.py --study default          # the embedded default run (minutes per ISA)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ablation.core import tables
from ablation.mnist import outcomes, roles
from ablation.vgg import statistics as vgg_statistics
from ablation.vgg.choices import Choices
from ablation.vgg.recovery import STEP

REPO = Path(__file__).resolve().parents[1]
# An x86-64 machine of each kind, as far as one machine can pretend: every library held to the same ISA.
MACHINES = {
    "avx512": {"ATEN_CPU_CAPABILITY": "avx512"},
    "avx2": {"ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2", "MKL_ENABLE_INSTRUCTIONS": "AVX2"},
    "default": {"ATEN_CPU_CAPABILITY": "default", "ONEDNN_MAX_CPU_ISA": "SSE41", "MKL_ENABLE_INSTRUCTIONS": "SSE4_2"},
}


def run(workdir: Path, config: dict, environment: dict[str, str]) -> float:
    (workdir / "config.yaml").write_text(yaml.safe_dump(config))
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--cores", "2",
               "--rerun-incomplete", "--directory", str(workdir), "--configfile", str(workdir / "config.yaml")]
    start = time.perf_counter()
    subprocess.run(command, check=True, env={**os.environ, **environment}, capture_output=True, text=True)
    return time.perf_counter() - start


def table_differences(reference: Path, other: Path) -> pd.DataFrame:
    """Per result table: identical bytes, or the largest absolute difference of each float column."""
    rows = []
    for path in sorted((reference / "results").rglob("*.csv")):
        name = str(path.relative_to(reference))
        if path.read_bytes() == (other / name).read_bytes():
            rows.append({"table": name, "column": "(all)", "max_abs_diff": 0.0, "other_columns": "identical bytes"})
            continue
        mine, theirs = pd.read_csv(path), pd.read_csv(other / name)
        if mine.shape != theirs.shape:
            rows.append({"table": name, "column": "(shape)", "max_abs_diff": np.nan,
                         "other_columns": f"{mine.shape} vs {theirs.shape}"})
            continue
        floats = [c for c in mine.columns if mine[c].dtype.kind == "f"]
        differing = [c for c in mine.columns if c not in floats and not mine[c].equals(theirs[c])]
        agree = "agree" if not differing else "differ: " + ", ".join(differing)
        for column in floats:
            rows.append({"table": name, "column": column, "max_abs_diff": (mine[column] - theirs[column]).abs().max(),
                         "other_columns": agree})
    return pd.DataFrame(rows)


def quantities(workdir: Path) -> dict[str, pd.Series]:
    """The numbers a reader takes from the report, each a Series indexed so that two runs align."""
    found: dict[str, pd.Series] = {}
    mnist = tables.read_table(workdir / "results/mnist/ablations.csv").set_index(["network", "layer", "units", "class"])
    intact = mnist.index.get_level_values("units") == tables.INTACT
    overall = mnist.index.get_level_values("class") == "all"
    found["MNIST intact accuracy [%]"] = mnist.accuracy[intact & overall]
    found["MNIST ablated accuracy, overall [%]"] = mnist.accuracy[~intact & overall]
    found["MNIST ablated accuracy, per class [%]"] = mnist.accuracy[~intact & ~overall]
    correlations = pd.read_csv(workdir / "results/mnist/statistics/correlations.csv")
    found["MNIST correlations, weight change vs drop (r, rho)"] = correlations.set_index(
        ["scope", "layer", "measure", "method"]).coefficient
    chosen = Choices.read(workdir / "results/vgg/choices.json")
    vgg = vgg_statistics.of_semantics(tables.read_table(workdir / "results/vgg/ablations.csv"), chosen.semantics)
    found["VGG intact top-1 / top-5 [%]"] = vgg[(vgg.layer == tables.INTACT) & (vgg["class"] == "all")][
        ["top1", "top5"]].stack()
    means = vgg_statistics.overall_means(vgg).set_index(["layer", "grouping", "ratio"])
    found["VGG mean top-5 drop per layer, grouping, ratio [%p]"] = means.top5_drop_mean
    for experiment, step in STEP.items():
        recovery = pd.read_csv(workdir / f"results/vgg/recovery/experiment{experiment}.csv")
        # Aligned by layer and pass: where two runs chose different layers, only the shared ones are compared.
        last = recovery.groupby(["layer", step]).tail(1).set_index(["layer", step])
        found[f"VGG recovery experiment {experiment}, top-5 at each pass's end [%]"] = last.top5
    return found


def differences(reference: dict[str, pd.Series], other: dict[str, pd.Series]) -> pd.DataFrame:
    """Largest and median absolute difference of each quantity (over the entries both runs have)."""
    rows = {}
    for name, values in reference.items():
        difference = (values - other[name]).abs().dropna()
        rows[name] = {"largest": difference.max(), "median": difference.median()}
    return pd.DataFrame(rows).T


def outcome_flips(reference: Path, other: Path) -> float:
    """Share of (network, ablation, test item) outcomes, right or wrong, that differ between two runs."""
    first, second = (outcomes.Outcomes.load(folder / "results/mnist/outcomes.npz").correct
                     for folder in (reference, other))
    return float((first != second).mean())


def featured(workdir: Path) -> dict[str, object]:
    """The units and pairs the MNIST figures feature and the VGG recovery layers, as this run chose them."""
    chosen: dict[str, object] = {figure: (f.units, f.class_name)
                                 for figure, f in roles.read(workdir / "results/mnist/featured.csv").items()}
    recovery = workdir / "results/vgg/recovery/experiment1.csv"
    if recovery.exists():
        chosen["recovery layers"] = sorted(pd.read_csv(recovery).layer.unique())
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--study", choices=("small", "default"), default="small")
    parser.add_argument("--machines", nargs="+", choices=list(MACHINES), default=list(MACHINES))
    parser.add_argument("--keep", type=Path, help="run in this folder and keep the results (reused if complete)")
    parser.add_argument("--tables", action="store_true", help="also print every table's float differences")
    arguments = parser.parse_args()
    base = arguments.keep or Path(tempfile.mkdtemp(prefix="cross_isa_"))
    folders = {}
    for machine in arguments.machines:
        workdir = base / machine
        workdir.mkdir(parents=True, exist_ok=True)
        if arguments.study == "small":
            sys.path.insert(0, str(REPO / "tests"))
            from helpers import small_study  # .test/config/config.yaml, on real MNIST where the tests find it

            config = small_study(workdir)
        else:
            config = yaml.safe_load((REPO / "config/config.yaml").read_text())
        seconds = run(workdir, config, MACHINES[machine])
        print(f"{machine}: {seconds / 60:.1f} min ({MACHINES[machine]})", flush=True)
        folders[machine] = workdir
    first, *rest = arguments.machines
    pd.set_option("display.width", 200, "display.max_rows", 500, "display.max_colwidth", 80)
    reference = quantities(folders[first])
    summary = pd.concat({f"{machine} vs {first}": differences(reference, quantities(folders[machine]))
                         for machine in rest}, axis=1)
    for machine in rest:
        flips = outcome_flips(folders[first], folders[machine])
        summary.loc["MNIST test-item outcomes that differ [share]", (f"{machine} vs {first}", "largest")] = flips
    print(f"\nlargest absolute difference against {first}:")
    print(summary.to_string(float_format=lambda v: f"{v:.3g}"))
    print("\nfeatured units, pairs and recovery layers:")
    print(pd.DataFrame({machine: featured(folder) for machine, folder in folders.items()}).to_string())
    if arguments.tables:
        for machine in rest:
            difference = table_differences(folders[first], folders[machine])
            print(f"\n{machine} against {first}, every table:")
            print(difference[difference.column != "(all)"].to_string(index=False))
            print(f"{(difference.column == '(all)').sum()} of {difference.table.nunique()} tables "
                  "identical byte for byte")


if __name__ == "__main__":
    main()
