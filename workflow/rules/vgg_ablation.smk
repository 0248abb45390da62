# The filter-group sweep, one job per (semantics, layer) so that a cluster runs the layers side by side on as many
# GPUs (or one per semantics, `all` layers: vgg.jobs), joined by a light local rule into one tidy table; and the
# tables derived from it.
rule vgg_ablation:
    input:
        unpack(sweep_inputs),
    output:
        table="results/vgg/ablation/{semantics}/{part}.csv",
        machine="results/vgg/machines/vgg_ablation_{semantics}_{part}.json",
    log:
        "logs/vgg/ablation/{semantics}_{part}.log",
    benchmark:
        "logs/benchmark/vgg_ablation/{semantics}_{part}.tsv"
    wildcard_constraints:
        semantics="literal|activation|mean|resample",
        part=r"features\.\d+|all",
    priority: LONG_CHAIN_PRIORITY
    threads: JOB_THREADS
    resources:
        gpu=1,
        runtime=SWEEP_MINUTES,
        mem_mb=SWEEP_MB,
    params:
        settings=SETTINGS["vgg_ablation"],
        layers=lambda wildcards: VGG_LAYERS if wildcards.part == "all" else [wildcards.part],
    script:
        "../scripts/vgg_ablation.py"


# The images `mean` semantics average over, never evaluated (training digits, or ImageNet training images).
rule vgg_held_out_images:
    input:
        unpack(vgg_test_images_inputs),
    output:
        images="results/vgg/held_out_images.pt",
    log:
        "logs/vgg/held_out_images.log",
    benchmark:
        "logs/benchmark/vgg_held_out_images.tsv"
    priority: LONG_CHAIN_PRIORITY
    threads: 1 if EMBEDDED else IMAGENET["workers"]
    resources:
        runtime=10 if EMBEDDED else 60,
        mem_mb=CACHE_BUILD_MB,
    params:
        settings=SETTINGS["vgg_held_out_images"],
    script:
        "../scripts/vgg_held_out_images.py"


rule vgg_sweep:
    input:
        network="results/vgg/network.pt",
        parts=SWEEP_PARTS,
    output:
        table="results/vgg/ablations.csv",
        groups="results/vgg/groups.csv",
    log:
        "logs/vgg/sweep.log",
    benchmark:
        "logs/benchmark/vgg_sweep.tsv"
    priority: LONG_CHAIN_PRIORITY
    localrule: True
    params:
        settings=SETTINGS["vgg_sweep"],
    script:
        "../scripts/vgg_sweep.py"


rule vgg_statistics:
    input:
        table="results/vgg/ablations.csv",
    output:
        grouping_comparison=report(
            "results/vgg/statistics/grouping_comparison.csv",
            caption="../../report/vgg_grouping_comparison.rst",
            category=vgg_registry.EXTRA,
            labels=figure_spec.labels(
                None,
                f"{vgg_registry.FIGURES['extra_vgg_grouping_comparison'].title}, as CSV",
                vgg_registry.STUDY,
                "grouping_comparison.csv",
            ),
        ),
        class_selectivity="results/vgg/statistics/class_selectivity.csv",
        class_changes="results/vgg/statistics/class_changes.csv",
        drops="results/vgg/statistics/drops.csv",
        rankings="results/vgg/statistics/semantics_rankings.csv",
    log:
        "logs/vgg/statistics.log",
    benchmark:
        "logs/benchmark/vgg_statistics.tsv"
    localrule: True
    resources:
        runtime=30,
        mem_mb=16000,
    params:
        settings=SETTINGS["vgg_statistics"],
    script:
        "../scripts/vgg_statistics.py"


# Every similarity and L1 group against random groups of the same size in the same layer (ablation.vgg.nulls).
rule vgg_null:
    input:
        network="results/vgg/network.pt",
        images="results/vgg/test_images.pt",
        table="results/vgg/ablations.csv",
    output:
        tests="results/vgg/statistics/null.csv",
        draws="results/vgg/statistics/null_draws.csv",
    log:
        "logs/vgg/null.log",
    benchmark:
        "logs/benchmark/vgg_null.tsv"
    threads: JOB_THREADS
    resources:
        gpu=1,
        runtime=SWEEP_MINUTES,
        mem_mb=SWEEP_MB,
    params:
        settings=SETTINGS["vgg_null"],
    script:
        "../scripts/vgg_null.py"


# The study's choices (ablation.vgg.choices): the semantics of the paper's figures, the leading metric, and the
# recovery, class and Shapley layers, as configured or from the sweep, made once for every later step. A checkpoint:
# the recovery jobs are known once the layers are.
checkpoint vgg_choices:
    input:
        **({"table": "results/vgg/ablations.csv"} if CONFIGURED_CHOICES.needs_the_sweep() else {}),
    output:
        "results/vgg/choices.json",
    log:
        "logs/vgg/choices.log",
    benchmark:
        "logs/benchmark/vgg_choices.tsv"
    priority: LONG_CHAIN_PRIORITY
    localrule: True
    params:
        settings=SETTINGS["vgg_choices"],
    script:
        "../scripts/vgg_choices.py"


# Beyond the paper: Shapley values of similarity groups (vgg.shapley.groups) partitioning each of the study's Shapley
# layers (as configured, else the most important on the leading metric).
rule vgg_shapley:
    input:
        network="results/vgg/network.pt",
        images="results/vgg/test_images.pt",
        choices="results/vgg/choices.json",
    output:
        values="results/vgg/shapley/values.csv",
        machine="results/vgg/machines/vgg_shapley.json",
    log:
        "logs/vgg/shapley.log",
    benchmark:
        "logs/benchmark/vgg_shapley.tsv"
    priority: LONG_CHAIN_PRIORITY
    threads: JOB_THREADS
    resources:
        gpu=1,
        runtime=SWEEP_MINUTES,
        mem_mb=SWEEP_MB,
    params:
        settings=SETTINGS["vgg_shapley"],
    script:
        "../scripts/vgg_shapley.py"
