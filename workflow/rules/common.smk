# The config, validated, and what the rules read of it: names, result paths and input functions. Nothing here
# imports torch, matplotlib, pandas or scipy, and nothing reads a result file: parsing stays fast on every start
# and in every cluster job.
import json
import math
from pathlib import Path

import jsonschema
import yaml
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from ablation.core import figure_spec
from ablation.mnist import authors as mnist_authors
from ablation.mnist import registry as mnist_registry
from ablation.mnist.architecture import HIDDEN_LAYERS
from ablation.models import names as model_names
from ablation.models import registry as model_registry
from ablation.vgg import metric as vgg_metric
from ablation.vgg.choices import Settings as ChoiceSettings
from ablation.vgg import registry as vgg_registry
from ablation.vgg.architecture import CONV_LAYERS, network_order

SCHEMA = Path(workflow.basedir) / "workflow" / "schemas" / "config.schema.yaml"


def validate_config():
    """One line naming the wrong key (jsonschema's best match), then Snakemake's validation fills the defaults."""
    schema = yaml.safe_load(SCHEMA.read_text())
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(config))
    if error is not None:
        key = ".".join(str(part) for part in error.absolute_path) or "config"
        raise WorkflowError(f"Bad config: {key}: {error.message}; see config/README.md")
    # An entry of `models` set to null is left out (a --configfile cannot delete a key); no defaults to fill in.
    config["models"] = {name: entry for name, entry in config.get("models", {}).items() if entry is not None}
    validate(config, str(SCHEMA))


validate_config()


def available_cores() -> int | None:
    """The cores Snakemake schedules on (--cores); None on a cluster run without --cores: each job gets its own node."""
    try:
        return workflow.cores
    except WorkflowError:
        return None


