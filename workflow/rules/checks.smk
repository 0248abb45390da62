# Checks of user input that need no result file and no torch, run when the workflow is parsed: a wrong path or a
# contradictory setting fails here, in one line, before any job starts. Checks that must load a file with torch
# (weights, ImageNet folders) are the first light jobs (mnist_check_import, vgg_check_inputs).
from ablation.core.errors import InputError


def check_mnist_input():
    if TRAINING["networks"] == 0 and not IMPORTED:
        raise InputError(
            "mnist.training.networks is 0 and no mnist.import is given: nothing to analyse; set "
            "mnist.training.networks >= 1"
        )
    if DATA["source"] == "path" and not DATA["path"]:
        raise InputError("mnist.data.source is 'path' but mnist.data.path is empty; set it to the MNIST folder")
    if DATA["path"] and not Path(DATA["path"]).is_dir():
        raise InputError(f"mnist.data.path '{DATA['path']}' is not a folder; fix the path or set it to null")
    if IMPORTED:
        for role in ("trained", "initial"):
            path = Path(IMPORTED[role])
            if not path.is_file() and not IMPORTED.get("download"):  # with download, mnist_fetch_authors gets it
                raise InputError(f"mnist.import.{role} '{path}' does not exist; fix the path")
        if IMPORTED["name"] in network_names():
            raise InputError(f"mnist.import.name '{IMPORTED['name']}' clashes with a trained network's name; rename it")
    if ANALYSIS["semantics"][0] != "zero":
        raise InputError(
            f"mnist.analysis.semantics starts with '{ANALYSIS['semantics'][0]}'; the paper's figures are zeroing's: "
            "list zero first"
        )
    focus = ANALYSIS["focus_network"]
    if focus is not None and focus not in all_networks():
        raise InputError(
            f"mnist.analysis.focus_network '{focus}' is not one of the networks: " f"{', '.join(all_networks())}"
        )


def check_vgg_input():
    named = {
        "vgg.ablation.layers": VGG_LAYERS,
        "vgg.recovery.layers": RECOVERY["layers"] or [],
        "vgg.figures.class_layers": VGG["figures"]["class_layers"] or [],
        "vgg.shapley.layers": VGG_SHAPLEY["layers"] or [],
    }
    for key, layers in named.items():
        for layer in layers:
            if layer not in CONV_LAYERS:
                raise InputError(f"{key}: unknown layer '{layer}'; the conv layers are {', '.join(CONV_LAYERS)}")
    class_layers = VGG["figures"]["class_layers"]
    if class_layers is not None and len(class_layers) != 2:
        raise InputError(
            f"vgg.figures.class_layers names {len(class_layers)} layer(s): {', '.join(class_layers) or 'none'}; "
            "give two (one for Fig. 16, one for Fig. 17), or null to choose them from the sweep"
        )
    for layer in [*(class_layers or []), *(RECOVERY["layers"] or [])]:
        if layer not in VGG_LAYERS:
            raise InputError(f"layer '{layer}' is not in vgg.ablation.layers; add it there or choose another")
    if SEMANTICS[0] not in ("literal", "activation"):
        raise InputError(
            f"vgg.ablation.semantics starts with '{SEMANTICS[0]}'; the paper's figures, recovery (which holds "
            "ablated filters at zero), Shapley and the null run under the first: list literal or activation first"
        )
    swept = ABLATION["ratios"]
    for ratio in ABLATION["null_groups"]["ratios"] or []:
        if not any(abs(ratio - other) < 1e-9 for other in swept):
            raise InputError(
                f"vgg.ablation.null_groups.ratios: {ratio:g} is not one of vgg.ablation.ratios "
                f"({', '.join(f'{r:g}' for r in swept)}); test the ratios swept, or set it to null for all"
            )
    if EMBEDDED:
        return
    if not IMAGENET["val"]:
        raise InputError(
            "vgg.model is vgg19_bn but vgg.imagenet.val is empty; set it to the ImageNet validation folder"
        )
    for key, folder in (("vgg.imagenet.val", IMAGENET["val"]), ("vgg.imagenet.train", IMAGENET["train"])):
        if folder and not Path(folder).is_dir():
            raise InputError(
                f"{key} '{folder}' is not a folder: expected <folder>/<wnid>/<image>.JPEG; "
                "point it at an ImageNet image folder"
            )
    if IMAGENET["devkit"] and not Path(IMAGENET["devkit"]).is_dir():
        raise InputError(
            f"vgg.imagenet.devkit '{IMAGENET['devkit']}' is not a folder: point it at the extracted "
            "ILSVRC2012_devkit_t12 folder, or set it to null for the <wnid>/<image>.JPEG layout"
        )
    if "mean" in SEMANTICS and not IMAGENET["train"]:
        raise InputError(
            "vgg.ablation.semantics lists mean, which averages over held-out images: set vgg.imagenet.train, or "
            "leave mean out"
        )
    if RECOVERY["experiments"] and not IMAGENET["train"]:
        raise InputError(
            "recovery training needs vgg.imagenet.train (the ImageNet training folder); "
            "set it, or set vgg.recovery.experiments: [] to skip recovery training"
        )
    if VGG["weights"] and not Path(VGG["weights"]).is_file():
        raise InputError(
            f"vgg.weights '{VGG['weights']}' does not exist; fix the path, or set it to null to let "
            "torchvision download the weights"
        )


def check_models_input():
    for name, entry in MODELS.items():
        model_names.check(name, entry["model"], entry["weights"])


try:
    check_mnist_input()
    if VGG["enabled"] or MODELS:  # the models are evaluated on the VGG study's images
        check_vgg_input()
    check_models_input()
except InputError as error:
    raise WorkflowError(f"Bad input: {error}") from None
