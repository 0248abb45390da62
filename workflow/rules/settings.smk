# Every rule's settings, resolved once from the config (config/config.yaml, the only defaults, with the user's
# --configfile on top): rule -> the keyword arguments of its step function that come from the config. A rule passes
# its entry as `params: settings=SETTINGS["<rule>"]` (beside what is not a setting: a job's layers, a checkpoint
# path, a caption's values); its script hands it on.
SETTINGS = {
    "mnist_data": {
        "source": DATA["source"],
        "path": DATA["path"],
        "download_dir": DATA["download_dir"],
        "verify_md5": DATA["verify_md5"],
        "seed": TRAINING["seed"],
        "max_train": DATA["max_train_items"],
        "max_test": DATA["max_test_items"],
        "tsne_map": ANALYSIS["tsne_map"],
    },
    "mnist_train": {
        "seed": TRAINING["seed"],
        "training": {
            "epochs": TRAINING["epochs"],
            "batch_size": TRAINING["batch_size"],
            "learning_rate": TRAINING["learning_rate"],
            "momentum": TRAINING["momentum"],
            "data_seed": TRAINING["seed"],
        },
    },
    "mnist_networks": {"imported_name": IMPORTED["name"] if IMPORTED else None},
    "mnist_ablation": {"evaluation": ANALYSIS["evaluation"]},
    "mnist_featured": {
        "network": focus_network(),
        "mode": ANALYSIS["featured"],
        "negligible_drop": ANALYSIS["negligible_drop"],
        "evaluation": ANALYSIS["evaluation"],
    },
    "mnist_semantics": {
        "semantics": ANALYSIS["semantics"],
        "seed": ANALYSIS["seed"],
        "top": ANALYSIS["ranking_top"],
        "resamples": ANALYSIS["bootstrap_resamples"],
    },
    "mnist_tsne": {
        "tsne_map": ANALYSIS["tsne_map"],
        "perplexity": ANALYSIS["tsne_perplexity"],
        "seed": ANALYSIS["seed"],
    },
    "mnist_statistics": {
        "focus": focus_network(),
        "resamples": ANALYSIS["bootstrap_resamples"],
        "alpha": ANALYSIS["alpha"],
        "seed": ANALYSIS["seed"],
    },
    "mnist_shapley": {
        "shapley": {
            "layers": SHAPLEY["layers"],
            "max_exact_units": SHAPLEY["max_exact_units"],
            "permutations": SHAPLEY["permutations"],
            "target_standard_error": SHAPLEY["target_standard_error"],
            "seed": ANALYSIS["seed"],
        },
        "device": SHAPLEY["device"],
        "resamples": ANALYSIS["bootstrap_resamples"],
        "seed": ANALYSIS["seed"],
    },
    "mnist_provenance": {"config": config},
    "vgg_network": {
        "model": VGG["model"],
        "weights_path": VGG["weights"],
        "embedded": VGG["embedded"],
        "device": VGG["device"],
    },
    "vgg_test_images": {
        "model": VGG["model"],
        "max_test": VGG["embedded"]["max_test_images"],
        "imagenet_settings": IMAGENET,
    },
    "vgg_check_inputs": {
        # Only the VGG study's pretrained vgg19_bn needs ImageNet's 1000 classes; other models take any image folder.
        "imagenet_classes": VGG["enabled"],
        "val": IMAGENET["val"],
        "devkit": IMAGENET["devkit"],
        "train": IMAGENET["train"] if RECOVERY["experiments"] else None,
    },
    "vgg_ablation": {
        **{key: ABLATION[key] for key in ("ratios", "groupings", "groups_per_ratio", "seed")},
        **{key: ABLATION[key] for key in ("batch_size", "branch_images", "precision")},
        "device": VGG["device"],
        "stage_dir": IMAGENET["stage_dir"],
    },
    "vgg_sweep": {
        "semantics": SEMANTICS,
        "layers": VGG_LAYERS,
        "jobs_per_semantics": len(SWEEP_JOBS),
        **{key: ABLATION[key] for key in ("ratios", "groupings", "groups_per_ratio", "seed")},
    },
    "model_ablation": {
        **{key: ABLATION[key] for key in ("groupings", "seed")},
        **{key: ABLATION[key] for key in ("batch_size", "branch_images", "precision")},
        "device": VGG["device"],
        "stage_dir": IMAGENET["stage_dir"],
    },
    "model_statistics": {
        "metric": VGG_METRIC,
        "ranking_top": VGG["statistics"]["ranking_top"],
        "bootstrap_resamples": VGG["statistics"]["bootstrap_resamples"],
        "seed": ABLATION["seed"],
    },
    "model_shapley": {
        "metric": VGG_METRIC,
        "shapley": {
            "groups": VGG_SHAPLEY["groups"],
            "permutations": VGG_SHAPLEY["permutations"],
            "target_standard_error": VGG_SHAPLEY["target_standard_error"],
            "seed": VGG_SHAPLEY["seed"],
            "semantics": SEMANTICS[0],
            "batch_size": ABLATION["batch_size"],
            "branch_images": ABLATION["branch_images"],
            "precision": ABLATION["precision"],
        },
        "device": VGG["device"],
        "stage_dir": IMAGENET["stage_dir"],
    },
    "vgg_statistics": {
        "alpha": VGG["statistics"]["alpha"],
        "metric": VGG_METRIC,
        "ranking_top": VGG["statistics"]["ranking_top"],
        "bootstrap_resamples": VGG["statistics"]["bootstrap_resamples"],
        "seed": ABLATION["seed"],
    },
    "vgg_held_out_images": {
        "model": VGG["model"],
        "count": ABLATION["held_out_images"],
        "imagenet_settings": IMAGENET,
    },
    "vgg_null": {
        "metric": VGG_METRIC,
        "alpha": VGG["statistics"]["alpha"],
        "null": ABLATION["null_groups"],
        **{key: ABLATION[key] for key in ("batch_size", "branch_images", "precision")},
        "device": VGG["device"],
        "stage_dir": IMAGENET["stage_dir"],
    },
    "vgg_choices": CHOICE_SETTINGS,
    "vgg_shapley": {
        "shapley": {
            "groups": VGG_SHAPLEY["groups"],
            "permutations": VGG_SHAPLEY["permutations"],
            "target_standard_error": VGG_SHAPLEY["target_standard_error"],
            "seed": VGG_SHAPLEY["seed"],
            "batch_size": ABLATION["batch_size"],
            "branch_images": ABLATION["branch_images"],
            "precision": ABLATION["precision"],
        },
        "device": VGG["device"],
        "stage_dir": IMAGENET["stage_dir"],
    },
    "vgg_recovery": {
        "train_source": recovery_training_data(),
        "recovery": RECOVERY,
        "device": VGG["device"],
        "workers": IMAGENET["workers"],
    },
    "model_recovery": {
        "train_source": recovery_training_data(),
        "recovery": RECOVERY,
        "semantics": SEMANTICS[0],
        "metric": VGG_METRIC,
        "device": VGG["device"],
        "workers": IMAGENET["workers"],
    },
    "vgg_provenance": {"settings": VGG},
    "paper_comparison": {
        "settings": {
            "focus": focus_network(),
            "imported": IMPORTED["name"] if IMPORTED else None,
            "evaluation": ANALYSIS["evaluation"],
            "negligible_drop": ANALYSIS["negligible_drop"],
            "resamples": ANALYSIS["bootstrap_resamples"],
            "seed": ANALYSIS["seed"],
            "alpha": ANALYSIS["alpha"],
        }
    },
    "run_summary": {"evaluation_note": mnist_registry.EVALUATION_NOTES[ANALYSIS["evaluation"]]},
}


