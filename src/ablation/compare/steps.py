"""The comparison's steps, one per rule of workflow/compare/Snakefile (run folders in, a table and its page out)."""

from __future__ import annotations

from html import escape
from pathlib import Path

import pandas as pd

from ablation.compare import figures, outcomes, paper, runs, tables
from ablation.core import html_table
from ablation.mnist.outcomes import Outcomes

MARKS = {tables.IDENTICAL: html_table.AGREES, tables.WITHIN: html_table.WITHIN, tables.DIFFERS: html_table.DIFFERS,
         tables.MISSING: html_table.NOT_COMPARABLE, "the same": html_table.AGREES, "differ": html_table.DIFFERS,
         "in some runs only": html_table.NOT_COMPARABLE}


def _against(checked: list[runs.Run]) -> str:
    reference, *others = checked
    return f"{', '.join(run.label for run in others)} against {reference.label} (the reference)"


def compare_runs(*, folders: list[str], out_table: str, out_page: str) -> None:
    """The first page: what differs between the runs' settings, data, machines and versions; figures and tables
    that only some runs have."""
    checked = runs.check(folders)
    rows = runs.what_differs(checked)
    for kind, listing in (("tables", tables.found), ("figures", lambda results: list(figures.found(results)))):
        present = {run.label: set(listing(run.path("results"))) for run in checked}
        everywhere = set.intersection(*present.values())
        for label, names in present.items():
            if names - everywhere:
                rows.append({"what": kind, "item": f"only in {label}",
                             **{other: "" for other in present}, label: ", ".join(sorted(names - everywhere))})
        rows.append({"what": kind, "item": f"({len(everywhere)} in every run)", **{other: "" for other in present}})
    table = pd.DataFrame(rows)
    table.to_csv(out_table, index=False)
    notes = [f"{escape(_against(checked))}. Folders: "
             + "; ".join(f"{escape(run.label)}: <code>{escape(str(run.folder))}</code>"
                         for run in checked) + ".",
             "Each row is a config key (<code>settings</code>, from each run's <code>results/mnist/provenance.json"
             "</code>), a study's data, the machines its computing jobs ran on, a library version, or tables and "
             "figures that only some runs have, where the runs are not all the same; a last row per kind counts "
             "those that are."]
    html_table.write(html_table.page("What differs between the runs", notes, html_table.read(out_table),
                                     group_by="what"), out_page)


def compare_tables(*, folders: list[str], tolerances: str, out_table: str, out_page: str) -> None:
    """Every table of every other run against the reference's, with a verdict per table."""
    reference, *others = runs.check(folders)
    stated = tables.tolerances(tolerances)
    frame = pd.concat([tables.compare_folders(reference.path("results"), run.path("results"), stated)
                       .assign(run=run.label) for run in others], ignore_index=True)
    frame = frame[["run", *tables.COLUMNS]]
    frame.to_csv(out_table, index=False)
    verdicts = frame[frame.column == "(table)"]
    counts = "; ".join(f"{run}: " + ", ".join(f"{count} {verdict}" for verdict, count in
                                              part.verdict.value_counts().items())
                       for run, part in verdicts.groupby("run", sort=False))
    # Each table's verdict, and under it the columns that are not identical (every column in the CSV).
    shown = frame[(frame.column == "(table)") | (frame.verdict != tables.IDENTICAL)].sort_values("table", kind="stable")
    for column in ("share_differing", "largest_abs_difference", "tolerance"):
        shown[column] = shown[column].map(lambda value: "" if pd.isna(value) else f"{value:.3g}")
    notes = [escape(f"{_against([reference, *others])}. Tables per verdict: {counts}."),
             f"Tolerances: {escape(TOLERANCE_NOTES[tolerances])}.",
             "Per table its verdict (<code>(table)</code>: the rows compared and how many columns differ), and "
             "under it each column that is not identical; every column is in <code>tables.csv</code>."]
    folded = [escape(part) for part in (tables.__doc__ or "").split("\n\n")[1:]]
    html_table.write(html_table.page("Tables, row by row", notes, shown, folded=folded, group_by="table",
                                     mark=("verdict", MARKS.get), legend={MARKS[v]: v for v in tables.VERDICTS}),
                     out_page)


