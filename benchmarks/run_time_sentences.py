"""The README's sentences on how long a run takes, printed from that run's own tables: `results/run_times.csv` (every
job's wall time, CPU time and peak memory) and `results/critical_path.csv`, and the machine its jobs recorded. Paste
them into the README after measuring a run; nothing in them is typed by hand.

    python benchmarks/run_time_sentences.py RUN_FOLDER [--command "the command that made the run"]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from ablation.core import provenance
from ablation.mnist import registry as mnist_registry
from ablation.models import registry as model_registry
from ablation.report.run_times import per_rule
from ablation.vgg import registry as vgg_registry

FIGURE_RULES = {*mnist_registry.FIGURES, *vgg_registry.FIGURES, *model_registry.FIGURES}  # one rule per figure id


def minutes(seconds: float) -> str:
    return f"{int(seconds // 60)} min {round(seconds % 60):02d} s" if seconds >= 60 else f"{seconds:.0f} s"


def sentences(run: Path, command: str) -> str:
    jobs = pd.read_csv(run / "results" / "run_times.csv")
    path = pd.read_csv(run / "results" / "critical_path.csv")
    machines = {}
    for record in sorted((run / "results").glob("*/provenance.json")):
        machines.update(provenance.read(str(record)).get("machines", {}))
    machine = "; ".join(sorted({provenance.machine_line(record, threads=False) for record in machines.values()}))
    span = path.end.max() - path.start.min()
    figures = jobs[jobs.rule.isin(FIGURE_RULES)]
    rules = per_rule(jobs[~jobs.rule.isin(FIGURE_RULES)])
    longest = ", ".join(f"{rule} {total:.0f} s ({count} job{'s' if count > 1 else ''})" for rule, count, total
                        in rules[["rule", "jobs", "wall_s_total"]].head(6).itertuples(index=False))
    return (f"`{command}` ran {len(jobs)} jobs in {minutes(span)}, from its first job's start to its last job's end "
            f"(on {machine}). Its jobs took {jobs.wall_s.sum():.0f} s of wall time in all; the longest rules: "
            f"{longest}; {len(figures)} figure jobs "
            f"{figures.wall_s.sum():.0f} s together ({figures.wall_s.median():.1f} s each, median). The most memory "
            f"one job held: {jobs.max_rss_mb.max():.0f} MB ({jobs.loc[jobs.max_rss_mb.idxmax(), 'rule']}). "
            f"The critical path, {len(path)} jobs: {' -> '.join(path.rule)}.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run", type=Path, help="a finished run's folder (holding results/run_times.csv)")
    parser.add_argument("--command", default="snakemake --cores all", help="how the run was started")
    args = parser.parse_args()
    print(sentences(args.run, args.command))


if __name__ == "__main__":
    main()
