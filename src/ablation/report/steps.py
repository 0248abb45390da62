"""The report layer's steps, one per workflow rule of the same name (file in, file out): the paper comparison and
the run summary, each a table and its page, and the home page."""

from __future__ import annotations

from typing import cast

import pandas as pd

from ablation.core import html_table, provenance, tables
from ablation.core.data_source import is_full_mnist
from ablation.mnist import authors, outcomes, roles
from ablation.report import comparison, home, summary
from ablation.vgg.choices import Choices


def paper_comparison(*, featured_path: str, runs: dict[str, str], statistics_paths: dict[str, str],
                     imported_trained: str | None, settings: dict, data_path: str, tsne_path: str,
                     vgg: dict[str, str] | None, out_path: str) -> None:
    """The paper's numbers and claims beside this run's (`comparison`); `runs`: every network's outcomes
    under each evaluation; `vgg`: the VGG study's result files (table, class_changes, null, data record, choices,
    and recovery1/2 and recovery_gaps where run), if it ran."""
    focus, imported = settings["focus"], settings["imported"]
    authors_network = focus == imported and imported_trained is not None and authors.is_authors(imported_trained)
    data = cast(str, provenance.read(data_path)["data"])
    frame = comparison.compare(
        {name: outcomes.Outcomes.load(path) for name, path in runs.items()}, roles.read(featured_path),
        settings["evaluation"], focus, authors_network, settings["negligible_drop"],
        pd.read_csv(statistics_paths["correlations"]), pd.read_csv(statistics_paths["per_network_correlations"]),
        pd.read_csv(statistics_paths["selectivity"], dtype={"class": str}), settings["resamples"], settings["seed"],
        data, is_full_mnist(data), pd.read_csv(statistics_paths["pair_tests"], dtype={"units": str}),
        settings["alpha"], pd.read_csv(tsne_path))
    frame = pd.concat([frame, pd.DataFrame(comparison.semantics_rows(pd.read_csv(statistics_paths["semantics"]),
                                                                     "mnist"))], ignore_index=True)
    if vgg:
        recovery = {int(key[-1]): pd.read_csv(path) for key, path in vgg.items() if key in ("recovery1", "recovery2")}
        gaps = pd.read_csv(vgg["recovery_gaps"], dtype={"pass": str, "iteration": str}) if recovery else pd.DataFrame()
        vgg_frame = comparison.vgg_rows(tables.read_table(vgg["table"]), tables.read_table(vgg["class_changes"]),
                                        recovery, gaps, pd.read_csv(vgg["null"]),
                                        cast(str, provenance.read(vgg["data"])["data"]),
                                        Choices.read(vgg["choices"]).semantics)
        vgg_semantics = pd.DataFrame(comparison.semantics_rows(pd.read_csv(vgg["semantics_rankings"]), "vgg"))
        frame = pd.concat([frame, vgg_frame, vgg_semantics], ignore_index=True)
    frame.to_csv(out_path, index=False)


def paper_comparison_table(*, table_path: str, out_path: str) -> None:
    """The paper comparison as the report's page (`comparison.page`)."""
    html_table.write(comparison.page(html_table.read(table_path)), out_path)


def run_summary(*, studies: dict[str, str], evaluation_note: str, out_path: str) -> None:
    """The run summary from each study's provenance record (`studies`: study -> its provenance.json)."""
    summary.table({study: provenance.read(path) for study, path in studies.items()}, evaluation_note, out_path)


def run_summary_table(*, table_path: str, out_path: str) -> None:
    summary.page(table_path, out_path)


def report_home(*, comparison_path: str, studies: dict[str, str], out_path: str) -> None:
    home.write(comparison_path, studies, out_path)
