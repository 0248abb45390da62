"""How far the study's numbers move between CPU instruction sets: the tolerances a comparison of runs applies and
the README's table.

Runs the same workflow and config once per instruction set on this machine (each in its own folder), selecting
the kernels with the environment variables that PyTorch's libraries read (ATen: `ATEN_CPU_CAPABILITY`, oneDNN:
`ONEDNN_MAX_CPU_ISA`, MKL: `MKL_ENABLE_INSTRUCTIONS`), then compares the runs with the comparison
workflow (`workflow/compare/Snakefile`, its report in `<folder>/comparison/report.html`, the first machine the
reference) and every pair of runs with the same code (`ablation.compare.tables`). Prints:
- with `--write-tolerances`, the largest difference of every table's every numeric column over all pairs, written to
  `src/ablation/compare/tolerances.csv` for this study (what "within the stated tolerance" means in a comparison);
- the README's table: for the main tables, the largest difference of each column against the reference, and the
  share of MNIST test-item outcomes that flip.
The layers the VGG study picks from its sweep are named in the config (`PINNED`), so that the runs ablate and
retrain the same layers and their rows match. A kept folder (`--keep`) is reused: Snakemake reruns nothing there. On
a CPU without AVX-512, leave `avx512` out of `--machines`.

    python benchmarks/cross_isa.py --study small            # the test suite's small study (real MNIST subset)
    python benchmarks/cross_isa.py --study default          # the embedded default run (minutes per ISA)
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml

from ablation.compare import tables

REPO = Path(__file__).resolve().parents[1]
TOLERANCES = REPO / "src" / "ablation" / "compare" / "tolerances.csv"
# An x86-64 machine of each kind, as far as one machine can pretend: every library held to the same ISA.
MACHINES = {
    "avx512": {"ATEN_CPU_CAPABILITY": "avx512"},
    "avx2": {"ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2", "MKL_ENABLE_INSTRUCTIONS": "AVX2"},
    "default": {"ATEN_CPU_CAPABILITY": "default", "ONEDNN_MAX_CPU_ISA": "SSE41", "MKL_ENABLE_INSTRUCTIONS": "SSE4_2"},
}
# The layers each study's own run (AVX-512) picks from its sweep, named so that every run retrains and draws them.
PINNED = {"small": ["features.0", "features.46"], "default": ["features.0", "features.7"]}
# The README's rows: (table, columns) of the main results.
README_ROWS = [
    ("mnist/ablations.csv", ["accuracy"]),
    ("mnist/statistics/correlations.csv", ["coefficient"]),
    ("mnist/shapley/values.csv", ["value"]),
    ("vgg/ablations.csv", ["top1", "top5"]),
    ("vgg/statistics/null.csv", ["p"]),
    ("vgg/shapley/values.csv", ["value"]),
    ("vgg/recovery/experiment1.csv", ["top1", "top5"]),
    ("vgg/recovery/experiment2.csv", ["top1", "top5"]),
    ("models/resnet_digits/ablations.csv", ["top1", "top5"]),
]


def config_of(study: str, workdir: Path) -> dict:
    if study == "small":
        sys.path.insert(0, str(REPO / "tests"))
        from helpers import small_study  # .test/config/config.yaml, on real MNIST where the tests find it

        config = small_study(workdir)
    else:
        config = yaml.safe_load((REPO / "config/config.yaml").read_text())
    config["vgg"].setdefault("recovery", {})["layers"] = PINNED[study]
    config["vgg"].setdefault("shapley", {})["layers"] = PINNED[study]
    config["vgg"].setdefault("figures", {})["class_layers"] = PINNED[study]
    return config


def snakemake(*arguments: str, environment: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "snakemake", "--cores", "2", "--rerun-incomplete", *arguments], check=True,
                   env={**os.environ, **(environment or {})}, capture_output=True, text=True)
    return time.perf_counter() - start


def largest_differences(folders: dict[str, Path]) -> pd.DataFrame:
    """Per (table, column) what its tolerance bounds (`tables.bounded`: a number's largest absolute difference, else
    the rows that differ) at its largest over every pair of runs (`tables.compare_folders` with no tolerance)."""
    parts = [tables.compare_folders(folders[first] / "results", folders[second] / "results", tables.tolerances("none"))
             for first, second in itertools.combinations(folders, 2)]
    found = pd.concat(parts)
    found = found[found.column != "(table)"].assign(measured=lambda frame: tables.bounded(frame))
    return found.groupby(["table", "column"], as_index=False).measured.max()


def rounded_up(value: float) -> float:
    """`value` rounded up to two significant digits as the file holds it: a stated tolerance is never below what was
    measured, not even by float rounding (3.8 against a measured 3.8000000000000003)."""
    scale = 10.0 ** (math.floor(math.log10(value)) - 1)
    steps = math.ceil(value / scale)
    while float(f"{steps * scale:.10g}") < value:
        steps += 1
    return float(f"{steps * scale:.10g}")


def write_tolerances(study: str, largest: pd.DataFrame) -> None:
    kept = pd.read_csv(TOLERANCES)
    new = largest[largest.measured > 0].assign(tolerance=lambda frame: frame.measured.map(rounded_up))
    new = new[["table", "column", "tolerance"]]
    new.insert(0, "measured_on", study)
    pd.concat([kept[kept.measured_on != study], new]).sort_values(["measured_on", "table", "column"]).to_csv(
        TOLERANCES, index=False, float_format="%.10g")


def readme_table(comparison: pd.DataFrame, flips: pd.DataFrame, reference: str) -> str:
    """The README's rows: each main table's largest difference per column against the reference, per machine."""
    others = list(comparison.run.unique())
    lines = [f"| table: column | {' / '.join(others)} vs {reference} |", "|---|---|"]
    for table, columns in README_ROWS:
        for column in columns:
            found = comparison[(comparison.table == table) & (comparison.column == column)]
            if found.empty:
                continue
            cells = [f"{found[found.run == run].largest_abs_difference.iloc[0]:.2g}" for run in others]
            lines.append(f"| `{table}`: {column} | {' / '.join(cells)} |")
    for table in ("mnist/outcomes.npz",):
        shares = [flips[(flips.run == run) & (flips.matrix == table) & (flips["class"] == "all")] for run in others]
        cells = [f"{100 * part.flips.sum() / part['items'].sum():.2g} %" for part in shares]
        lines.append(f"| `{table}`: test-item outcomes that flip | {' / '.join(cells)} |")
    verdicts = comparison[comparison.column == "(table)"].groupby("run").verdict.value_counts().unstack(fill_value=0)
    lines.append("| tables per verdict | " + " / ".join(
        ", ".join(f"{count} {verdict}" for verdict, count in verdicts.loc[run].items() if count) for run in others)
        + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--study", choices=("small", "default"), default="small")
    parser.add_argument("--machines", nargs="+", choices=list(MACHINES), default=list(MACHINES))
    parser.add_argument("--keep", type=Path, help="run in this folder and keep the results (reused if complete)")
    parser.add_argument("--write-tolerances", action="store_true",
                        help=f"write the measured differences to {TOLERANCES.relative_to(REPO)} for this study")
    arguments = parser.parse_args()
    base = (arguments.keep or Path(tempfile.mkdtemp(prefix="cross_isa_"))).resolve()
    folders = {}
    for machine in arguments.machines:
        workdir = base / machine
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "config.yaml").write_text(yaml.safe_dump(config_of(arguments.study, workdir)))
        seconds = snakemake("--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir),
                            "--configfile", str(workdir / "config.yaml"), environment=MACHINES[machine])
        print(f"{machine}: {seconds / 60:.1f} min ({MACHINES[machine]})", flush=True)
        folders[machine] = workdir
    largest = largest_differences(folders)
    if arguments.write_tolerances:
        write_tolerances(arguments.study, largest)
        print(f"{len(largest)} tolerances for {arguments.study} written to {TOLERANCES}")
    # Always redone (it takes seconds): the tolerances it applies may just have been written.
    snakemake("--snakefile", str(REPO / "workflow" / "compare" / "Snakefile"), "--directory", str(base), "--forceall",
              "--config", f"runs={list(map(str, folders.values()))}", f"tolerances={arguments.study}",
              "--report", str(base / "comparison" / "report.html"), "--report-after-run")
    print(f"comparison report: {base / 'comparison' / 'report.html'}")
    comparison = pd.read_csv(base / "comparison" / "tables.csv")
    flips = pd.read_csv(base / "comparison" / "outcome_flips.csv", dtype={"class": str})
    print(f"\nlargest absolute difference against {arguments.machines[0]}, this study ({arguments.study}):")
    print(readme_table(comparison, flips, arguments.machines[0]))


if __name__ == "__main__":
    main()
