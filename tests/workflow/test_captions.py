"""Every number a caption prints can be traced: to the paper's text, to the settings its rule gave the figure
(`snakemake.params.caption`, the values the study's jobs ran with, as their tables show), or to a named constant of
the method. Captions are read as the reader sees them: rendered into the small study's report."""

from __future__ import annotations

import ast
import html
import io
import json
import re
from pathlib import Path
from types import SimpleNamespace

import jinja2
import pandas as pd
import pytest
import yaml
from docutils.core import publish_parts

from ablation.mnist import ablation as unit_ablation
from ablation.mnist import roles
from helpers import REPO

PAPER = REPO.parent / "shared" / "paper" / "meyes2019-ablation-studies.md"
# Where the report's data lists a figure: its path, then its entry (name, caption, the job's params, ...).
ENTRY = re.compile(r'"(results/[^"]+\.png)": \{')
# Not numbers a caption states: figure references, layer and file names, config keys, metric and method names.
NOT_NUMBERS = re.compile(r"(?:Figs?\.|Figures?)\s*[A.\d]+(?:(?:,|\sand|-|–)\s*[A.\d]+)*|features\.\d+|top-\d"
                         r"|t-SNE|L[12]\b|\b(?:fig|extra)\w+|\w+(?:\.\w+)+\b|\d+x\d+|\^\w+")
NUMBER = re.compile(r"(?<![\w.])\d+(?:,\d{3})*(?:\.\d+)?")
# Constants of the method, named where they are defined: the authors' binarisation (pixel > 10 becomes 255) and the
# 95 % level of every interval; 0, 1 and 2 as words ("> 0", "1 - 0.75^k", "two").
METHOD = {str(unit_ablation.PUBLISHED_THRESHOLD), "255", "95", "0", "1", "2"}


def entries(report: Path) -> dict[str, tuple[str, dict]]:
    """Figure file name -> (its caption as plain text, its rule's `caption` params), for every report figure."""
    text, found = report.read_text(), {}
    decoder = json.JSONDecoder()
    for match in ENTRY.finditer(text):
        entry, _ = decoder.raw_decode(text, match.end() - 1)
        caption = html.unescape(re.sub(r"<[^>]+>", "", entry["caption"]))
        # The job's params as Snakemake prints them; `caption` is the last.
        params = re.search(r"caption=(\{.*\})$", entry["job_properties"]["params"])
        settings = ast.literal_eval(params.group(1).replace('\\"', '"')) if params else {}
        found[Path(match.group(1)).name] = (caption, settings)
    return found


def stated_numbers(text: str) -> set[str]:
    return {number.replace(",", "") for number in NUMBER.findall(NOT_NUMBERS.sub(" ", text))}


def setting_numbers(values: object) -> set[str]:
    """Every number in a caption's params, as a caption may print it."""
    if isinstance(values, dict):
        return set().union(*(setting_numbers(v) for v in values.values())) if values else set()
    if isinstance(values, list | tuple):
        return set().union(*(setting_numbers(v) for v in values)) if values else set()
    if isinstance(values, bool) or values is None:
        return set()
    if isinstance(values, int | float):
        number = float(values)
        forms = {f"{number:g}", str(values)}
        return forms | ({f"{100 * number:g}"} if 0 < number < 1 else set())  # a share printed as a percentage
    return stated_numbers(str(values))


@pytest.fixture(scope="module")
def report(study) -> Path:
    import subprocess
    import sys

    path = study / "captions_report.html"
    result = subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory",
                             str(study), "--configfile", str(study / "config.yaml"), "--report", str(path)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return path


def test_every_caption_number_comes_from_the_paper_its_settings_or_the_method(report):
    if not PAPER.exists():
        pytest.skip(f"the paper's text not found at {PAPER}")
    body = PAPER.read_text().split("## References")[0]
    paper = stated_numbers(re.sub(r"\[[\d,–\- ]+\]", " ", body))  # without its citations
    found = entries(report)
    assert len(found) >= 40, sorted(found)
    unexplained = {}
    for figure, (text, settings) in found.items():
        left = stated_numbers(text) - paper - METHOD - setting_numbers(settings)
        if left:
            unexplained[figure] = sorted(left)
    assert unexplained == {}, unexplained