TOLERANCE_NOTES = {
    "default": "the largest difference measured across instruction sets on the embedded default run "
               "(benchmarks/cross_isa.py --study default; the README's table)",
    "small": "the largest difference measured across instruction sets on the tests' small study "
             "(benchmarks/cross_isa.py --study small)",
    "none": "none: every difference counts",
}


def compare_paper(*, folders: list[str], out_table: str, out_page: str) -> None:
    checked = runs.check(folders)
    frame = paper.side_by_side({run.label: html_table.read(run.path("results/paper_comparison.csv"))
                                for run in checked})
    frame.to_csv(out_table, index=False)
    notes = [escape(_against(checked)) + ": " + ", ".join(
        f"{count} {verdicts}" for verdicts, count in frame.verdicts.value_counts().items()) + ".",
             "Each run's <code>results/paper_comparison.csv</code>: the paper's numbers and claims, each run's value "
             "and verdict (how each verdict was decided is on each run's own comparison page)."]
    html_table.write(html_table.page("The paper comparison of every run", notes, html_table.read(out_table),
                                     mark=("verdicts", MARKS.get)), out_page)


def compare_outcomes(*, folders: list[str], out_table: str, out_page: str) -> None:
    reference, *others = runs.check(folders)
    parts, notes = [], []
    for run in others:
        for name in outcomes.matrices(reference.path("results")):
            if not run.path("results").joinpath(name).exists():
                notes.append(f"{name}: only in {reference.label}")
                continue
            table, note = outcomes.flips(name, Outcomes.load(reference.path("results") / name),
                                         Outcomes.load(run.path("results") / name))
            parts.append(table.assign(run=run.label))
            notes += [note] if note else []
    frame = pd.concat(parts, ignore_index=True)[["run", *outcomes.COLUMNS]] if parts else pd.DataFrame(
        columns=["run", *outcomes.COLUMNS])
    frame.to_csv(out_table, index=False)
    lines = [escape(_against([reference, *others])) + "."]
    for (run, matrix), part in frame.groupby(["run", "matrix"], sort=False):
        found = outcomes.summary(part)
        lines.append(escape(
            f"{run}, {matrix}: {found['flips']} of {found['outcomes']} outcomes flip ({found['percent']:.3g} %); "
            f"most in one ablation: {found['most_flips']}; most in one class: {found['class_most_flips']}."))
    lines += [escape(note) for note in notes]
    shown = frame[(frame["class"] == "all") & (frame.flips > 0)].sort_values("flips", ascending=False, kind="stable")
    lines.append(f"Below: the {min(len(shown), SHOWN_ROWS)} ablations with the most flips, over all classes "
                 f"(of {len(shown)} with any; every class in <code>outcome_flips.csv</code>).")
    html_table.write(html_table.page("Test items that flip", lines, shown.head(SHOWN_ROWS).astype(str)), out_page)


SHOWN_ROWS = 200


def compare_figures(*, folders: list[str], out_table: str, out_folder: str) -> None:
    """A page per figure that the reference and another run drew, and the table of pixel verdicts (figure, run,
    pixels)."""
    checked = runs.check(folders)
    drawn = {run.label: figures.found(run.path("results")) for run in checked}
    Path(out_folder).mkdir(parents=True, exist_ok=True)
    rows = []
    for figure in drawn[checked[0].label]:
        paths = {run.label: run.path("results") / drawn[run.label][figure] for run in checked
                 if figure in drawn[run.label]}
        if len(paths) > 1:
            pixels = figures.same_pixels(paths)  # decoding the PNGs is the step's cost: once per figure
            (Path(out_folder) / f"{figure}.html").write_text(figures.page(figure, paths, pixels))
            rows += [{"figure": figure, "run": label, "pixels": found} for label, found in pixels.items()]
    pd.DataFrame(rows, columns=["figure", "run", "pixels"]).to_csv(out_table, index=False)