# Threads a compute-heavy job asks for: half the cores (at most 8), so that two such jobs share the machine. PyTorch's
# threads keep the cores only ~80 % busy: on 2 cores, four vgg_ablation jobs took 33 s two at a time with one thread
# each against 44 s one at a time with two.
CORES = available_cores()
JOB_THREADS = 8 if CORES is None else max(1, min(8, CORES // 2))
# MNIST training and the t-SNE take all the cores (at most 8). The whole study waits for the training, and one batched
# job of 21 networks on two threads trains as fast as jobs of 11 and 10 on one thread each, side by side (78 to 82 s
# against 81 and 76 s; real MNIST, 100 epochs). The t-SNE needs only the data, but the figures on its map wait for it:
# on two threads it took 33 s, on one 55 s (10,000 digits; its map depends on the thread count, not on the run), and
# the one-thread jobs after the training wait for each other, so they gain little from the cores meanwhile.
ALL_THREADS = min(8, CORES or 8)
# The priority of the longest jobs (MNIST and VGG Shapley, VGG recovery) and of the jobs they wait for: they start as
# soon as they can, so that short jobs fill the cores at the end of a run rather than wait for them.
LONG_CHAIN_PRIORITY = 10
# The MNIST analysis jobs that wait for one another (ablation, featured units, semantics, and the paper comparison):
# above the figures, which fill the other core meanwhile, and below the long chain.
ANALYSIS_PRIORITY = 5
# MNIST training asks for all the cores, so it must be picked when they are all free (the first job, mnist_data, ends),
# or the jobs beside it would keep a core busy for minutes. Snakemake's scheduler maximises the summed priority of the
# jobs it starts: above the few that could start instead, below the input checks (100), which go first. The t-SNE
# next, once the training has freed the cores.
TRAINING_PRIORITY = 50
TSNE_PRIORITY = 40
MNIST = config["mnist"]
DATA, TRAINING, IMPORTED, ANALYSIS = MNIST["data"], MNIST["training"], MNIST["import"], MNIST["analysis"]
SHAPLEY = ANALYSIS["shapley"]
VGG = config["vgg"]
IMAGENET, ABLATION, RECOVERY = VGG["imagenet"], VGG["ablation"], VGG["recovery"]
EMBEDDED = VGG["model"] == "embedded"
VGG_LAYERS = ABLATION["layers"] or CONV_LAYERS
VGG_SHAPLEY = VGG["shapley"]
SEMANTICS = ABLATION["semantics"]  # the first is the paper figures' and the recovery experiments'
# The leading metric (top-5 on ImageNet as the paper, top-1 on the 10 digits): everything beyond Figs. 14/15 uses it.
VGG_METRIC = vgg_metric.leading(VGG["statistics"]["metric"], vgg_metric.MODEL_CLASSES[VGG["model"]])
# What the study's choices (ablation.vgg.choices, rule vgg_choices) are made from.
CHOICE_SETTINGS = {
    "semantics": SEMANTICS,
    "metric": VGG_METRIC,
    "model": VGG["model"],
    "swept_layers": VGG_LAYERS,
    "layers": {
        "recovery_layers": RECOVERY["layers"],
        "class_layers": VGG["figures"]["class_layers"],
        "shapley_layers": VGG["shapley"]["layers"],
    },
}
CONFIGURED_CHOICES = ChoiceSettings(**CHOICE_SETTINGS)
# The sweep and recovery as one job per layer (a cluster's GPUs side by side) or per semantics and experiment.
PER_LAYER = VGG["jobs"] == "per_layer" or (VGG["jobs"] == "auto" and not EMBEDDED)
# Cluster time limits in minutes: the embedded VGG takes minutes, paper scale hours on one GPU.
VGG_SCALE = 1 if EMBEDDED else 60
# At paper scale, the jobs' sizes follow the configured evaluation set: ImageNet's 50 validation images per class
# (fewer with max_val_images_per_class), cached as uint8 (the cache build holds it in memory, the sweep maps it).
VALIDATION_IMAGES = 1000 * min(50, IMAGENET["max_val_images_per_class"] or 50)
CACHE_MB = math.ceil(VALIDATION_IMAGES * 3 * IMAGENET["crop"] ** 2 / 2**20)
SWEEP_MB, CACHE_BUILD_MB = (4000, 4000) if EMBEDDED else (CACHE_MB + 16000, CACHE_MB + 8000)
# A sweep job's time limit: 5 h per layer for all 50,000 images on one GPU, in proportion to fewer images.
SWEEP_MINUTES = (5 if PER_LAYER else 20) * (VGG_SCALE if EMBEDDED else math.ceil(60 * VALIDATION_IMAGES / 50_000))


# The filter study on other models (`models`), but the embedded ResNet at paper scale (it is trained on the
# embedded default's digits).
MODELS = {name: entry for name, entry in config["models"].items() if EMBEDDED or entry["model"] != model_names.EMBEDDED}
config["models"] = MODELS  # what the report's home page lists


def network_names():
    return [f"net{index:02d}" for index in range(TRAINING["networks"])]


def all_networks():
    return network_names() + ([IMPORTED["name"]] if IMPORTED else [])


def focus_network():
    return ANALYSIS["focus_network"] or (IMPORTED["name"] if IMPORTED else network_names()[0])


CHUNKS = [str(chunk) for chunk in range(math.ceil(TRAINING["networks"] / TRAINING["networks_per_job"]))]


def chunk_indices(chunk):
    size = TRAINING["networks_per_job"]
    return list(range(int(chunk) * size, min((int(chunk) + 1) * size, TRAINING["networks"])))


def imported_network_inputs(wildcards):
    """The imported network's files, checked by the first light job (mnist_check_import) before they are used."""
    if not IMPORTED:
        return {}
    return {
        "imported_trained": IMPORTED["trained"],
        "imported_initial": IMPORTED["initial"],
        "import_check": "results/mnist/import_check.json",
    }


def vgg_network_inputs(wildcards):
    if EMBEDDED:
        return {"data": "results/mnist/data.pt"}
    return {"check": "results/vgg/input_check.json", **({"weights": VGG["weights"]} if VGG["weights"] else {})}


def vgg_test_images_inputs(wildcards):
    return {"data": "results/mnist/data.pt"} if EMBEDDED else {"check": "results/vgg/input_check.json"}


def sweep_inputs(wildcards):
    """A sweep job's network and images, and for `mean` the held-out images it averages over."""
    inputs = {"network": "results/vgg/network.pt", "images": "results/vgg/test_images.pt"}
    if wildcards.semantics == "mean":
        inputs["held_out"] = "results/vgg/held_out_images.pt"
    return inputs


def recovery_training_data():
    if EMBEDDED:
        return {
            "kind": "digits",
            "data": "results/mnist/data.pt",
            "max_images": VGG["embedded"]["recovery_train_images"],
        }
    # At paper scale an epoch is the whole training set.
    return {"kind": "imagenet", "folder": IMAGENET["train"], "crop": IMAGENET["crop"], "max_images": None}


def recovery_inputs(wildcards):
    inputs = {
        "network": "results/vgg/network.pt",
        "images": "results/vgg/test_images.pt",
        "choices": "results/vgg/choices.json",
    }
    if EMBEDDED:
        inputs["data"] = "results/mnist/data.pt"
    else:
        inputs["check"] = "results/vgg/input_check.json"
    return inputs


def recovery_layers():
    """The recovery layers: as configured (the value results/vgg/choices.json will hold, so that a dry run shows the
    recovery jobs), else the study's choice once the checkpoint rule vgg_choices has made it from the sweep."""
    configured = CONFIGURED_CHOICES.configured()
    if "recovery_layers" in configured:
        return network_order(configured["recovery_layers"][0])
    return json.loads(Path(checkpoints.vgg_choices.get().output[0]).read_text())["recovery_layers"]


def recovery_jobs(experiment):
    """The (layer, part) jobs of a recovery experiment, in the table's order: per layer and pass in experiment 1,
    per layer in experiment 2; or one job for all layers and passes (`all`, `passes`)."""
    if not PER_LAYER:
        return [("all", "passes")]
    parts = (
        [f"pass{p}" for p in range(1, RECOVERY["experiment1"]["passes"] + 1)] if int(experiment) == 1 else ["passes"]
    )
    return [(layer, part) for layer in recovery_layers() for part in parts]


def recovery_parts(wildcards):
    e = wildcards.experiment
    return [f"results/vgg/recovery/experiment{e}/{layer}/{part}.csv" for layer, part in recovery_jobs(e)]


def vgg_machines(wildcards):
    """What each computing job of the VGG study ran on; the recovery jobs' once their layers are known."""
    recovery = [
        f"results/vgg/machines/vgg_recovery_experiment{e}_{layer}_{part}.json"
        for e in RECOVERY["experiments"]
        for layer, part in recovery_jobs(e)
    ]
    return [*VGG_MACHINES, *recovery]


# The sweep's jobs: per semantics, its layers one by one or `all` in one job, in the order of the joined table.
SWEEP_JOBS = VGG_LAYERS if PER_LAYER else ["all"]
SWEEP_PARTS = [f"results/vgg/ablation/{semantics}/{part}.csv" for semantics in SEMANTICS for part in SWEEP_JOBS]


def model_network_inputs(wildcards):
    """A model's evaluation images (the VGG study's), and the digits embedded_resnet trains on."""
    inputs = vgg_test_images_inputs(wildcards) | {"images": "results/vgg/test_images.pt"}
    return inputs if MODELS[wildcards.model]["model"] == model_names.EMBEDDED else {"images": inputs["images"]}


def model_layers(model):
    """A model's layers to ablate: as configured (so that a dry run shows their jobs), else all that tracing found,
    once the checkpoint rule model_network has written its units table."""
    if MODELS[model]["layers"]:
        return MODELS[model]["layers"]
    units = checkpoints.model_network.get(model=model).output.units
    with open(units) as handle:
        return [line.split(",", 1)[0] for line in handle.read().splitlines()[1:]]


def model_sweep_jobs(model):
    """A model's sweep jobs per semantics: its layers one by one at paper scale (vgg.jobs), else one for all."""
    return model_layers(model) if PER_LAYER else ["all"]


def model_sweep_parts(wildcards):
    return [
        f"results/models/{wildcards.model}/ablation/{semantics}/{part}.csv"
        for semantics in SEMANTICS
        for part in model_sweep_jobs(wildcards.model)
    ]


def model_recovery_inputs(wildcards):
    """A model's recovery job: its network, sweep and units, the evaluation images and the training data."""
    inputs = {
        "network": f"results/models/{wildcards.model}/network.pt",
        "images": "results/vgg/test_images.pt",
        **{key: MODEL_FILES[key].format(model=wildcards.model) for key in ("table", "units")},
    }
    return inputs | ({"data": "results/mnist/data.pt"} if EMBEDDED else {"check": "results/vgg/input_check.json"})


def model_analyses(model):
    """The model's Shapley and recovery experiments, as its entry asks (`shapley`, `recovery`)."""
    entry = MODELS[model]
    return {"shapley": entry["shapley"], "recovery": RECOVERY["experiments"] if entry["recovery"] else []}


def model_machines(wildcards):
    analyses = model_analyses(wildcards.model)
    return [
        f"results/models/{wildcards.model}/machines/model_network.json",
        *([f"results/models/{wildcards.model}/machines/model_shapley.json"] if analyses["shapley"] else []),
        *(
            f"results/models/{wildcards.model}/machines/model_recovery_experiment{experiment}.json"
            for experiment in analyses["recovery"]
        ),
        *(
            f"results/models/{wildcards.model}/machines/model_ablation_{semantics}_{part}.json"
            for semantics in SEMANTICS
            for part in model_sweep_jobs(wildcards.model)
        ),
    ]


MNIST_STATISTICS = [
    "mann_whitney",
    "correlations",
    "per_network_correlations",
    "selectivity",
    "pair_interactions",
    "pair_tests",
    "class_gains",
    "drops",
]
MNIST_SHAPLEY = mnist_registry.SHAPLEY_TABLES
# The result files a figure may read, by the keys of the registries' `inputs`.
RESULT_FILES = {
    "mnist": {
        "table": "results/mnist/ablations.csv",
        "featured": "results/mnist/featured.csv",
        "featured_run": f"results/mnist/featured/{ANALYSIS['evaluation']}.npz",
        "outcomes": "results/mnist/outcomes.npz",
        "tsne": "results/mnist/tsne.csv",
        "networks": "results/mnist/networks.pt",
        "history": "results/mnist/training_history.csv",
        "semantics_table": "results/mnist/semantics/ablations.csv",
        "semantics_rankings": "results/mnist/semantics/rankings.csv",
        **{name: f"results/mnist/statistics/{name}.csv" for name in MNIST_STATISTICS},
        **{f"shapley_{name}": f"results/mnist/shapley/{name}.csv" for name in MNIST_SHAPLEY},
    },
    "vgg": {
        "table": "results/vgg/ablations.csv",
        "classes": "results/vgg/classes.csv",
        "selectivity": "results/vgg/statistics/class_selectivity.csv",
        "class_changes": "results/vgg/statistics/class_changes.csv",
        "recovery1": "results/vgg/recovery/experiment1.csv",
        "recovery2": "results/vgg/recovery/experiment2.csv",
        "shapley_values": "results/vgg/shapley/values.csv",
        "choices": "results/vgg/choices.json",
        "null_tests": "results/vgg/statistics/null.csv",
        "null_draws": "results/vgg/statistics/null_draws.csv",
        "semantics_rankings": "results/vgg/statistics/semantics_rankings.csv",
    },
}
# The result files a model's figure may read (`{model}`: its name).
MODEL_FILES = {
    "table": "results/models/{model}/ablations.csv",
    "units": "results/models/{model}/units.csv",
    "semantics_rankings": "results/models/{model}/statistics/semantics_rankings.csv",
    "shapley_values": "results/models/{model}/shapley/values.csv",
    "recovery1": "results/models/{model}/recovery/experiment1.csv",
    "recovery2": "results/models/{model}/recovery/experiment2.csv",
}
# What the paper comparison reads of the VGG study, when it runs.
VGG_COMPARISON_INPUTS = {
    "vgg_table": "results/vgg/ablations.csv",
    "class_changes": "results/vgg/statistics/class_changes.csv",
    "vgg_data": "results/vgg/data.json",
    "vgg_choices": "results/vgg/choices.json",
    **{f"recovery{e}": f"results/vgg/recovery/experiment{e}.csv" for e in RECOVERY["experiments"]},
    **({"recovery_gaps": "results/vgg/statistics/recovery_gaps.csv"} if RECOVERY["experiments"] else {}),
    "null": "results/vgg/statistics/null.csv",
    "vgg_semantics_rankings": "results/vgg/statistics/semantics_rankings.csv",
}
# What each computing job ran on (CPU instruction sets, threads, GPU), gathered into the provenance files. The
# computing jobs behind each MNIST result file a figure may read, upstream ones included: a figure's provenance names
# their machines, so it waits for the jobs it draws from and for no other (`snakemake fig01_tsne`: the data and the
# t-SNE only); the study's provenance (results/mnist/provenance.json) names them all (`MNIST_MACHINES`).
TRAINED = [f"results/mnist/machines/mnist_train_chunk{chunk}.json" for chunk in CHUNKS]
ABLATED = [*TRAINED, "results/mnist/machines/mnist_ablation.json"]
FEATURED = [*ABLATED, "results/mnist/machines/mnist_featured.json"]
MNIST_RESULT_MACHINES = {
    "table": ABLATED,
    "outcomes": ABLATED,
    "featured": FEATURED,
    "featured_run": FEATURED,
    "tsne": ["results/mnist/machines/mnist_tsne.json"],
    "networks": TRAINED,
    "history": TRAINED,
    **{
        key: [*FEATURED, "results/mnist/machines/mnist_semantics.json"]
        for key in ("semantics_table", "semantics_rankings")
    },
    **{name: [*ABLATED, "results/mnist/machines/mnist_statistics.json"] for name in MNIST_STATISTICS},
    **{f"shapley_{name}": [*TRAINED, "results/mnist/machines/mnist_shapley.json"] for name in MNIST_SHAPLEY},
}
MNIST_MACHINES = sorted(
    {
        path
        for key, paths in MNIST_RESULT_MACHINES.items()
        if SHAPLEY["enabled"] or not key.startswith("shapley_")
        for path in paths
    }
)


def provenance_inputs(study, keys):
    """What a figure's provenance is made of: for MNIST the data's record and the machines of the jobs behind the
    result files `keys`; for the other studies their provenance file."""
    if study != "mnist":
        return {"provenance": f"results/{study}/provenance.json"}
    machines = sorted({path for key in keys for path in MNIST_RESULT_MACHINES[key]})
    return {"data": "results/mnist/data.json", "machines": machines}


VGG_MACHINES = [
    *(["results/vgg/machines/vgg_network.json"] if EMBEDDED else []),
    *(f"results/vgg/machines/vgg_ablation_{semantics}_{part}.json" for semantics in SEMANTICS for part in SWEEP_JOBS),
    *(["results/vgg/machines/vgg_shapley.json"] if VGG_SHAPLEY["enabled"] else []),
]

# Every figure of both studies: id -> (study, spec). The figure rules (figures.smk) are named after the ids.
FIGURES = {
    **{figure: ("mnist", spec) for figure, spec in mnist_registry.FIGURES.items()},
    **{figure: ("vgg", spec) for figure, spec in vgg_registry.FIGURES.items()},
}
UNIT_FIGURES = [
    (layer, unit, f"results/mnist/figures/units/extra_unit_{layer}_{unit:02d}.png")
    for layer, (width, _) in HIDDEN_LAYERS.items()
    for unit in range(1, width + 1)
]


def figures_run():
    """The figures this config makes: the VGG ones only with the study, recovery ones only with their experiment,
    Shapley ones only with mnist.analysis.shapley, the semantics' rankings only with two semantics or more."""
    skipped = {
        figure
        for experiment, ids in vgg_registry.RECOVERY_FIGURES.items()
        if experiment not in RECOVERY["experiments"]
        for figure in ids
    }
    if not SHAPLEY["enabled"]:
        skipped.update(mnist_registry.SHAPLEY_FIGURES)
    if not VGG_SHAPLEY["enabled"]:
        skipped.update(vgg_registry.SHAPLEY_FIGURES)
    # The rankings compare each semantics with the first: nothing to draw with one.
    if len(ANALYSIS["semantics"]) < 2:
        skipped.add("extra_mnist_semantics")
    if len(SEMANTICS) < 2:
        skipped.add("extra_vgg_rankings_by_semantics")
    return [
        figure
        for figure, (study, _) in FIGURES.items()
        if (study == "mnist" or VGG["enabled"]) and figure not in skipped
    ]


def model_figures_run(model):
    """The model's figures: those comparing semantics only with two semantics or more, Shapley's and recovery's
    only where its entry asks for them."""
    analyses = model_analyses(model)
    skipped = set() if analyses["shapley"] else set(model_registry.SHAPLEY_FIGURES)
    for experiment, ids in model_registry.RECOVERY_FIGURES.items():
        if experiment not in analyses["recovery"]:
            skipped.update(ids)
    if len(SEMANTICS) < 2:
        skipped.update(model_registry.SEMANTICS_FIGURES)
    return [figure for figure in model_registry.FIGURES if figure not in skipped]


def final_outputs():
    outputs = [
        *(f"results/models/{model}/figures/{figure}.png" for model in MODELS for figure in model_figures_run(model)),
        *(f"results/models/{model}/statistics/grouping_comparison.csv" for model in MODELS),
        *(f"results/models/{model}/statistics/drops.csv" for model in MODELS),
        *(f"results/{FIGURES[figure][0]}/figures/{figure}.png" for figure in figures_run()),
        *(path for _, _, path in UNIT_FIGURES),
        "results/paper_comparison.csv",
        "results/paper_comparison.html",
        "results/run_summary.csv",
        "results/run_summary.html",
        "results/report_home.rst",  # the report's home page includes it (report/workflow.rst)
    ]
    if VGG["enabled"]:
        outputs += ["results/vgg/statistics/grouping_comparison.csv", "results/vgg/statistics/drops.csv"]
        if RECOVERY["experiments"]:
            outputs.append("results/vgg/statistics/recovery_gaps.csv")
    return outputs