def test_caption_settings_are_the_ones_the_tables_were_made_with(report, study):
    settings = {figure: values for figure, (_, values) in entries(report).items()}
    results = study / "results"
    # Significance: every class test's flag is q < alpha (and more items gained than lost), at the caption's alpha.
    for figure, table in (("extra_class_gains.png", "mnist/statistics/class_gains.csv"),
                          ("fig16_class_drops_first_layer.png", "vgg/statistics/class_changes.csv")):
        alpha = settings[figure]["alpha"]
        tests = pd.read_csv(results / table)
        gained, lost = (("gained", "lost") if "gained" in tests else ("top5_gained", "top5_lost"))
        assert (tests.significant_gain == ((tests.q < alpha) & (tests[gained] > tests[lost]))).all(), figure
    # The negligible set's rule (featured.csv, printed in the figure's title) names the caption's threshold.
    threshold = settings["figA2_negligible_set.png"]["negligible_drop"]
    assert f"at most {threshold:g} %p" in roles.read(results / "mnist/featured.csv")["figA2_negligible_set"].rule
    # Recovery: the passes, epochs, iterations and ratio the captions print are the recovery tables'.
    first, second = (pd.read_csv(results / f"vgg/recovery/experiment{e}.csv") for e in (1, 2))
    recovery = settings["fig19_recovery1_first_layer.png"]
    assert (first["pass"].max(), first.epoch.max()) == (recovery["passes"], recovery["epochs"])
    assert second.iteration.max() == settings["fig21_recovery2_first_layer.png"]["iterations"]
    ablated = first[first["pass"] == 1]
    assert (ablated.ablated_filters == (recovery["ratio_value"] * ablated.layer_filters).round().clip(lower=1)).all()


def rendered(template: str, **values: object) -> str:
    """A caption or the description rendered as Snakemake's report renders it (its Jinja settings)."""
    environment = jinja2.Environment(trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    return environment.from_string(template).render(snakemake=SimpleNamespace(**values), categories={}, files=[])


def rst_problems(text: str) -> str:
    """Docutils' warnings and errors for `text` (empty: valid RST, rendered as written)."""
    warnings = io.StringIO()
    publish_parts(text, writer_name="html", settings_overrides={"warning_stream": warnings, "report_level": 2})
    return warnings.getvalue()


def merged(base: dict, changes: dict) -> dict:
    return {**base, **{key: merged(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict)
                       else value for key, value in changes.items()}}


def test_every_caption_and_the_description_are_valid_rst(report, study, monkeypatch):
    problems = {}
    for figure, (_, settings) in entries(report).items():
        template = REPO / "report" / f"{figure.removesuffix('.png')}.rst"
        template = template if template.exists() else REPO / "report" / "extra_unit.rst"  # the unit gallery
        text = rendered(template.read_text(), params=SimpleNamespace(caption=settings))
        problems.update({figure: found} if (found := rst_problems(text)) else {})
    # The description includes the run's home page (results/report_home.rst) from the working directory.
    monkeypatch.chdir(study)
    defaults = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    for name, config in (("default", defaults),
                         ("small study", merged(defaults, yaml.safe_load((study / "config.yaml").read_text()))),
                         ("no VGG, no Shapley", merged(defaults, {"vgg": {"enabled": False}, "mnist": {
                             "analysis": {"shapley": {"enabled": False}}}}))):
        text = rendered((REPO / "report" / "workflow.rst").read_text(), config=config)
        problems.update({f"workflow.rst ({name})": found} if (found := rst_problems(text)) else {})
        body = publish_parts(text, writer="html")["html_body"]
        # The run's part included; the details folded under their summary, the style block intact and last.
        assert "<strong>Against the paper.</strong>" in body and body.count("<details>") == 1, name
        assert body.index("<summary>") < body.index("</details>") < body.index("#rulegraph { display: none; }")
        assert ("vgg_ablation" in body) == config["vgg"]["enabled"], name
    assert problems == {}, problems
