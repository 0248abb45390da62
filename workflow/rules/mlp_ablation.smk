rule ablate_mlp:
    input:
        data="results/data/mnist.pt",
        networks="results/mlp/networks.pt",
    output:
        table="results/mlp/ablations.csv",
        outcomes="results/mlp/outcomes.npz",
        machine="results/mlp/machines/ablate_mlp.json",
    log:
        "logs/ablate_mlp.log",
    threads: MAX_THREADS
    resources:
        runtime=10,
        mem_mb=8000,
    script:
        "../scripts/ablate_mlp.py"


rule tsne:
    input:
        data="results/data/mnist.pt",
    output:
        tsne="results/mlp/tsne.csv",
        machine="results/mlp/machines/tsne.json",
    params:
        perplexity=ANALYSIS["tsne_perplexity"],
        seed=ANALYSIS["seed"],
    log:
        "logs/tsne.log",
    threads: MAX_THREADS
    resources:
        runtime=30,
        mem_mb=4000,
    script:
        "../scripts/tsne.py"


STATISTICS = ["mann_whitney", "correlations", "per_network_correlations", "selectivity", "pair_interactions", "class_gains"]


rule mlp_statistics:
    input:
        table="results/mlp/ablations.csv",
        outcomes="results/mlp/outcomes.npz",
        networks="results/mlp/networks.pt",
    output:
        **{name: f"results/mlp/statistics/{name}.csv" for name in STATISTICS},
        machine="results/mlp/machines/mlp_statistics.json",
    params:
        focus=focus_network(),
        resamples=ANALYSIS["bootstrap_resamples"],
        alpha=ANALYSIS["alpha"],
        seed=ANALYSIS["seed"],
    log:
        "logs/mlp_statistics.log",
    resources:
        runtime=20,
        mem_mb=8000,
    script:
        "../scripts/mlp_statistics.py"


rule paper_comparison:
    localrule: True
    input:
        table="results/mlp/ablations.csv",
        correlations="results/mlp/statistics/correlations.csv",
        data="results/data/mnist.json",
    output:
        report(
            "results/mlp/paper_comparison.csv",
            caption="../../report/paper_comparison.rst",
            category="0 Overview",
        ),
    log:
        "logs/paper_comparison.log",
    script:
        "../scripts/paper_comparison.py"


rule provenance:
    localrule: True
    input:
        data="results/data/mnist.json",
        machines=MLP_MACHINES,
    output:
        "results/mlp/provenance.json",
    params:
        config=SETTINGS,
    log:
        "logs/provenance.log",
    script:
        "../scripts/provenance.py"
