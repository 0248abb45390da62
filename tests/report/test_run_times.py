"""The run's time and memory: planted Snakemake output records and job logs, whose sums and critical path are known,
and the usage line a real job writes."""

from __future__ import annotations

import base64
import json
import math
import subprocess
import sys

import pandas as pd

from ablation.core import logs
from ablation.report import run_times


def _record(folder, output: str, rule: str, inputs: list[str], start: float, end: float, log: str = "") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    name = base64.urlsafe_b64encode(output.encode()).decode().rstrip("=")
    (folder / name).write_text(json.dumps({"rule": rule, "input": inputs, "log": [log or f"logs/{rule}.log"],
                                           "starttime": start, "endtime": end}))


def _log(root, path: str, cpu: float | None, peak: float | None) -> None:
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    last = f"{logs.USAGE} cpu_s={cpu} max_rss_mb={peak}" if cpu is not None else "failed with ValueError"
    (root / path).write_text(f"2026-01-01 00:00:00,000 started\n2026-01-01 00:00:09,000 {last}\n")


def test_jobs_are_summed_per_rule(tmp_path):
    meta = tmp_path / "meta"
    _record(meta, "n0", "train", [], 0, 10, "logs/train0.log")
    _record(meta, "n0b", "train", [], 0.002, 9.998, "logs/train0.log")  # another output of that job, ms apart
    _record(meta, "n1", "train", [], 1, 13, "logs/train1.log")
    _record(meta, "home", "report_home", [], 13, 14)
    _log(tmp_path, "logs/train0.log", 18.0, 100.5)
    _log(tmp_path, "logs/train1.log", 20.0, 120.0)
    _log(tmp_path, "logs/report_home.log", None, None)
    jobs = run_times.jobs(meta, tmp_path)
    assert jobs.rule.tolist() == ["report_home", "train", "train"]
    assert jobs.job.tolist() == ["logs/report_home.log", "logs/train0.log", "logs/train1.log"]
    rules = run_times.per_rule(jobs).set_index("rule")
    assert rules.loc["train"].tolist() == [2, 22.0, 12.0, 38.0, 120.0]
    assert pd.isna(rules.loc["report_home", "max_rss_mb"]), "a job without its usage line is not measured, not zero"


def test_a_job_writes_its_cpu_time_and_peak_memory_as_its_logs_last_line(tmp_path):
    """A real process: 300 MB held and a second of CPU work; a failing one writes no usage line."""
    code = ("import sys, time; from ablation.core import logs; logs.setup(sys.argv[1]); block = bytearray(300 * 2**20)"
            "; end = time.process_time() + 1.0\nwhile time.process_time() < end: pass\n")
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "ok.log")], check=True, capture_output=True)
    cpu, peak = run_times.usage(tmp_path / "ok.log")
    assert 1.0 <= cpu < 5.0 and 300 < peak < 1000, (cpu, peak)
    failed = subprocess.run([sys.executable, "-c", code + "raise ValueError('no')", str(tmp_path / "failed.log")],
                            capture_output=True)
    assert failed.returncode != 0 and "failed with ValueError" in (tmp_path / "failed.log").read_text()
    assert all(math.isnan(value) for value in run_times.usage(tmp_path / "failed.log"))


def test_the_critical_path_follows_the_input_that_ended_last(tmp_path):
    _record(tmp_path, "data", "data", [], 0, 5)
    _record(tmp_path, "a", "fast", ["data"], 5, 6)
    _record(tmp_path, "b", "slow", ["data"], 5, 30)
    _record(tmp_path, "b2", "slow", ["data"], 5, 30)  # a second output of the same job
    _record(tmp_path, "merged", "merge", ["a", "b"], 30, 31)
    _record(tmp_path, "external_input_only", "side", ["/elsewhere"], 0, 2)
    path = run_times.critical_path(tmp_path)
    assert [step["rule"] for step in path] == ["data", "slow", "merge"]
    assert path[-1]["end"] == 31 and path[0]["log"] == "logs/data.log"
    (tmp_path / "broken").write_text("{")
    assert [step["rule"] for step in run_times.critical_path(tmp_path)] == ["data", "slow", "merge"]
    assert run_times.critical_path(tmp_path / "missing") == []


def test_the_page_names_the_path_and_the_rules(tmp_path):
    _record(tmp_path / "meta", "data", "data", [], 0, 5)
    _record(tmp_path / "meta", "net", "train", ["data"], 5, 15)
    _log(tmp_path, "logs/data.log", 4.0, 50.0)
    _log(tmp_path, "logs/train.log", 18.0, 100.5)
    run_times.write(tmp_path / "jobs.csv", tmp_path / "path.csv", tmp_path / "meta", tmp_path)
    run_times.page(tmp_path / "jobs.csv", tmp_path / "path.csv", tmp_path / "page.html")
    page = (tmp_path / "page.html").read_text()
    assert "Critical path, 15 s from its first job" in page and "data (5.0 s) &rarr; train (10.0 s)" in page
    assert "<td>train</td><td>1</td><td>10.0</td><td>10.0</td><td>18.0</td><td>100.5</td>" in page
    assert "2 jobs, 15 s of wall time and 22 s of CPU time in all" in page and run_times.measured() in page
