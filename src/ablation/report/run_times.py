"""Where a run spent its time and memory: every job in one table, summed per rule, and the run's critical path.

Jobs and their wall time come from Snakemake's own record of each output (`.snakemake/metadata`: its rule, log,
inputs, start and end); CPU time and peak memory from the last line of the job's log, which the job writes at its exit
from the kernel's counts (`logs.USAGE`). Those are exact, where Snakemake's benchmark files (`logs/benchmark`) sample
a job's processes (`measured`). The critical path runs from the job that ended last, back through the input whose job
ended last, to a job with no such input: shortening any other job does not shorten the run. Where the record is
missing or of another format, the page says so.
"""

from __future__ import annotations

import base64
import json
import re
from html import escape
from pathlib import Path

import pandas as pd

from ablation.core import html_table
from ablation.core.logs import USAGE

METADATA = Path(".snakemake/metadata")
JOB_COLUMNS = ["rule", "job", "wall_s", "cpu_s", "max_rss_mb"]
USAGE_LINE = re.compile(re.escape(USAGE) + r" cpu_s=([0-9.]+) max_rss_mb=([0-9.]+)")
Job = tuple[str, float, float]  # rule, start, end: one job, however many outputs it wrote


def _records(metadata: Path) -> tuple[dict[str, Job], dict[Job, dict]]:
    """Which job wrote each output, and each job's record; empty where the record cannot be read. A job's outputs
    share its rule and log (a job's own); their starts and ends differ by milliseconds: the job spans them all."""
    found: dict[str, tuple] = {}
    records: dict[tuple, dict] = {}
    spans: dict[tuple, tuple[float, float]] = {}
    for path in metadata.glob("*") if metadata.is_dir() else []:
        try:
            record = json.loads(path.read_text())
            output = base64.urlsafe_b64decode(path.name + "=" * (-len(path.name) % 4)).decode()
            start, end = float(record["starttime"]), float(record["endtime"])
            job = (record["rule"], tuple(record.get("log") or [output]))
        except (ValueError, KeyError, TypeError):
            continue
        found[output] = job
        records.setdefault(job, record)
        earliest, latest = spans.get(job, (start, end))
        spans[job] = (min(start, earliest), max(end, latest))
    jobs = {job: (job[0], *spans[job]) for job in records}
    return {output: jobs[job] for output, job in found.items()}, {jobs[job]: record for job, record in records.items()}


def usage(log: Path) -> tuple[float, float]:
    """The CPU seconds and peak memory (MB) a job wrote as its log's last line; NaN where it has none (a job that
    failed, or one of an older version of the workflow)."""
    lines = log.read_text(errors="replace").splitlines() if log.is_file() else []
    found = USAGE_LINE.search(lines[-1]) if lines else None
    return (float(found.group(1)), float(found.group(2))) if found else (float("nan"), float("nan"))


def jobs(metadata: Path = METADATA, root: Path = Path(".")) -> pd.DataFrame:
    """One row per job: its rule, its log (`job`), its wall time from start to end, and the CPU time and peak memory
    it counted (`usage` of its log, under `root`)."""
    rows = []
    for (rule, start, end), record in _records(metadata)[1].items():
        logs = record.get("log") or []
        cpu, peak = usage(root / logs[0]) if logs else (float("nan"), float("nan"))
        rows.append({"rule": rule, "job": ", ".join(logs), "wall_s": end - start, "cpu_s": cpu, "max_rss_mb": peak})
    return pd.DataFrame(rows, columns=JOB_COLUMNS).sort_values(["rule", "job"], ignore_index=True)


def critical_path(metadata: Path = METADATA) -> list[dict[str, object]]:
    """The chain of jobs that ended last (first job first): rule, log file, start and end (seconds since the epoch).
    Empty where the record cannot be read."""
    produced, records = _records(metadata)
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


