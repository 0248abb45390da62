# Config validation, checks of user input that must fail before any job runs, and input functions.
import copy
import json
import math
from pathlib import Path

import jsonschema
import yaml
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from ablation.architecture import HIDDEN_LAYERS
from ablation.errors import InputError
from ablation.figures import FIGURES


SCHEMA = Path(workflow.basedir) / "workflow" / "schemas" / "config.schema.yaml"


def validate_config():
    """One line naming the wrong key (jsonschema's best match), then Snakemake's validation fills the defaults."""
    schema = yaml.safe_load(SCHEMA.read_text())
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(config))
    if error is not None:
        key = ".".join(str(part) for part in error.absolute_path) or "config"
        raise WorkflowError(f"Bad config: {key}: {error.message}; see config/README.md")
    validate(config, str(SCHEMA))


validate_config()

# Threads a compute-heavy job asks for; Snakemake caps it at --cores on a workstation.
MAX_THREADS = 8
MNIST = config["mnist"]
MLP = config["mlp"]
ANALYSIS = config["analysis"]
IMPORTED = MLP["import"]


def check_user_input():
    """Cheap checks of user input, so a wrong path or file fails now and not after hours of training."""
    if MLP["networks"] == 0 and not IMPORTED:
        raise InputError("mlp.networks is 0 and no mlp.import is given: nothing to analyse; set mlp.networks >= 1")
    if MNIST["source"] == "path" and not MNIST["path"]:
        raise InputError("mnist.source is 'path' but mnist.path is empty; set mnist.path to the MNIST folder")
    if MNIST["path"] and not Path(MNIST["path"]).is_dir():
        raise InputError(f"mnist.path '{MNIST['path']}' is not a folder; fix the path or set it to null")
    if IMPORTED:
        from ablation.mlp import load_state_dict

        for role in ("trained", "initial"):
            load_state_dict(IMPORTED[role])
        if IMPORTED["name"] in network_names():
            raise InputError(f"mlp.import.name '{IMPORTED['name']}' clashes with a trained network's name; rename it")
    focus = ANALYSIS["focus_network"]
    if focus is not None and focus not in all_networks():
        raise InputError(f"analysis.focus_network '{focus}' is not one of the networks: {', '.join(all_networks())}")


def network_names():
    return [f"net{index:02d}" for index in range(MLP["networks"])]


def all_networks():
    return network_names() + ([IMPORTED["name"]] if IMPORTED else [])


def focus_network():
    return ANALYSIS["focus_network"] or (IMPORTED["name"] if IMPORTED else network_names()[0])


def chunk_indices(chunk):
    size = MLP["networks_per_job"]
    return list(range(int(chunk) * size, min((int(chunk) + 1) * size, MLP["networks"])))


CHUNKS = [str(chunk) for chunk in range(math.ceil(MLP["networks"] / MLP["networks_per_job"]))]

try:
    check_user_input()
except InputError as error:
    raise WorkflowError(f"Bad input: {error}") from None

# The settings as validated: what the provenance records.
SETTINGS = copy.deepcopy(config)
# The report's first page names the data actually used, known once prepare_mnist has run.
DATA_RECORD = Path("results/data/mnist.json")
config["data_used"] = (
    json.loads(DATA_RECORD.read_text())["data"] if DATA_RECORD.exists() else "see the data row of the Overview table"
)

UNIT_FIGURES = [
    (layer, unit, f"results/mlp/figures/units/{layer}_unit{unit:02d}.png")
    for layer, (width, _) in HIDDEN_LAYERS.items()
    for unit in range(1, width + 1)
]
FINAL_OUTPUTS = [
    *(f"results/mlp/figures/{figure}.png" for figure in FIGURES),
    *(path for _, _, path in UNIT_FIGURES),
    "results/mlp/paper_comparison.csv",
    "results/mlp/provenance.json",
]
