# Config validation, checks of user input that must fail before any job runs, and input functions.
import copy
import fcntl
import json
import math
import os
import shutil
from pathlib import Path

import jsonschema
import yaml
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from ablation import provenance
from ablation.architecture import HIDDEN_LAYERS, VGG_CONV_LAYERS
from ablation.errors import InputError
from ablation.figures import FIGURES
from ablation.vgg_figures import RECOVERY_FIGURES, VGG_FIGURES


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
VGG = config["vgg"]
IMAGENET, ABLATION, RECOVERY = VGG["imagenet"], VGG["ablation"], VGG["recovery"]
EMBEDDED = VGG["model"] == "embedded"
VGG_LAYERS = ABLATION["layers"] or VGG_CONV_LAYERS
SEMANTICS = ABLATION["semantics"]  # the first is the paper figures' and the recovery experiments'
# The layers of Figs. 16/17: as configured; with vgg19_bn the paper's; else (None) the two largest drops.
PAPER_CLASS_LAYERS = ["features.46", "features.49"]
CLASS_LAYERS = VGG["figures"]["class_layers"] or (
    PAPER_CLASS_LAYERS if not EMBEDDED and set(PAPER_CLASS_LAYERS) <= set(VGG_LAYERS) else None)


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
            if not (IMPORTED.get("download") and not Path(IMPORTED[role]).exists()):  # else the fetch rule gets it
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


def check_vgg_input():
    """The VGG study's layer names, folders and weights, checked before any job runs."""
    named = {
        "vgg.ablation.layers": VGG_LAYERS,
        "vgg.recovery.layers": RECOVERY["layers"] or [],
        "vgg.figures.class_layers": VGG["figures"]["class_layers"] or [],
    }
    for key, layers in named.items():
        for layer in layers:
            if layer not in VGG_CONV_LAYERS:
                raise InputError(f"{key}: unknown layer '{layer}'; the conv layers are {', '.join(VGG_CONV_LAYERS)}")
    for layer in [*(VGG["figures"]["class_layers"] or []), *(RECOVERY["layers"] or [])]:
        if layer not in VGG_LAYERS:
            raise InputError(f"layer '{layer}' is not in vgg.ablation.layers; add it there or choose another")
    if EMBEDDED:
        return
    from ablation import imagenet, vgg

    if not IMAGENET["val"]:
        raise InputError("vgg.model is vgg19_bn but vgg.imagenet.val is empty; set it to the ImageNet validation folder")
    imagenet.check_folder(IMAGENET["val"], "vgg.imagenet.val")
    classes = len(imagenet.wnids(IMAGENET["val"]))
    if classes != vgg.VGG19_BN.classes:
        raise InputError(f"vgg.imagenet.val '{IMAGENET['val']}' has {classes} class folders; the pretrained vgg19_bn "
                         "numbers its outputs by all 1000 ImageNet wnids: give the full validation folder")
    if RECOVERY["experiments"]:
        if not IMAGENET["train"]:
            raise InputError("recovery training needs vgg.imagenet.train (the ImageNet training folder); "
                             "set it, or set vgg.recovery.experiments: [] to skip recovery training")
        imagenet.check_folder(IMAGENET["train"], "vgg.imagenet.train")
    if VGG["weights"]:
        vgg.load_weights_file(VGG["weights"])


def recovery_settings(experiment):
    """Experiment 1: passes of a fixed number of epochs; experiment 2: iterations under the stopping rule. Both
    use the first ablation semantics, as the paper's figures do."""
    shared = {key: RECOVERY[key] for key in ("ratio", "batch_size", "learning_rate", "momentum", "seed")}
    if int(experiment) == 1:
        own = {"passes": RECOVERY["experiment1"]["passes"], "epochs": RECOVERY["experiment1"]["epochs"]}
    else:
        second = RECOVERY["experiment2"]
        own = {"passes": second["iterations"],
               **{key: second[key] for key in ("min_epochs", "window", "min_improvement", "max_epochs")}}
    return {"experiment": int(experiment), "semantics": SEMANTICS[0], **shared, **own}


def recovery_training_data():
    if EMBEDDED:
        return {"kind": "digits", "data": "results/data/mnist.pt",
                "max_images": VGG["embedded"]["recovery_train_images"]}
    # At paper scale an epoch is the whole training set.
    return {"kind": "imagenet", "folder": IMAGENET["train"], "crop": IMAGENET["crop"], "max_images": None}


def recovery_inputs(wildcards):
    inputs = {"network": "results/vgg/network.pt", "images": "results/vgg/test_images.pt"}
    if not RECOVERY["layers"]:  # chosen from the sweep
        inputs["table"] = "results/vgg/ablations.csv"
    if EMBEDDED:
        inputs["data"] = "results/data/mnist.pt"
    return inputs


# What the paper comparison reads of the VGG study, when it runs.
VGG_COMPARISON_INPUTS = {
    "vgg_table": "results/vgg/ablations.csv",
    "class_changes": "results/vgg/statistics/class_changes.csv",
    "vgg_data": "results/vgg/data.json",
    **{f"recovery{e}": f"results/vgg/recovery/experiment{e}.csv" for e in RECOVERY["experiments"]},
}
CHUNKS = [str(chunk) for chunk in range(math.ceil(MLP["networks"] / MLP["networks_per_job"]))]
# What each computing job ran on (CPU instruction sets, threads, GPU), gathered into the provenance files.
MLP_MACHINES = [
    *(f"results/mlp/machines/train_mlp_chunk{chunk}.json" for chunk in CHUNKS),
    *(f"results/mlp/machines/{job}.json" for job in ("ablate_mlp", "featured_units", "tsne", "mlp_statistics")),
]
VGG_MACHINES = [
    *(["results/vgg/machines/vgg_network.json"] if EMBEDDED else []),
    "results/vgg/machines/ablate_vgg.json",
    *(f"results/vgg/machines/vgg_recovery_experiment{experiment}.json" for experiment in RECOVERY["experiments"]),
]

