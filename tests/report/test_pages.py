"""The report as a reader browses it: categories in reading order, entries labelled by figure, and the paper
comparison as a page (`ablation.core.html_table`, `ablation.report.comparison.page`)."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from urllib.parse import unquote

import pandas as pd
from docutils.core import publish_parts

from ablation.core import figure_spec, html_table
from ablation.mnist import registry as mnist_registry
from ablation.report import comparison, home
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
        if tag in ("td", "th", "span"):
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def row(figure: str, claim: str, verdict: str) -> dict[str, str]:
    return {"figure": figure, "claim": claim, "paper": "> 0", "value": "1.00", "measured_as": "clean",
            "other": "as_published: 2.00", "tolerance": f"tolerance of {claim}", "verdict": verdict}


# A comparison table with every kind of verdict, its rows out of the paper's order.
TABLE = pd.DataFrame([
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


def test_comparison_page_groups_rows_by_figure_in_the_papers_order_and_marks_every_verdict():
    text = comparison.page(TABLE)
    page = Page(text)
    assert page.nested and page.external == [], page.external
    assert text.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in text and "<style>" in text
    assert page.headings == ["Figs. 1-13", "Fig. 2", "Fig. 5", "Figs. 5, A.2", "Fig. 9 (left)", "Fig. 10", "Fig. 13",
                             "Fig. A.3", "Figs. 14-22", "Figs. 14, 15", "Figs. 16, 17", "extra"]
    # Every column but the figure, which heads its rows; a figure's rows in the table's order.
    assert page.header == ["claim", "verdict", "paper", "value", "measured_as", "other", "tolerance"]
    assert [cells[0] for cells in page.rows][1:3] == ["intact", "highest class"]
    assert all(cells[2] == "> 0" and cells[6] == f"tolerance of {cells[0]}" for cells in page.rows)
    marks = {cells[0]: classes[1] for cells, classes in zip(page.rows, page.classes)}
    assert all(classes[:1] + classes[2:] == [None] * 6 for classes in page.classes)
    assert marks == {"MNIST data": None, "intact": "differs", "highest class": "agrees", "unit drop": "agrees",
                     "negligible count": "differs", "pearson": "open", "coefficients": "agrees", "synergy": "agrees",
                     "pair share": "differs", "VGG data": None, "layers": "not-comparable", "class sd": "open",
                     "semantics": "open"}
    assert all(f".{mark} {{ background" in text for mark in html_table.MARKS)  # the colours, inline
    assert page.legend == ["agrees or holds: 4", "differs or does not hold: 3", f"{comparison.NOT_COMPARABLE}: 1",
                           f"not significant, {comparison.NOT_JUDGED} or beyond the paper: 3"]
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


def machine(threads: int) -> dict[str, object]:
    return {"cpu": "Some CPU (x86_64)", "aten_cpu_capability": "AVX2", "onednn_max_cpu_isa": "not capped",
            "mkl_enable_instructions": "not capped", "threads": threads, "gpu": None}


STUDIES = {
    "mnist": {"data": "the digits", "versions": {"torch": "9.1", "snakemake": "9.2"},
              "settings": {"mnist": {"training": {"networks": 3, "epochs": 2}, "import": None}},
              "machines": {"mnist_train": machine(2), "mnist_statistics": machine(1)}},
    "vgg": {"data": "the images", "network": "a small VGG19-BN", "machines": {"vgg_network": machine(2)}},
}


def test_home_page_counts_the_comparisons_verdicts_by_study_and_links_the_categories():
    counts = home.verdicts(TABLE)
    assert counts.to_dict("index") == {
        mnist_registry.STUDY: {"agrees": 4, "differs": 3, "not-comparable": 0, "open": 1},
        vgg_registry.STUDY: {"agrees": 0, "differs": 0, "not-comparable": 1, "open": 1},
        home.BEYOND: {"agrees": 0, "differs": 0, "not-comparable": 0, "open": 1}}
    text = home.text(TABLE, STUDIES)
    warnings = io.StringIO()
    body = publish_parts(text, writer="html5", settings_overrides={"warning_stream": warnings})["body"]
    assert warnings.getvalue() == ""
    # The counts as a table, from the comparison; the judged rows of the paper's figures counted in the sentence.
    page = Page(body)
    assert page.header == ["study", *home.KINDS.values()]
    assert page.rows == [[mnist_registry.STUDY, "4", "3", "0", "1"], [vgg_registry.STUDY, "0", "0", "1", "1"],
                         [home.BEYOND, "0", "0", "0", "1"]]
    assert "checks 10 of the paper's numbers and claims" in body
    assert "Most often not comparable here (1 rows): not ImageNet." in body
    # The run: both studies' data, one machine with the threads its jobs used, the versions.
    assert "3 networks trained 2 epochs, on the digits" in body and "a small VGG19-BN; evaluated on the images" in body
    assert body.count("Some CPU (x86_64)") == 1 and "(1 or 2 threads)" in body and "torch 9.1" in body
    # Every link opens a category the report has.
    categories = {figure_spec.COMPARISON, figure_spec.SUMMARY, *(spec.category for registry in (
        mnist_registry, vgg_registry) for spec in registry.FIGURES.values()), mnist_registry.UNITS}
    opened = [unquote(name) for name in re.findall(r"javascript:app\.showCategory\('([^']+)'\)", body)]
    assert len(opened) == 8 and set(opened) <= categories and figure_spec.COMPARISON in opened


def test_home_page_without_the_vgg_study_names_only_the_mnist_study():
    studies = {"mnist": STUDIES["mnist"]}
    text = home.text(TABLE[TABLE.figure.map(home.study_of) == mnist_registry.STUDY], studies)
    assert vgg_registry.STUDY not in text and "every MNIST unit" in text and "(1 or 2 threads)" in text
