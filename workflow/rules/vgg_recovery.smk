# Recovery training, one job per (experiment, layer), and per pass in experiment 1 (its passes are independent),
# each resuming from its own epoch checkpoint (or one job per experiment, `all` layers: vgg.jobs); joined per
# experiment by a light local rule. The layers are the study's choice (results/vgg/choices.json, rule vgg_choices).
rule vgg_recovery:
    input:
        unpack(recovery_inputs),
    output:
        table="results/vgg/recovery/experiment{experiment}/{layer}/{part}.csv",
        machine="results/vgg/machines/vgg_recovery_experiment{experiment}_{layer}_{part}.json",
    log:
        "logs/vgg/recovery/experiment{experiment}_{layer}_{part}.log",
    benchmark:
        "logs/benchmark/vgg_recovery/{experiment}_{layer}_{part}.tsv"
    wildcard_constraints:
        experiment="[12]",
        layer=r"features\.\d+|all",
        part=r"pass\d+|passes",
    priority: LONG_CHAIN_PRIORITY
    threads: JOB_THREADS
    resources:
        gpu=1,
        runtime=(30 if PER_LAYER else 60) * VGG_SCALE,
        mem_mb=4000 if EMBEDDED else 32000,
    params:
        settings=SETTINGS["vgg_recovery"],
        # Not an output: Snakemake would delete it when a job fails, and resuming needs it.
        checkpoint="results/vgg/recovery/experiment{experiment}/{layer}/{part}.checkpoint.pt",
    script:
        "../scripts/vgg_recovery.py"


# Each recovery experiment's gaps to the intact network, with intervals (ablation.vgg.statistics.recovery_gaps).
rule vgg_recovery_gaps:
    input:
        expand("results/vgg/recovery/experiment{experiment}.csv", experiment=RECOVERY["experiments"]),
    output:
        "results/vgg/statistics/recovery_gaps.csv",
    log:
        "logs/vgg/recovery_gaps.log",
    benchmark:
        "logs/benchmark/vgg_recovery_gaps.tsv"
    localrule: True
    script:
        "../scripts/vgg_recovery_gaps.py"


rule vgg_recovery_table:
    input:
        recovery_parts,
    output:
        "results/vgg/recovery/experiment{experiment}.csv",
    log:
        "logs/vgg/recovery_experiment{experiment}.log",
    benchmark:
        "logs/benchmark/vgg_recovery_table/{experiment}.tsv"
    wildcard_constraints:
        experiment="[12]",
    localrule: True
    script:
        "../scripts/vgg_recovery_table.py"