try:
    check_user_input()
    if VGG["enabled"]:
        check_vgg_input()
except InputError as error:
    raise WorkflowError(f"Bad input: {error}") from None


def external_folders():
    """Configured inputs outside the working directory, which a container sees only when they are bound."""
    files = [VGG["weights"], *([IMPORTED["trained"], IMPORTED["initial"]] if IMPORTED else [])]
    folders = [MNIST["path"], IMAGENET["val"], IMAGENET["train"], *(Path(f).parent for f in files if f)]
    here = Path.cwd().resolve()
    resolved = {Path(folder).resolve() for folder in folders if folder and Path(folder).exists()}
    return sorted(str(folder) for folder in resolved if not folder.is_relative_to(here))


# Container options for --use-apptainer, as environment variables that Apptainer reads and that every job inherits
# (cluster jobs re-read this file): the data folders bound in, and --nv (APPTAINER_NV) so jobs see the host's
# NVIDIA GPUs (Snakemake has no per-rule container arguments; on a host without a GPU Apptainer only warns).
BINDS = [bind for bind in os.environ.get("APPTAINER_BIND", "").split(",") if bind]
os.environ["APPTAINER_BIND"] = ",".join(BINDS + [folder for folder in external_folders() if folder not in BINDS])
os.environ.setdefault("APPTAINER_NV", "true")


def clear_stale_locks():
    """Snakemake's lock files outlive a crash (SIGKILL, power loss) and block the rerun until --unlock. The first
    Snakemake process of a run holds an OS lock on .snakemake/ablation.run for its lifetime, which the OS releases
    however the process dies: whoever can take it is the only live run here, so any lock files left are stale."""
    global RUN_LOCK
    Path(".snakemake").mkdir(exist_ok=True)
    handle = open(".snakemake/ablation.run", "a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # a live run (this run's parent, for a job) holds it: its locks are real
        handle.close()
        return
    RUN_LOCK = handle  # held until this process exits
    shutil.rmtree(".snakemake/locks", ignore_errors=True)


clear_stale_locks()

# The settings as validated: what the provenance records.
SETTINGS = copy.deepcopy(config)
# The report's first page names the data actually used, known once prepare_mnist has run.
DATA_RECORD = Path("results/data/mnist.json")


def data_used(record, otherwise):
    return json.loads(Path(record).read_text())["data"] if Path(record).exists() else otherwise


config["data_used"] = data_used(DATA_RECORD, "see the data row of the paper-comparison table")
# Two sentences for every caption that shows ablation numbers: how they were evaluated (analysis.evaluation).
EVALUATION_NOTES = {
    "clean": "Numbers on the original test digits. The paper's ablation numbers were measured on digits its code had "
             "binarised (pixel > 10 becomes 255, else 0), its intact accuracy on the originals; "
             "analysis.evaluation: as_published reproduces that.",
    "as_published": "Numbers as the paper measured them: every ablation on the test digits binarised as the authors' "
                    "code left them (pixel > 10 becomes 255, else 0), the intact network on the original digits. "
                    "On the original digits alone (analysis.evaluation: clean) the drops differ; see the paper "
                    "comparison.",
}
config["evaluation_note"] = EVALUATION_NOTES[ANALYSIS["evaluation"]]
config["versions_used"] = ", ".join(f"{name} {number}" for name, number in provenance.versions().items())
config["machines_used"] = provenance.describe({
    job: record for path in ("results/mlp/provenance.json", "results/vgg/provenance.json") if Path(path).exists()
    for job, record in provenance.read(path).get("machines", {}).items()}) or "see results/*/provenance.json"
config["vgg_data_used"] = data_used("results/vgg/data.json", "see results/vgg/provenance.json") if VGG["enabled"] else None

UNIT_FIGURES = [
    (layer, unit, f"results/mlp/figures/units/extra_unit_{layer}_{unit:02d}.png")
    for layer, (width, _) in HIDDEN_LAYERS.items()
    for unit in range(1, width + 1)
]
FINAL_OUTPUTS = [
    *(f"results/mlp/figures/{figure}.png" for figure in FIGURES),
    *(path for _, _, path in UNIT_FIGURES),
    "results/mlp/paper_comparison.csv",
    "results/mlp/provenance.json",
]
SKIPPED_RECOVERY = {figure for experiment, figures in RECOVERY_FIGURES.items()
                    if experiment not in RECOVERY["experiments"] for figure in figures}
VGG_FIGURE_IDS = [figure for figure in VGG_FIGURES if figure not in SKIPPED_RECOVERY]
if VGG["enabled"]:
    FINAL_OUTPUTS += [
        *(f"results/vgg/figures/{figure}.png" for figure in VGG_FIGURE_IDS),
        "results/vgg/statistics/grouping_comparison.csv",
        "results/vgg/provenance.json",
    ]
