"""Where a run spent its time and memory: every job's Snakemake benchmark file (`logs/benchmark/<rule>/...tsv`: wall
time, peak resident memory, CPU time) in one table, summed per rule, and the run's critical path.

The critical path is read from Snakemake's own record of each output (`.snakemake/metadata`: its rule, inputs, start
and end): from the job that ended last, back through the input whose job ended last, to a job with no such input.
Shortening any other job does not shorten the run. Where that record is missing or of another format, the page says
so and shows the rest.
"""

from __future__ import annotations

import base64
import json
from html import escape
from pathlib import Path

import pandas as pd

from ablation.core import html_table

BENCHMARKS = Path("logs/benchmark")
METADATA = Path(".snakemake/metadata")
JOB_COLUMNS = ["rule", "job", "wall_s", "cpu_s", "max_rss_mb"]


def jobs(root: Path = BENCHMARKS) -> pd.DataFrame:
    """One row per benchmark file: the rule (its folder or file name), the job (its wildcards), wall and CPU seconds,
    peak resident memory."""
    rows = []
    for path in sorted(root.rglob("*.tsv")):
        relative = path.relative_to(root).with_suffix("")
        record = pd.read_csv(path, sep="\t").iloc[-1]
        rows.append({"rule": relative.parts[0], "job": "/".join(relative.parts[1:]), "wall_s": float(record["s"]),
                     "cpu_s": float(record["cpu_time"]), "max_rss_mb": _number(record["max_rss"])})
    return pd.DataFrame(rows, columns=JOB_COLUMNS)


def _number(value: object) -> float:
    """Snakemake writes `-` where it could not measure."""
    try:
        return float(str(value))
    except ValueError:
        return float("nan")


def critical_path(metadata: Path = METADATA) -> list[dict[str, object]]:
    """The chain of jobs that ended last (first job first): rule, log file, start and end (seconds since the epoch).
    Empty where the record cannot be read."""
    produced: dict[str, tuple] = {}
    records: dict[tuple, dict] = {}
    for path in metadata.glob("*") if metadata.is_dir() else []:
        try:
            record = json.loads(path.read_text())
            output = base64.urlsafe_b64decode(path.name + "=" * (-len(path.name) % 4)).decode()
            job = (record["rule"], record["starttime"], record["endtime"])
        except (ValueError, KeyError, TypeError):
            continue
        if job[1] is None or job[2] is None:
            continue
        produced[output] = job
        records[job] = record
    if not records:
        return []
    chain = [max(records, key=lambda job: job[2])]
    while True:
        before = [produced[name] for name in records[chain[-1]].get("input", []) if name in produced]
        if not before:
            break
        chain.append(max(before, key=lambda job: job[2]))
    return [{"rule": rule, "log": ", ".join(records[(rule, start, end)].get("log") or []), "start": start, "end": end}
            for rule, start, end in reversed(chain)]


def per_rule(found: pd.DataFrame) -> pd.DataFrame:
    """Jobs, total and largest wall time, total CPU time and peak memory per rule, the longest first."""
    grouped = found.groupby("rule")
    frame = pd.DataFrame({"jobs": grouped.size(), "wall_s_total": grouped.wall_s.sum(),
                          "wall_s_largest": grouped.wall_s.max(), "cpu_s_total": grouped.cpu_s.sum(),
                          "max_rss_mb": grouped.max_rss_mb.max()})
    return frame.sort_values("wall_s_total", ascending=False).reset_index()


def write(out_jobs: str | Path, out_path: str | Path, root: Path = BENCHMARKS, metadata: Path = METADATA) -> None:
    """Every job's row (`out_jobs`) and the critical path (`out_path`: rule, log, start, end, wall_s)."""
    jobs(root).to_csv(out_jobs, index=False, float_format="%.4g")
    steps = pd.DataFrame(critical_path(metadata), columns=["rule", "log", "start", "end"])
    steps["wall_s"] = steps.end - steps.start
    steps.to_csv(out_path, index=False, float_format="%.3f")


def page(jobs_path: str | Path, path_path: str | Path, out_path: str | Path) -> None:
    """Per rule its jobs, time and peak memory; above, the run's span and its critical path."""
    found, steps = pd.read_csv(jobs_path), pd.read_csv(path_path)
    notes = [f"{len(found)} jobs, {found.wall_s.sum():.0f} s of wall time and {found.cpu_s.sum():.0f} s of CPU time "
             f"as sampled (below) in all; the most memory one job held: {found.max_rss_mb.max():.0f} MB "
             f"({found.loc[found.max_rss_mb.idxmax(), 'rule'] if found.max_rss_mb.notna().any() else 'not measured'})."]
    if steps.empty:
        notes.append("The critical path is not available: Snakemake's record of the outputs "
                     "(.snakemake/metadata) could not be read.")
    else:
        span = steps.end.max() - steps.start.min()
        chain = " &rarr; ".join(f"{escape(rule)} ({wall:.1f} s)" for rule, wall in zip(steps.rule, steps.wall_s))
        notes.append(f"Critical path, {span:.0f} s from its first job's start to its last job's end: "
                     f"{steps.wall_s.sum():.0f} s in its jobs, {span - steps.wall_s.sum():.0f} s waiting for free "
                     f"cores after their inputs were ready: {chain}.")
    notes.append(sampling())
    notes.append("Per rule below; every job in <code>results/run_times.csv</code>, the critical path in "
                 "<code>results/critical_path.csv</code>. Times are those of the last run of each job.")
    shown = per_rule(found)
    for column in ("wall_s_total", "wall_s_largest", "cpu_s_total", "max_rss_mb"):
        shown[column] = shown[column].map(lambda value: "" if pd.isna(value) else f"{value:.1f}")
    html_table.write(html_table.page("Time and memory per rule", notes, shown.astype(str), columns=COLUMN_NOTES),
                     out_path)


def sampling() -> str:
    """How Snakemake samples a job's processes (snakemake.benchmark): every short interval for as many samples as the
    long interval has seconds, then every long interval."""
    from snakemake.benchmark import BENCHMARK_INTERVAL, BENCHMARK_INTERVAL_SHORT

    first = BENCHMARK_INTERVAL * BENCHMARK_INTERVAL_SHORT
    return (f"Wall time is exact. CPU time and peak memory are Snakemake's samples of each job's processes: every "
            f"{BENCHMARK_INTERVAL_SHORT:g} s for its first {first:g} s, then every {BENCHMARK_INTERVAL:g} s. A longer "
            "job's CPU time counts only up to its last sample, and a memory peak between two samples is missed.")


COLUMN_NOTES = {
    "jobs": "the rule's jobs",
    "wall_s_total": "their wall time, summed (jobs can run side by side)",
    "wall_s_largest": "the longest job's wall time: what one cluster job of the rule needs",
    "cpu_s_total": "their CPU time, summed (sampled: an undercount for long jobs, above)",
    "max_rss_mb": "the largest peak resident memory of one job (MB, sampled): what one cluster job of the rule "
                  "needs",
}
