"""The run summary (results/run_summary.csv and its page): the data each study used, the machines every computing
job ran on, the library versions, and how the MNIST ablations were evaluated."""

from __future__ import annotations

import csv
from pathlib import Path

from ablation.core import html_table, provenance

NOTES = (
    "What made this run: the data each study used (the MNIST digits as prepared by <code>mnist_data</code>, the VGG "
    "study's evaluation images), the machines every computing job ran on (CPU, the instruction sets of ATen's, "
    "oneDNN's and MKL's kernels, threads, GPU), the library versions, and how the MNIST ablations were evaluated "
    "(<code>mnist.analysis.evaluation</code>).",
    "Every setting is in <code>results/mnist/provenance.json</code> and <code>results/vgg/provenance.json</code> and "
    "in the metadata of every figure file. The same table as CSV, the entry beside this one: "
    "<code>results/run_summary.csv</code>.",
)


def table(studies: dict[str, dict], evaluation_note: str, path: str | Path) -> None:
    """The table from each study's provenance record (`mnist`, and `vgg` where it ran)."""
    machines = {job: record for study in studies.values() for job, record in study.get("machines", {}).items()}
    rows = [(f"{study} data", str(record["data"])) for study, record in studies.items()]
    rows += [("computed on", provenance.describe(machines)),
             ("versions", ", ".join(f"{name} {number}" for name, number in provenance.versions().items())),
             ("MNIST evaluation", evaluation_note)]
    with open(path, "w", newline="") as handle:
        csv.writer(handle).writerows([("item", "value"), *rows])


def page(table_path: str | Path, out_path: str | Path) -> None:
    """The table as the report's page."""
    html_table.write(html_table.page("Run summary", NOTES, html_table.read(table_path)), out_path)
