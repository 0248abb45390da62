"""The report as a reader browses it: categories in reading order, entries labelled by figure, and the paper
comparison as a page (`ablation.core.html_table`, `ablation.mnist.comparison.page`)."""

from __future__ import annotations

from html.parser import HTMLParser

import pandas as pd

from ablation.core import figure_spec, html_table
from ablation.mnist import comparison
from ablation.mnist import registry as mnist_registry
from ablation.vgg import registry as vgg_registry

VOID = {"meta", "br", "hr", "img", "link", "input"}


class Page(HTMLParser):
    """What a page holds: its group headings, header cells, rows (cells as text) and each cell's class, and whether its
    tags nest (every element closed in order) and it reaches for nothing outside itself."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.open: list[str] = []
        self.nested, self.external = True, []
        self.headings: list[str] = []
        self.header: list[str] = []
        self.rows: list[list[str]] = []
        self.classes: list[list[str | None]] = []
        self.legend: list[str] = []
        self.cell: str | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.external += [value for name, value in attrs if name in ("src", "href")]
        self.external += [tag] if tag in ("script", "link", "iframe", "img") else []
        if tag not in VOID:
            self.open.append(tag)
        if tag == "tr" and "tbody" in self.open:
            self.rows.append([])
            self.classes.append([])
        if tag in ("td", "th") or (tag == "span" and "p" in self.open):
            self.cell = ""
        if tag == "td":
            self.classes[-1].append(attributes.get("class"))

    def handle_endtag(self, tag):
        if not self.open or self.open.pop() != tag:
            self.nested = False
        if tag == "span" and self.cell is not None:
            self.legend.append(self.cell)
        elif tag == "th" and "thead" in self.open:
            self.header.append(self.cell)
        elif tag == "th":
            self.headings.append(self.cell)
            self.rows.pop()
            self.classes.pop()
        elif tag == "td":
            self.rows[-1].append(self.cell)
        self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def row(figure: str, claim: str, verdict: str) -> dict[str, str]:
    return {"figure": figure, "claim": claim, "paper": "> 0", "value": "1.00", "measured_as": "clean",
            "other": "as_published: 2.00", "tolerance": f"tolerance of {claim}", "verdict": verdict}


def test_comparison_page_groups_rows_by_figure_in_the_papers_order_and_marks_every_verdict():
    table = pd.DataFrame([
        row("extra", "semantics", "they differ"),
        row("Figs. 14-22", "VGG data", ""),
        row("Fig. A.3", "pair share", "does not hold"),
        row("Figs. 14, 15", "layers", f"{comparison.NOT_COMPARABLE}: not ImageNet"),
        row("Fig. 10", "coefficients", "holds (no interval)"),
        row("Fig. 9 (left)", "pearson", "not significant"),
        row("Figs. 5, A.2", "negligible count", "differs (other sign)"),
        row("Fig. 5", "unit drop", "agrees"),
        row("Figs. 16, 17", "class sd", comparison.NOT_JUDGED),
        row("Fig. 2", "intact", "differs"),
        row("Fig. 2", "highest class", "holds"),
        row("Figs. 1-13", "MNIST data", ""),
        row("Fig. 13", "synergy", "agrees"),
    ])
    text = comparison.page(table)
    page = Page(text)
    assert page.nested and page.external == [], page.external
    assert text.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in text and "<style>" in text
    assert page.headings == ["Figs. 1-13", "Fig. 2", "Fig. 5", "Figs. 5, A.2", "Fig. 9 (left)", "Fig. 10", "Fig. 13",
                             "Fig. A.3", "Figs. 14-22", "Figs. 14, 15", "Figs. 16, 17", "extra"]
    # Every column but the figure, which heads its rows; a figure's rows in the table's order.
    assert page.header == ["claim", "paper", "value", "measured_as", "other", "tolerance", "verdict"]
    assert [cells[0] for cells in page.rows][1:3] == ["intact", "highest class"]
    assert all(cells[1] == "> 0" and cells[5] == f"tolerance of {cells[0]}" for cells in page.rows)
    marks = {cells[0]: classes[-1] for cells, classes in zip(page.rows, page.classes)}
    assert all(classes[:-1] == [None] * 6 for classes in page.classes)
    assert marks == {"MNIST data": "open", "intact": "differs", "highest class": "agrees", "unit drop": "agrees",
                     "negligible count": "differs", "pearson": "open", "coefficients": "agrees", "synergy": "agrees",
                     "pair share": "differs", "VGG data": "open", "layers": "open", "class sd": "open",
                     "semantics": "open"}
    assert all(f".{mark} {{ background" in text for mark in html_table.MARKS)  # the colours, inline
    assert page.legend == ["agrees or holds: 4", "differs or does not hold: 3",
                           f"{comparison.NOT_COMPARABLE}, {comparison.NOT_JUDGED}, not significant, beyond the paper "
                           "or none: 6"]
    assert all(f"<dt>{column}</dt>" in text for column in ("measured_as", "tolerance", "verdict"))


def test_a_plain_table_page_keeps_its_rows_and_escapes_its_text():
    table = pd.DataFrame({"item": ["versions", "computed on"], "value": ["torch <2>", "CPU & GPU"]})
    text = html_table.page("Run summary", ["<b>notes</b>"], table)
    page = Page(text)
    assert page.nested and page.external == [] and page.headings == []
    assert page.header == ["item", "value"] and page.rows == [["versions", "torch <2>"], ["computed on", "CPU & GPU"]]
    assert "torch &lt;2&gt;" in text and "CPU &amp; GPU" in text and "<p><b>notes</b></p>" in text


def test_report_categories_sort_in_reading_order():
    """As the report sorts them, as text: the comparison and the summary, the paper's figures in the paper's order
    (MNIST, then VGG), then what the paper does not have."""
    paper = [spec.category for spec in [*mnist_registry.FIGURES.values(), *vgg_registry.FIGURES.values()]
             if spec.paper]
    beyond = [mnist_registry.EXTRA, mnist_registry.UNITS, vgg_registry.EXTRA]
    order = [figure_spec.COMPARISON, figure_spec.SUMMARY, *dict.fromkeys(paper), *beyond]
    assert sorted(order) == order and len(set(order)) == len(order) == 13
    assert not {spec.category for spec in mnist_registry.FIGURES.values() if not spec.paper} - {mnist_registry.EXTRA}
    assert not {spec.category for spec in vgg_registry.FIGURES.values() if not spec.paper} - {vgg_registry.EXTRA}


def test_every_figure_is_labelled_with_its_number_title_and_study_and_sorts_in_the_papers_order():
    for registry in (mnist_registry, vgg_registry):
        by_category: dict[str, list[str]] = {}
        for figure, spec in registry.FIGURES.items():
            labels = spec.labels(registry.STUDY, f"{figure}.png")
            assert list(labels) == ["figure", "title", "study", "file"] and all(labels.values()), figure
            assert " ".join(labels["figure"].split()) == (spec.paper or figure_spec.NOT_IN_PAPER)
            assert labels["study"] == registry.STUDY and labels["file"] == f"{figure}.png"
            by_category.setdefault(spec.category, []).append(labels["figure"])
        for category, figures in by_category.items():
            assert sorted(figures) == figures, category  # the registry lists them in the paper's order
    weights = [spec.labels("", "")["figure"] for spec in mnist_registry.FIGURES.values()
               if spec.category == mnist_registry.WEIGHTS]
    assert sorted(weights) == weights == ["Fig.  8", "Fig.  9", "Fig. 10", "Fig. 11"]
    assert figure_spec.sortable("Figs. 5, A.2") == "Figs.  5, A.2" and figure_spec.sortable("7") == " 7"
