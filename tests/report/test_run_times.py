"""The run's time and memory: planted benchmark files and Snakemake output records, whose sums and critical path are
known."""

from __future__ import annotations

import base64
import json

import pandas as pd

from ablation.report import run_times

HEADER = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"


def _benchmark(root, name: str, seconds: float, rss: str, cpu: float) -> None:
    path = root / f"{name}.tsv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + f"{seconds}\t0:00:01\t{rss}\t1\t1\t1\t0\t0\t50\t{cpu}\n")


def _record(folder, output: str, rule: str, inputs: list[str], start: float, end: float) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    name = base64.urlsafe_b64encode(output.encode()).decode().rstrip("=")
    (folder / name).write_text(json.dumps({"rule": rule, "input": inputs, "log": [f"logs/{rule}.log"],
                                           "starttime": start, "endtime": end}))


def test_jobs_are_summed_per_rule(tmp_path):
    _benchmark(tmp_path, "train/0", 10.0, "100.5", 18.0)
    _benchmark(tmp_path, "train/1", 12.0, "120.0", 20.0)
    _benchmark(tmp_path, "report_home", 1.0, "-", 0.5)
    jobs = run_times.jobs(tmp_path)
    assert jobs.rule.tolist() == ["report_home", "train", "train"] and jobs.job.tolist() == ["", "0", "1"]
    rules = run_times.per_rule(jobs).set_index("rule")
    assert rules.loc["train"].tolist() == [2, 22.0, 12.0, 38.0, 120.0]
    assert pd.isna(rules.loc["report_home", "max_rss_mb"]), "Snakemake's '-' is not measured, not zero"


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
    _benchmark(tmp_path / "bench", "train/0", 10.0, "100.5", 18.0)
    _record(tmp_path / "meta", "data", "data", [], 0, 5)
    _record(tmp_path / "meta", "net", "train", ["data"], 5, 15)
    run_times.write(tmp_path / "jobs.csv", tmp_path / "path.csv", tmp_path / "bench", tmp_path / "meta")
    run_times.page(tmp_path / "jobs.csv", tmp_path / "path.csv", tmp_path / "page.html")
    page = (tmp_path / "page.html").read_text()
    assert "Critical path, 15 s from its first job" in page and "data (5.0 s) &rarr; train (10.0 s)" in page
    assert "<td>train</td><td>1</td><td>10.0</td>" in page
    assert run_times.sampling() in page  # the CPU column is sampled: the page says how
