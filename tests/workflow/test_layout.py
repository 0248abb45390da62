"""The project's shape: every figure id leads to one caption, one rule and one drawing function, and parsing the
workflow stays light."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys

from ablation.mnist import registry as mnist_registry
from ablation.models import registry as model_registry
from ablation.vgg import registry as vgg_registry
from helpers import REPO, default_config, snakemake

IDS = [*mnist_registry.FIGURES, *vgg_registry.FIGURES, *model_registry.FIGURES]
# The package's layers, each importing only those below it: the studies side by side, the other models' on the VGG
# study's, the report above both, the comparison of finished runs beside it.
BELOW = {"core": set(), "mnist": {"core"}, "vgg": {"core"}, "models": {"core", "vgg"},
         "report": {"core", "mnist", "vgg"}, "compare": {"core", "mnist"}}
STUDY_OF = {**dict.fromkeys(mnist_registry.FIGURES, "mnist"), **dict.fromkeys(vgg_registry.FIGURES, "vgg"),
            **dict.fromkeys(model_registry.FIGURES, "models")}


def test_each_layer_imports_only_the_layers_below_it():
    imported: dict[str, set[str]] = {layer: set() for layer in BELOW}
    for path in (REPO / "src" / "ablation").rglob("*.py"):
        parts = path.relative_to(REPO / "src" / "ablation").parts
        if len(parts) == 1:  # the package's own __init__
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            modules = ([node.module] if isinstance(node, ast.ImportFrom) and node.module
                       else [alias.name for alias in node.names] if isinstance(node, ast.Import) else [])
            for module in modules:
                names = module.split(".")
                if names[0] == "ablation":  # `from ablation import core`: the names imported are the layers
                    layers = names[1:2] or [alias.name for alias in node.names]
                    imported[parts[0]].update(set(layers) - {parts[0]})
    assert set(imported) == set(BELOW) and all(imported[layer] <= BELOW[layer] for layer in BELOW), imported


def grep(figure: str) -> list[str]:
    """`grep -rn <id>` over the captions, the package and the workflow, as a reader would run it."""
    found = subprocess.run(["grep", "-rn", "--include=*.py", "--include=*.smk", "--include=*.rst", figure,
                            "report", "src", "workflow", "Snakefile"], cwd=REPO, capture_output=True, text=True)
    return found.stdout.splitlines()


def test_every_figure_id_has_one_caption_one_rule_and_one_drawing_function():
    rules = subprocess.run([sys.executable, "-m", "snakemake", "--list-rules"], cwd=REPO, capture_output=True,
                           text=True, check=True).stdout.split()
    assert len(IDS) == len(set(IDS)) >= 35
    for figure in IDS:
        hits = grep(figure)
        captions = [hit for hit in hits if hit.startswith(f"report/{figure}.rst:")]
        drawing = [hit for hit in hits if re.search(rf":def {figure}\(", hit)]
        registered = [hit for hit in hits if re.search(rf'/registry\.py:\d+:\s+"{figure}": FigureSpec\(', hit)]
        assert len(captions) == 1 and len(drawing) == 1 and len(registered) == 1, (figure, hits)
        assert len((REPO / "report" / f"{figure}.rst").read_text().splitlines()) > 1, f"{figure}: an empty caption"
        assert rules.count(figure) == 1, f"no rule named {figure}"
        # The drawing function lives in the study's figures module, its rule is the registry entry's.
        assert drawing[0].startswith(f"src/ablation/{STUDY_OF[figure]}/figures.py:"), drawing


# Refuses the heavy libraries after Snakemake itself has started (its SLURM plugin imports pandas): any import of
# them while the workflow is parsed and its DAG built fails the run.
REFUSE_HEAVY = """
import sys
from snakemake.cli import main

HEAVY = ("torch", "matplotlib", "pandas", "scipy")


class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in HEAVY:
            raise ImportError(f"parsing the workflow imported {name}")


for name in [module for module in sys.modules if module.split(".")[0] in HEAVY]:
    del sys.modules[name]
sys.meta_path.insert(0, Refuse())
main(sys.argv[1:])
"""


def test_parsing_the_workflow_imports_no_heavy_library(tmp_path):
    shutil.copytree(REPO / ".test" / "data", tmp_path / ".test" / "data")  # the small study's imported network
    for config in ("config/config.yaml", ".test/config/config.yaml", "config/authors.yaml"):
        result = subprocess.run([sys.executable, "-c", REFUSE_HEAVY, "--snakefile", str(REPO / "Snakefile"),
                                 "--dry-run", "--directory", str(tmp_path), "--configfile", str(REPO / config)],
                                capture_output=True, text=True)
        assert result.returncode == 0 and "parsing the workflow imported" not in result.stderr, result.stderr[-3000:]
        assert "mnist_ablation" in result.stdout, "the dry run built the DAG"


def test_figure_report_and_table_processes_import_only_what_they_draw_with():
    """Every figure, report page and table step is a job and a process of its own: its start-up is Python, pandas
    and matplotlib, not the statistics, tensor or compiler libraries the computing jobs need (3 s more each)."""
    modules = ", ".join([*(f"ablation.{study}.figures" for study in ("mnist", "vgg", "models")),
                         "ablation.report.steps", "ablation.vgg.table_steps", "ablation.models.table_steps"])
    probe = (f"import sys, {modules}\n"
             "print(sorted({name.split('.')[0] for name in sys.modules} & {'scipy', 'statsmodels', 'torch', "
             "'torchvision', 'sklearn', 'numba'}))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]", result.stdout


def test_a_figure_waits_only_for_the_jobs_it_draws_from(tmp_path):
    """`snakemake fig01_tsne`: the data and the t-SNE, not the training and analyses whose machines the study's
    provenance names."""
    result = snakemake(tmp_path, default_config(), "fig01_tsne", "--dry-run")
    stats = result.stdout.split("Job stats:")[1].split("total")[0]
    jobs = {line.split()[0] for line in stats.splitlines()[3:] if line.strip()}
    assert result.returncode == 0 and jobs == {"mnist_data", "mnist_tsne", "fig01_tsne"}, result.stdout[-2000:]
