# Beyond the paper: the filter study on other classifiers (config `models`), each under results/models/<model>/ on
# the VGG study's images: the network and its traced units (a checkpoint: the sweep's jobs follow its layers), the
# sweep per (semantics, layer) at paper scale, its statistics and provenance. The figures are in figures.smk.
wildcard_constraints:
    model=r"[A-Za-z][\w-]*",


checkpoint model_network:
    input:
        unpack(model_network_inputs),
    output:
        network="results/models/{model}/network.pt",
        units=report(
            "results/models/{model}/units.csv",
            caption="../../report/model_units.rst",
            category=model_registry.CATEGORY,
            labels=lambda wildcards: figure_spec.labels(None, "Layers and couplings", wildcards.model, "units.csv"),
        ),
        machine="results/models/{model}/machines/model_network.json",
    log:
        "logs/models/{model}/network.log",
    benchmark:
        "logs/benchmark/model_network/{model}.tsv"
    threads: JOB_THREADS
    resources:
        gpu=1,
        runtime=60,
        mem_mb=8000,
    params:
        settings=model_network_settings,
    script:
        "../scripts/model_network.py"


rule model_ablation:
    input:
        **({"held_out": "results/vgg/held_out_images.pt"} if "mean" in SEMANTICS else {}),
        network="results/models/{model}/network.pt",
        units="results/models/{model}/units.csv",
        images="results/vgg/test_images.pt",
    output:
        table="results/models/{model}/ablation/{semantics}/{part}.csv",
        machine="results/models/{model}/machines/model_ablation_{semantics}_{part}.json",
    log:
        "logs/models/{model}/ablation/{semantics}_{part}.log",
    benchmark:
        "logs/benchmark/model_ablation/{model}_{semantics}_{part}.tsv"
    wildcard_constraints:
        semantics="literal|activation|mean|resample",
    threads: JOB_THREADS
    resources:
        gpu=1,
        runtime=SWEEP_MINUTES,
        mem_mb=SWEEP_MB,
    params:
        settings=model_ablation_settings,
        # `all`: the configured layers, or every layer of the units table (read by the job, not here: a checkpoint
        # read in params would make Snakemake redo the join on every run).
        layers=lambda wildcards: MODELS[wildcards.model]["layers"] if wildcards.part == "all" else [wildcards.part],
    script:
        "../scripts/model_ablation.py"


rule model_sweep:
    input:
        parts=model_sweep_parts,
    output:
        table="results/models/{model}/ablations.csv",
    log:
        "logs/models/{model}/sweep.log",
    benchmark:
        "logs/benchmark/model_sweep/{model}.tsv"
    localrule: True
    params:
        semantics=SEMANTICS,
        jobs=lambda wildcards: len(model_sweep_jobs(wildcards.model)),
    script:
        "../scripts/model_sweep.py"


rule model_statistics:
    input:
        table="results/models/{model}/ablations.csv",
        units="results/models/{model}/units.csv",
    output:
        grouping_comparison=report(
            "results/models/{model}/statistics/grouping_comparison.csv",
            caption="../../report/model_grouping_comparison.rst",
            category=model_registry.CATEGORY,
            labels=lambda wildcards: figure_spec.labels(
                None, "Groupings compared, as CSV", wildcards.model, "grouping_comparison.csv"
            ),
        ),
        drops="results/models/{model}/statistics/drops.csv",
        rankings="results/models/{model}/statistics/semantics_rankings.csv",
    log:
        "logs/models/{model}/statistics.log",
    benchmark:
        "logs/benchmark/model_statistics/{model}.tsv"
    localrule: True
    params:
        settings=SETTINGS["model_statistics"],
    script:
        "../scripts/model_statistics.py"


# Beyond the paper: Shapley values of similarity groups (vgg.shapley) partitioning each of the model's two most
# important layers on the leading metric, under the first semantics.
rule model_shapley:
    input:
        network="results/models/{model}/network.pt",
        images="results/vgg/test_images.pt",
        table="results/models/{model}/ablations.csv",
        units="results/models/{model}/units.csv",
    output:
        values="results/models/{model}/shapley/values.csv",
        machine="results/models/{model}/machines/model_shapley.json",
    log:
        "logs/models/{model}/shapley.log",
    benchmark:
        "logs/benchmark/model_shapley/{model}.tsv"
    threads: JOB_THREADS
    resources:
        gpu=1,
        runtime=SWEEP_MINUTES,
        mem_mb=SWEEP_MB,
    params:
        settings=SETTINGS["model_shapley"],
    script:
        "../scripts/model_shapley.py"


# Beyond the paper: recovery training (vgg.recovery's experiments) of the model's two most important layers, one job
# per experiment.
rule model_recovery:
    input:
        unpack(model_recovery_inputs),
    output:
        table="results/models/{model}/recovery/experiment{experiment}.csv",
        machine="results/models/{model}/machines/model_recovery_experiment{experiment}.json",
    log:
        "logs/models/{model}/recovery_experiment{experiment}.log",
    benchmark:
        "logs/benchmark/model_recovery/{model}_{experiment}.tsv"
    wildcard_constraints:
        experiment="[12]",
    threads: JOB_THREADS
    resources:
        gpu=1,
        runtime=60 * VGG_SCALE,
        mem_mb=4000 if EMBEDDED else 32000,
    params:
        settings=SETTINGS["model_recovery"],
        # Not an output: Snakemake would delete it when a job fails, and resuming needs it.
        checkpoint="results/models/{model}/recovery/experiment{experiment}.checkpoint.pt",
    script:
        "../scripts/model_recovery.py"


rule model_provenance:
    input:
        network="results/models/{model}/network.pt",
        images="results/vgg/test_images.pt",
        machines=model_machines,
    output:
        "results/models/{model}/provenance.json",
    log:
        "logs/models/{model}/provenance.log",
    benchmark:
        "logs/benchmark/model_provenance/{model}.tsv"
    localrule: True
    params:
        settings=lambda wildcards: {"models": {wildcards.model: MODELS[wildcards.model]}, "vgg.ablation": ABLATION},
    script:
        "../scripts/model_provenance.py"
