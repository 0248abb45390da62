"""How far the study's numbers move between CPU instruction sets: the measured tolerance the README states.

Runs the same workflow and config once per instruction set on this machine (each in its own folder), selecting
the kernels with the environment variables that PyTorch's libraries read (ATen: `ATEN_CPU_CAPABILITY`, oneDNN:
`ONEDNN_MAX_CPU_ISA`, MKL: `MKL_ENABLE_INSTRUCTIONS`), then compares every result table against the first
run: the largest absolute difference per float column, whether every other column agrees, and the units, pairs
and recovery layers that the figures feature.

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

from ablation import outcomes, roles

REPO = Path(__file__).resolve().parents[1]
# An x86-64 machine of each kind, as far as one machine can pretend: every library held to the same ISA.
MACHINES = {
    "avx512": {"ATEN_CPU_CAPABILITY": "avx512"},
    "avx2": {"ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2", "MKL_ENABLE_INSTRUCTIONS": "AVX2"},
    "default": {"ATEN_CPU_CAPABILITY": "default", "ONEDNN_MAX_CPU_ISA": "SSE41", "MKL_ENABLE_INSTRUCTIONS": "SSE4_2"},
}


def run(workdir: Path, config: dict | None, environment: dict[str, str]) -> float:
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--cores", "2",
               "--directory", str(workdir)]
    if config is not None:
        (workdir / "config.yaml").write_text(yaml.safe_dump(config))
        command += ["--configfile", str(workdir / "config.yaml")]
    start = time.perf_counter()
    subprocess.run(command, check=True, env={**os.environ, **environment}, capture_output=True, text=True)
    return time.perf_counter() - start


def compare(reference: Path, other: Path) -> pd.DataFrame:
    """Per result table: identical bytes, or the largest absolute difference of each float column."""
    rows = []
    for path in sorted((reference / "results").rglob("*.csv")):
        name = str(path.relative_to(reference))
        mine, theirs = pd.read_csv(path), pd.read_csv(other / name)
        if path.read_bytes() == (other / name).read_bytes():
            rows.append({"table": name, "column": "(all)", "max_abs_diff": 0.0, "other_columns": "identical bytes"})
            continue
        if mine.shape != theirs.shape:
            rows.append({"table": name, "column": "(shape)", "max_abs_diff": np.nan,
                         "other_columns": f"{mine.shape} vs {theirs.shape}"})
            continue
        floats = [c for c in mine.columns if mine[c].dtype.kind == "f"]
        others = [c for c in mine.columns if c not in floats]
        differing = [c for c in others if not mine[c].equals(theirs[c])]
        agree = "agree" if not differing else "differ: " + ", ".join(differing)
        for column in floats:
            difference = (mine[column] - theirs[column]).abs().max()
            rows.append({"table": name, "column": column, "max_abs_diff": difference, "other_columns": agree})
    return pd.DataFrame(rows)


def featured(workdir: Path) -> dict[str, object]:
    """The units and pairs the MNIST figures feature and the VGG recovery layers, as this run chose them."""
    table = outcomes.read_table(workdir / "results/mlp/ablations.csv")
    drops = outcomes.drops(table)
    network = str(table.network.iloc[0])
    chosen: dict[str, object] = dict(roles.unit_roles(drops, network))
    chosen.update(roles.pair_roles(drops, network))
    recovery = workdir / "results/vgg/recovery/experiment1.csv"
    if recovery.exists():
        chosen["recovery layers"] = sorted(pd.read_csv(recovery).layer.unique())
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--study", choices=("small", "default"), default="small")
    parser.add_argument("--machines", nargs="+", choices=list(MACHINES), default=list(MACHINES))
    parser.add_argument("--keep", type=Path, help="run in this folder and keep the results")
    arguments = parser.parse_args()
    base = arguments.keep or Path(tempfile.mkdtemp(prefix="cross_isa_"))
    folders = {}
    for machine in arguments.machines:
        workdir = base / machine
        workdir.mkdir(parents=True, exist_ok=True)
        config = None
        if arguments.study == "small":
            sys.path.insert(0, str(REPO / "tests"))
            from test_workflow import small_config

            config = small_config(workdir)
        seconds = run(workdir, config, MACHINES[machine])
        print(f"{machine}: {seconds / 60:.1f} min ({MACHINES[machine]})", flush=True)
        folders[machine] = workdir
    first, *rest = arguments.machines
    pd.set_option("display.width", 200, "display.max_rows", 500)
    for machine in rest:
        print(f"\n{machine} against {first}:")
        difference = compare(folders[first], folders[machine])
        print(difference[difference.column != "(all)"].to_string(index=False))
        print(f"{(difference.column == '(all)').sum()} of {difference.table.nunique()} tables identical byte for byte")
    print("\nfeatured units, pairs and recovery layers:")
    print(pd.DataFrame({machine: featured(folder) for machine, folder in folders.items()}).to_string())


if __name__ == "__main__":
    main()