def write(out_jobs: str | Path, out_path: str | Path, metadata: Path = METADATA, root: Path = Path(".")) -> None:
    """Every job's row (`out_jobs`) and the critical path (`out_path`: rule, log, start, end, wall_s)."""
    jobs(metadata, root).to_csv(out_jobs, index=False, float_format="%.4g")
    steps = pd.DataFrame(critical_path(metadata), columns=["rule", "log", "start", "end"])
    steps["wall_s"] = steps.end - steps.start
    steps.to_csv(out_path, index=False, float_format="%.3f")


def page(jobs_path: str | Path, path_path: str | Path, out_path: str | Path) -> None:
    """Per rule its jobs, time and peak memory; above, the run's span and its critical path."""
    found, steps = pd.read_csv(jobs_path), pd.read_csv(path_path)
    unrecorded = found.cpu_s.isna().sum()
    notes = [f"{len(found)} jobs, {found.wall_s.sum():.0f} s of wall time and {found.cpu_s.sum():.0f} s of CPU time "
             f"in all; the most memory one job held: {found.max_rss_mb.max():.0f} MB "
             f"({found.loc[found.max_rss_mb.idxmax(), 'rule'] if found.max_rss_mb.notna().any() else 'not measured'})"
             + (f"; {unrecorded} jobs did not record their CPU time and memory (empty cells: jobs that failed, or "
                "that an older version of the workflow ran)." if unrecorded else ".")]
    if steps.empty:
        notes.append("The critical path is not available: Snakemake's record of the outputs "
                     "(.snakemake/metadata) could not be read.")
    else:
        span = steps.end.max() - steps.start.min()
        chain = " &rarr; ".join(f"{escape(rule)} ({wall:.1f} s)" for rule, wall in zip(steps.rule, steps.wall_s))
        notes.append(f"Critical path, {span:.0f} s from its first job's start to its last job's end: "
                     f"{steps.wall_s.sum():.0f} s in its jobs, {span - steps.wall_s.sum():.0f} s waiting for free "
                     f"cores after their inputs were ready: {chain}.")
    notes.append(measured())
    notes.append("Per rule below; every job in <code>results/run_times.csv</code>, the critical path in "
                 "<code>results/critical_path.csv</code>. Times are those of the last run of each job.")
    shown = per_rule(found)
    for column in ("wall_s_total", "wall_s_largest", "cpu_s_total", "max_rss_mb"):
        shown[column] = shown[column].map(lambda value: "" if pd.isna(value) else f"{value:.1f}")
    html_table.write(html_table.page("Time and memory per rule", notes, shown.astype(str), columns=COLUMN_NOTES),
                     out_path)


def measured() -> str:
    """How the columns were measured, beside how Snakemake's benchmark files sample a job's processes
    (snakemake.benchmark): every short interval for as many samples as the long interval has seconds, then every long
    interval."""
    from snakemake.benchmark import BENCHMARK_INTERVAL, BENCHMARK_INTERVAL_SHORT

    first = BENCHMARK_INTERVAL * BENCHMARK_INTERVAL_SHORT
    return ("Wall time runs from a job's start to its end as Snakemake recorded them. CPU time and peak memory are the "
            "kernel's counts, which each job writes as its log's last line when it ends: its own process and the "
            "children it waited for, and the peak of the largest of them. They are exact; Snakemake's benchmark files "
            f"(<code>logs/benchmark/</code>) sample the same every {BENCHMARK_INTERVAL_SHORT:g} s for a job's first "
            f"{first:g} s, then every {BENCHMARK_INTERVAL:g} s, and miss what a longer job does after its last sample.")


COLUMN_NOTES = {
    "jobs": "the rule's jobs",
    "wall_s_total": "their wall time, summed (jobs can run side by side)",
    "wall_s_largest": "the longest job's wall time: what one cluster job of the rule needs",
    "cpu_s_total": "their CPU time, summed",
    "max_rss_mb": "the largest peak resident memory of one job (MB): what one cluster job of the rule needs",
}
