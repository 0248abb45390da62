"""The runs to compare: each a finished run's folder, checked before anything is read, and the first page of the
comparison (what differs between their settings, data, machines and library versions).

A run's folder is where the workflow ran (its `results/`). What identifies it: `results/mnist/provenance.json` (the
whole validated config, the data, the versions and every computing job's machine; the MNIST study always runs) and
`results/run_summary.csv` (written last, so a run without it did not finish).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ablation.core import provenance
from ablation.core.errors import InputError

PROVENANCE = Path("results/mnist/provenance.json")
SUMMARY = Path("results/run_summary.csv")
RUN_TIMES = Path("results/run_times.csv")
STUDY_PROVENANCE = "results/{study}/provenance.json"


@dataclass(frozen=True)
class Run:
    label: str  # how the comparison names it: the folder's name, made unique
    folder: Path

    def path(self, relative: str | Path) -> Path:
        return self.folder / relative


def check(folders: Sequence[str | Path]) -> list[Run]:
    """The runs, labelled; one line naming the folder and the fix if one is not a finished run of this workflow.
    Reads only two small files per run, so the workflow can call it when it is parsed."""
    if len(folders) < 2:
        raise InputError(f"Compare needs at least two run folders, got {len(folders)}: --config runs='[first, second]'")
    runs: list[Run] = []
    for folder in map(Path, folders):
        if not folder.is_dir():
            raise InputError(f"Run folder {folder} does not exist: give the folder the workflow ran in")
        if not (folder / PROVENANCE).is_file():
            raise InputError(f"{folder} holds no run of this workflow ({PROVENANCE} is missing): give the folder the "
                             "workflow ran in (the one holding results/)")
        try:
            record = json.loads((folder / PROVENANCE).read_text())
            settings = record["settings"]
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise InputError(f"{folder / PROVENANCE} is damaged ({error}): run the workflow there again") from None
        if not isinstance(settings, dict) or "mnist" not in settings:
            raise InputError(f"{folder / PROVENANCE} was written by another workflow or version (no MNIST settings): "
                             "compare runs of this workflow")
        if not (folder / SUMMARY).is_file():
            raise InputError(f"{folder} is not a finished run ({SUMMARY} is missing): run the workflow there to its "
                             "end, or compare another folder")
        runs.append(Run(_unique_label(folder, [run.label for run in runs]), folder))
    return runs


def _unique_label(folder: Path, taken: list[str]) -> str:
    label = folder.resolve().name
    return label if label not in taken else f"{label} ({len(taken) + 1})"


def studies(run: Run) -> dict[str, dict]:
    """The provenance record of each study the run has (mnist, vgg, models/<name>), by study."""
    found = {"mnist": provenance.read(run.path(PROVENANCE))}
    for path in sorted(run.path("results").glob("*/provenance.json")) + sorted(
            run.path("results/models").glob("*/provenance.json")):
        study = str(path.parent.relative_to(run.path("results")))
        found.setdefault(study, provenance.read(path))
    return found


def _run_time(run: Run, column: str, how: str) -> str:
    """A column of the run's `results/run_times.csv` summed or at its largest; "not measured" without it."""
    path = run.path(RUN_TIMES)
    if not path.is_file():
        return "not measured"
    values = [float(row[column]) for row in csv.DictReader(path.open()) if row[column] not in ("", "nan")]
    if not values:  # jobs made before their rules wrote benchmark files
        return "not measured"
    return f"{sum(values) if how == 'sum' else max(values):.0f}"


def flat(settings: object, prefix: str = "") -> dict[str, str]:
    """A nested config as dotted keys -> its value as text (a string as it is, anything else as JSON; lists stay one
    value)."""
    if isinstance(settings, dict) and settings:
        found: dict[str, str] = {}
        for key, value in settings.items():
            found.update(flat(value, f"{prefix}.{key}" if prefix else str(key)))
        return found
    return {prefix: settings if isinstance(settings, str) else json.dumps(settings, sort_keys=True)}


def what_differs(runs: list[Run]) -> list[dict[str, str]]:
    """The first page's rows: the runs' times (always shown), then one per config key, data source, machine record
    and library version that is not the same in every run (`what`: settings, data, machines, versions), each run's
    value in its column; and the rows that agree counted, one per kind."""
    records = {run.label: studies(run) for run in runs}
    kinds: dict[str, dict[str, dict[str, str]]] = {"settings": {}, "data": {}, "machines": {}, "versions": {}}
    for label, found in records.items():
        kinds["settings"][label] = flat(found["mnist"]["settings"])
        kinds["data"][label] = {study: str(record.get("data", "")) for study, record in found.items()}
        machines = {job: provenance.machine_line(machine) for record in found.values()
                    for job, machine in (record.get("machines") or {}).items()}
        kinds["machines"][label] = {"computed on": "; ".join(sorted(set(machines.values())))}
        kinds["versions"][label] = {name: str(number) for name, number in found["mnist"]["versions"].items()}
    rows = [{"what": "time", "item": item, **{run.label: _run_time(run, column, how) for run in runs}}
            for item, column, how in (("wall time of all jobs, summed (s)", "wall_s", "sum"),
                                      ("CPU time of all jobs, summed (s)", "cpu_s", "sum"),
                                      ("largest peak memory of one job (MB)", "max_rss_mb", "max"))]
    for kind, values in kinds.items():
        keys = sorted(set().union(*(set(found) for found in values.values())))
        same = 0
        for key in keys:
            cells = {label: values[label].get(key, "(absent)") for label in values}
            if len(set(cells.values())) == 1:
                same += 1
                continue
            rows.append({"what": kind, "item": key, **cells})
        rows.append({"what": kind, "item": f"({same} of {len(keys)} the same in every run)",
                     **{label: "" for label in values}})
    return rows
