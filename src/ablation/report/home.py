"""The report's home page, as RST that `report/workflow.rst` includes (results/report_home.rst): what ran on which
data and machine, how the run compares with the paper, and where to start. Every number comes from the paper
comparison table and the studies' provenance records; every link opens a report category.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pandas as pd

from ablation.core import figure_spec, html_table, provenance
from ablation.mnist import registry as mnist_registry
from ablation.report import comparison
from ablation.vgg import registry as vgg_registry

BEYOND = "beyond the paper"
# The home page's columns: a verdict kind (`comparison.verdict_kind`) and its heading.
KINDS = {html_table.AGREES: "agree", html_table.DIFFERS: "differ", html_table.NOT_COMPARABLE: "not comparable here",
         html_table.OPEN: "open"}


def link(text: str, category: str) -> str:
    """An RST link that opens a report category (the report's own `app.showCategory`; the browser decodes the URL)."""
    return f"`{text} <javascript:app.showCategory('{quote(category, safe='')}')>`__"


def study_of(figure: str) -> str:
    """The study a comparison row belongs to, by its first figure: the MNIST study's Figs. 1-13 and A.1-A.4, the VGG
    study's Figs. 14-22; a row of no figure ("extra") is beyond the paper."""
    first = comparison.figure_order(figure)[0]
    return mnist_registry.STUDY if first <= 13 else vgg_registry.STUDY if first <= 22 else BEYOND


def verdicts(table: pd.DataFrame) -> pd.DataFrame:
    """How many rows of each study have each verdict kind (columns: `KINDS`' keys), rows without a verdict (a
    study's data) left out."""
    kinds = table.verdict.map(comparison.verdict_kind)
    judged = table.assign(study=table.figure.map(study_of), kind=kinds)[kinds.notna()]
    counts = pd.crosstab(judged.study, judged.kind).reindex(columns=list(KINDS), fill_value=0)
    order = [study for study in (mnist_registry.STUDY, vgg_registry.STUDY, BEYOND) if study in counts.index]
    return counts.loc[order]


def main_reason(table: pd.DataFrame) -> tuple[str, int] | None:
    """The most frequent reason a row is not comparable here, and how many rows give it."""
    reasons = Counter(verdict.split(": ", 1)[1] for verdict in table.verdict
                      if comparison.verdict_kind(verdict) == html_table.NOT_COMPARABLE and ": " in verdict)
    return reasons.most_common(1)[0] if reasons else None


def machines(records: list[dict[str, object]]) -> str:
    """The distinct machines of the run's computing jobs (`provenance.machine_line`) in the order first met, each
    with the thread counts its jobs used."""
    threads: dict[str, set[int]] = {}
    for record in records:
        threads.setdefault(provenance.machine_line(record, threads=False), set()).add(int(str(record["threads"])))
    return "; ".join(f"{line} ({' or '.join(map(str, sorted(counts)))} thread{'' if counts == {1} else 's'})"
                     for line, counts in threads.items())


def simple_table(rows: list[tuple[str, ...]]) -> str:
    """`rows` (the first the header) as an RST simple table."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    border = "  ".join("=" * width for width in widths)
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    return "\n".join([border, lines[0], border, *lines[1:], border])


def text(table: pd.DataFrame, studies: dict[str, dict]) -> str:
    """The home page: `table` is the paper comparison (as text), `studies` the provenance record of each study run
    (`mnist`, and `vgg` where it ran)."""
    mnist = studies["mnist"]
    training = mnist["settings"]["mnist"]["training"]
    imported = mnist["settings"]["mnist"].get("import")
    run = [f"- **{mnist_registry.STUDY}:** {training['networks']} networks trained {training['epochs']} epochs"
           + (f" and the imported network ``{imported['name']}``" if imported else "") + f", on {mnist['data']}."]
    if "vgg" in studies:
        run.append(f"- **{vgg_registry.STUDY}:** {studies['vgg']['network']}; evaluated on {studies['vgg']['data']}.")
    records = [record for study in studies.values() for record in study.get("machines", {}).values()]
    versions = mnist["versions"]
    run.append(f"- **Computed on** {machines(records)}; torch {versions['torch']}, snakemake {versions['snakemake']} "
               f"({link('run summary', figure_spec.SUMMARY)}).")

    counts = verdicts(table)
    judged = int(counts.drop(index=BEYOND, errors="ignore").to_numpy().sum())
    grid = simple_table([("study", *KINDS.values()),
                         *((study, *map(str, counts.loc[study])) for study in counts.index)])
    reason = main_reason(table)
    compared = [f"**Against the paper.** This run checks {judged} of the paper's numbers and claims "
                f"({link('paper comparison', figure_spec.COMPARISON)}: every row with its tolerance and how its "
                "verdict was decided; *open*: not significant or not judged):"]
    if reason:
        compared.append(f"Most often not comparable here ({reason[1]} rows): {reason[0]}.")

    start = [f"**Where to start.** The {link('paper comparison', figure_spec.COMPARISON)}, then the paper's "
             f"figures in its order, from {link('Fig. 1', mnist_registry.INTACT_NETWORK)}"
             + (f" and {link('Fig. 14', vgg_registry.SWEEP)}" if "vgg" in studies else "")
             + "; every caption says what its figure shows and how its units were chosen. Beyond the paper: "
             + ", ".join([link("MNIST", mnist_registry.EXTRA), link("every MNIST unit", mnist_registry.UNITS),
                          *([link("VGG19-BN", vgg_registry.EXTRA)] if "vgg" in studies else [])]) + "."]
    return "\n\n".join(["\n".join(run), compared[0], grid, *compared[1:], *start]) + "\n"


def write(comparison_path: str | Path, provenance_paths: dict[str, str], out_path: str | Path) -> None:
    studies = {study: provenance.read(path) for study, path in provenance_paths.items()}
    Path(out_path).write_text(text(html_table.read(comparison_path), studies), encoding="utf-8")
