# The comparison's config, checked when the workflow is parsed: every run folder a finished run of this workflow
# (ablation.compare.runs.check: one line naming the folder and the fix otherwise). Reads two small files per run.
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from ablation.compare import runs as compared_runs
from ablation.core.errors import InputError

validate(config, str(Path(workflow.basedir).parent / "schemas" / "compare.schema.yaml"))
try:
    CHECKED = compared_runs.check(config["runs"])
except InputError as error:
    raise WorkflowError(str(error)) from None
FOLDERS = [str(run.folder) for run in CHECKED]
# A run's identity and its last output: a rerun of a run redoes the comparison.
RUN_RECORDS = [str(run.path(record)) for run in CHECKED for record in (compared_runs.PROVENANCE, compared_runs.SUMMARY)]
CATEGORIES = {
    "runs": "1 What differs",
    "tables": "2 Tables",
    "paper": "3 Paper comparison",
    "outcomes": "4 Test items that flip",
    "figures": "5 Figures side by side",
}
