"""Compute jobs side by side on half the cores each (the workflow's JOB_THREADS) against the same jobs one after
another on all the cores (what every compute job asked for before): a finished run's jobs of one rule rerun both ways
in its folder (Snakemake's --forcerun and --until, the threads set with --set-threads), alternating. Prints each
way's wall time and CPU use (this process's children: the Snakemake run and its jobs) and the ratio.

    python benchmarks/job_threads.py RUN_FOLDER [--rule vgg_ablation] [--repeats 2]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from ablation.core import provenance


def rerun(run: Path, rule: str, cores: int, threads: int) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of rerunning `rule`'s jobs with `threads` each on `cores`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "snakemake", "--cores", str(cores), "--set-threads", f"{rule}={threads}",
                    "--forcerun", rule, "--until", rule, "--quiet", "all"], cwd=run, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run", type=Path, help="a finished run's folder (its jobs are rerun there)")
    parser.add_argument("--rule", default="vgg_ablation", help="a rule with several compute jobs")
    parser.add_argument("--cores", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    ways = {"one after another, all the cores each": args.cores,
            "side by side, half the cores each": max(1, args.cores // 2)}
    found: dict[str, list[tuple[float, float]]] = {way: [] for way in ways}
    for _ in range(args.repeats):
        for way, threads in ways.items():
            found[way].append(rerun(args.run, args.rule, args.cores, threads))
    machine = provenance.machine_line(provenance.machine(), threads=False)
    print(f"{args.rule}'s jobs rerun on {args.cores} cores, {machine}, medians of {args.repeats}:")
    medians = {}
    for way, results in found.items():
        wall = statistics.median(w for w, _ in results)
        cpu = statistics.median(c for _, c in results)
        medians[way] = wall
        print(f"  {way} ({ways[way]} thread{'s' if ways[way] > 1 else ''}): {wall:.1f} s, CPU {100 * cpu / wall:.0f} %")
    old, new = medians.values()
    print(f"  side by side: {old / new:.2f}x faster")


if __name__ == "__main__":
    main()
