# The VGG19-BN study: the network, the evaluation images cached once, the filter-group sweep, recovery
# training and one rule per figure (Figs. 14-22). Rules that compute on a GPU ask for gpu=1 and run on the CPU
# where there is none.
VGG_DEVICE = VGG["device"]
# Cluster time limits in minutes: the embedded default takes minutes, paper scale hours on one GPU.
SCALE = 1 if EMBEDDED else 60

if EMBEDDED:

    rule vgg_network:
        input:
            data="results/data/mnist.pt",
        output:
            network="results/vgg/network.pt",
            history="results/vgg/training_history.csv",
            machine="results/vgg/machines/vgg_network.json",
        params:
            width_divisor=VGG["embedded"]["width_divisor"],
            max_train=VGG["embedded"]["max_train_images"],
            max_test=VGG["embedded"]["max_test_images"],
            settings={key: VGG["embedded"][key] for key in ("epochs", "batch_size", "learning_rate", "momentum", "seed")},
            device=VGG_DEVICE,
        log:
            "logs/vgg/network.log",
        threads: MAX_THREADS
        resources:
            gpu=1,
            runtime=60,
            mem_mb=4000,
        script:
            "../scripts/vgg_train_network.py"

    rule vgg_test_images:
        input:
            data="results/data/mnist.pt",
        output:
            images="results/vgg/test_images.pt",
            classes="results/vgg/classes.csv",
            record="results/vgg/data.json",
        params:
            max_test=VGG["embedded"]["max_test_images"],
        log:
            "logs/vgg/test_images.log",
        script:
            "../scripts/vgg_digit_images.py"

else:

    rule vgg_network:
        input:
            weights=[VGG["weights"]] if VGG["weights"] else [],
        output:
            network="results/vgg/network.pt",
            history="results/vgg/training_history.csv",
        params:
            weights=VGG["weights"],
        log:
            "logs/vgg/network.log",
        resources:
            runtime=30,
            mem_mb=8000,
        script:
            "../scripts/vgg_fetch_network.py"

    rule vgg_test_images:
        output:
            images="results/vgg/test_images.pt",
            classes="results/vgg/classes.csv",
            record="results/vgg/data.json",
        params:
            folder=IMAGENET["val"],
            resize=IMAGENET["resize"],
            crop=IMAGENET["crop"],
            max_per_class=IMAGENET["max_val_images_per_class"],
        log:
            "logs/vgg/test_images.log",
        threads: IMAGENET["workers"]
        resources:
            runtime=120,
            mem_mb=16000,
        script:
            "../scripts/vgg_imagenet_images.py"


rule ablate_vgg:
    input:
        network="results/vgg/network.pt",
        images="results/vgg/test_images.pt",
    output:
        table="results/vgg/ablations.csv",
        groups="results/vgg/groups.csv",
        machine="results/vgg/machines/ablate_vgg.json",
    params:
        settings={
            "layers": VGG_LAYERS,
            **{key: ABLATION[key] for key in ("ratios", "groupings", "groups_per_ratio", "semantics", "seed",
                                              "batch_size", "branch_images", "precision")},
            "device": VGG_DEVICE,
        },
    log:
        "logs/vgg/ablate.log",
    threads: MAX_THREADS
    resources:
        gpu=1,
        runtime=20 * SCALE,
        mem_mb=4000 if EMBEDDED else 32000,
    script:
        "../scripts/ablate_vgg.py"


rule vgg_statistics:
    localrule: True
    input:
        table="results/vgg/ablations.csv",
    output:
        grouping_comparison=report(
            "results/vgg/statistics/grouping_comparison.csv",
            caption="../../report/vgg_grouping_comparison.rst",
            category=VGG_FIGURES["extra_vgg_grouping_comparison"].category,
        ),
        class_selectivity="results/vgg/statistics/class_selectivity.csv",
        class_changes="results/vgg/statistics/class_changes.csv",
    params:
        alpha=ANALYSIS["alpha"],
    log:
        "logs/vgg/statistics.log",
    resources:
        runtime=30,
        mem_mb=16000,
    script:
        "../scripts/vgg_statistics.py"


rule vgg_recovery:
    input:
        unpack(recovery_inputs),
    output:
        table="results/vgg/recovery/experiment{experiment}.csv",
        machine="results/vgg/machines/vgg_recovery_experiment{experiment}.json",
    wildcard_constraints:
        experiment="[12]",
    params:
        layers=RECOVERY["layers"],
        train_source=recovery_training_data(),
        settings=lambda wildcards: recovery_settings(wildcards.experiment),
        device=VGG_DEVICE,
        workers=IMAGENET["workers"],
        # Not an output: Snakemake would delete it when a job fails, and resuming needs it.
        checkpoint="results/vgg/recovery/experiment{experiment}.checkpoint.pt",
    log:
        "logs/vgg/recovery_experiment{experiment}.log",
    threads: MAX_THREADS
    resources:
        gpu=1,
        runtime=60 * SCALE,
        mem_mb=4000 if EMBEDDED else 32000,
    script:
        "../scripts/vgg_recovery.py"


rule vgg_provenance:
    localrule: True
    input:
        network="results/vgg/network.pt",
        images="results/vgg/test_images.pt",
        machines=VGG_MACHINES,
    output:
        "results/vgg/provenance.json",
    params:
        settings=VGG,
    log:
        "logs/vgg/provenance.log",
    script:
        "../scripts/vgg_provenance.py"


VGG_RESULT_FILES = {
    "table": "results/vgg/ablations.csv",
    "classes": "results/vgg/classes.csv",
    "selectivity": "results/vgg/statistics/class_selectivity.csv",
    "class_changes": "results/vgg/statistics/class_changes.csv",
    "recovery1": "results/vgg/recovery/experiment1.csv",
    "recovery2": "results/vgg/recovery/experiment2.csv",
}

for figure in VGG_FIGURE_IDS:
    spec = VGG_FIGURES[figure]

    rule:
        name:
            f"figure_{figure}"
        localrule: True
        input:
            provenance="results/vgg/provenance.json",
            **{key: VGG_RESULT_FILES[key] for key in spec.inputs},
        output:
            report(
                f"results/vgg/figures/{figure}.png",
                caption=f"../../report/{figure}.rst",
                category=spec.category,
            ),
        params:
            figure=figure,
            class_layers=CLASS_LAYERS,
        log:
            f"logs/figures/{figure}.log",
        script:
            "../scripts/vgg_figure.py"
