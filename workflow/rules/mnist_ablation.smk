# Every single-unit and pairwise ablation of every network, and the units the unit figures feature.
rule mnist_ablation:
    input:
        data="results/mnist/data.pt",
        networks="results/mnist/networks.pt",
    output:
        table="results/mnist/ablations.csv",
        outcomes="results/mnist/outcomes.npz",
        machine="results/mnist/machines/mnist_ablation.json",
    log:
        "logs/mnist/ablation.log",
    benchmark:
        "logs/benchmark/mnist_ablation.tsv"
    priority: ANALYSIS_PRIORITY
    threads: JOB_THREADS
    resources:
        runtime=10,
        mem_mb=8000,
    params:
        settings=SETTINGS["mnist_ablation"],
    script:
        "../scripts/mnist_ablation.py"


rule mnist_featured:
    input:
        data="results/mnist/data.pt",
        networks="results/mnist/networks.pt",
        outcomes="results/mnist/outcomes.npz",
    output:
        featured="results/mnist/featured.csv",
        clean="results/mnist/featured/clean.npz",
        as_published="results/mnist/featured/as_published.npz",
        machine="results/mnist/machines/mnist_featured.json",
    log:
        "logs/mnist/featured.log",
    benchmark:
        "logs/benchmark/mnist_featured.tsv"
    priority: ANALYSIS_PRIORITY
    resources:
        runtime=10,
        mem_mb=4000,
    params:
        settings=SETTINGS["mnist_featured"],
    script:
        "../scripts/mnist_featured.py"


# Every single, pair and the Fig. A.2 set under each semantics of mnist.analysis.semantics (ablation.mnist.semantics),
# and how each ranks units and pairs against the first.
rule mnist_semantics:
    input:
        data="results/mnist/data.pt",
        networks="results/mnist/networks.pt",
        featured="results/mnist/featured.csv",
        zeroed="results/mnist/featured/clean.npz",
    output:
        table="results/mnist/semantics/ablations.csv",
        rankings="results/mnist/semantics/rankings.csv",
        machine="results/mnist/machines/mnist_semantics.json",
    log:
        "logs/mnist/semantics.log",
    benchmark:
        "logs/benchmark/mnist_semantics.tsv"
    priority: ANALYSIS_PRIORITY
    threads: JOB_THREADS
    resources:
        runtime=10,
        mem_mb=8000,
    params:
        settings=SETTINGS["mnist_semantics"],
    script:
        "../scripts/mnist_semantics.py"