def model_network_settings(wildcards):
    """A model's entry of `models`, with what builds it: vgg.embedded (embedded_resnet's training) and the seed of
    random weights (vgg.ablation.seed)."""
    entry = MODELS[wildcards.model]
    return {
        "name": wildcards.model,
        "model": entry["model"],
        "weights": entry["weights"],
        "layers": entry["layers"],
        "embedded": VGG["embedded"],
        "seed": ABLATION["seed"],
        "device": VGG["device"],
    }


def model_ablation_settings(wildcards):
    """The sweep's settings (vgg.ablation) with the model's own ratios and groups per ratio where it sets them."""
    entry = MODELS[wildcards.model]
    return {
        **SETTINGS["model_ablation"],
        "ratios": entry["ratios"] or ABLATION["ratios"],
        "groups_per_ratio": entry["groups_per_ratio"] or ABLATION["groups_per_ratio"],
    }


def model_caption(wildcards):
    """What a model's captions print: its name and settings, and the study's (vgg.ablation, vgg.statistics)."""
    ratios = MODELS[wildcards.model]["ratios"] or ABLATION["ratios"]
    return {
        "model": wildcards.model,
        "architecture": MODELS[wildcards.model]["model"],
        "semantics": SEMANTICS[0],
        "metric": vgg_metric.LABELS[VGG_METRIC],
        "figure_ratios": " and ".join(vgg_registry.percent(r) for r in vgg_registry.paper_ratios(ratios)),
        "largest_ratio": vgg_registry.percent(max(ratios)),
        "ranking_top": VGG["statistics"]["ranking_top"],
        "bootstrap_resamples": VGG["statistics"]["bootstrap_resamples"],
        "ratio": vgg_registry.percent(RECOVERY["ratio"]),
        "passes": RECOVERY["experiment1"]["passes"],
        "epochs": RECOVERY["experiment1"]["epochs"],
        **{key: RECOVERY["experiment2"][key] for key in ("iterations", "min_epochs", "max_epochs", "window")},
        "min_improvement": RECOVERY["experiment2"]["min_improvement"],
        "final_share": vgg_registry.percent(
            round(1 - (1 - RECOVERY["ratio"]) ** RECOVERY["experiment2"]["iterations"], 2)
        ),
        "shapley_groups": VGG_SHAPLEY["groups"],
        "shapley_orders": (
            f"{VGG_SHAPLEY['permutations']}, ``vgg.shapley.permutations``"
            if VGG_SHAPLEY["target_standard_error"] is None
            else f"at most {VGG_SHAPLEY['permutations']}, stopping once every standard error is at most "
            f"{VGG_SHAPLEY['target_standard_error']:g} %p, ``vgg.shapley.target_standard_error``"
        ),
    }
