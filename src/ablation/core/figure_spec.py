"""The figure-spec type of both studies' registries, the report's categories above both studies, and the labels of a
report entry: data only, so that parsing the workflow stays light.

Snakemake's report lists categories, subcategories and the rows of an entry table sorted as text (the browser's
`localeCompare`, first label first). So every category starts with a two-digit number in reading order: the paper
comparison and the run summary (here), the paper's figures in the paper's order (`ablation.mnist.registry` 03-07,
`ablation.vgg.registry` 08-10), then the figures beyond the paper (11-13); and a label's lone digit gets a second
space before it (`sortable`), so that "Fig. 8" sorts before "Fig. 10" and still reads "Fig. 8" (HTML shows one space).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

COMPARISON, SUMMARY = "01 Paper comparison", "02 Run summary"
RUN_TIMES = "Time and memory"  # the run summary's subcategory beside the summary itself
NOT_IN_PAPER = "—"  # the figure label of an entry the paper does not have


@dataclass(frozen=True)
class FigureSpec:
    """One report figure: the paper figure it reproduces, a short title, the result files it reads, its report
    category.

    The workflow makes one rule named after the figure id, with the caption `report/<id>.rst`; the drawing function
    of the same name lives in the study's `figures` module.
    """

    paper: str | None  # the paper figure it reproduces; None for a figure the paper does not have (`extra_`)
    title: str  # what the figure shows, in a few words (the report's entry table)
    inputs: tuple[str, ...]  # keys of the study's result files (see workflow/rules/figures.smk)
    category: str

    def labels(self, study: str, file: str) -> dict[str, str]:
        """The figure's row in its category's entry table (`labels`)."""
        return labels(self.paper, self.title, study, file)


def sortable(text: str) -> str:
    """`text` with a space before every lone digit ("Fig. 8" -> "Fig.  8", "7" -> " 7"; "A.1" stays): it then sorts
    before two digits as text, in the browser's order as in Python's, and HTML shows it as written."""
    return re.sub(r"(?<![\d.])(\d)(?![\d.])", r" \1", text)


def labels(paper: str | None, title: str, study: str, file: str) -> dict[str, str]:
    """A report entry's labels, the columns of its category's entry table: the figure as the paper numbers it
    (`NOT_IN_PAPER` where it has none), a short title, the study and the file's name (the figure id a reader greps).

    The report shows a label other than the first as a toggle instead of a column when it has two values, each on half
    of a table's entries, unless a second label does too; the file's name always differs, so a category of two
    entries keeps its columns.
    """
    return {"figure": sortable(paper) if paper else NOT_IN_PAPER, "title": title, "study": study, "file": file}
