# Recovery training: experiment 1 (network reset between passes) and 2 (ablations accumulate), each one job.
rule vgg_recovery:
    input:
        unpack(recovery_inputs),
    output:
        table="results/vgg/recovery/experiment{experiment}.csv",
        machine="results/vgg/machines/vgg_recovery_experiment{experiment}.json",
    log:
        "logs/vgg/recovery_experiment{experiment}.log",
    wildcard_constraints:
        experiment="[12]",
    threads: MAX_THREADS
    resources:
        gpu=1,
        runtime=60 * VGG_SCALE,
        mem_mb=4000 if EMBEDDED else 32000,
    params:
        layers=RECOVERY["layers"],
        train_source=recovery_training_data(),
        recovery=RECOVERY,
        semantics=SEMANTICS[0],
        device=VGG["device"],
        workers=IMAGENET["workers"],
        # Not an output: Snakemake would delete it when a job fails, and resuming needs it.
        checkpoint="results/vgg/recovery/experiment{experiment}.checkpoint.pt",
    script:
        "../scripts/vgg_recovery.py"
