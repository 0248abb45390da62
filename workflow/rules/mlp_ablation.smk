rule ablate_mlp:
    input:
        data="results/data/mnist.pt",
        networks="results/mlp/networks.pt",
    output:
        table="results/mlp/ablations.csv",
        outcomes="results/mlp/outcomes.npz",
        machine="results/mlp/machines/ablate_mlp.json",
    params:
        evaluation=ANALYSIS["evaluation"],
    log:
        "logs/ablate_mlp.log",
    threads: MAX_THREADS
    resources:
        runtime=10,
        mem_mb=8000,
    script:
        "../scripts/ablate_mlp.py"


rule featured_units:
    input:
        data="results/data/mnist.pt",
        networks="results/mlp/networks.pt",
        table="results/mlp/ablations.csv",
        outcomes="results/mlp/outcomes.npz",
    output:
        featured="results/mlp/featured.csv",
        clean="results/mlp/featured/clean.npz",
        as_published="results/mlp/featured/as_published.npz",
        machine="results/mlp/machines/featured_units.json",
    params:
        network=focus_network(),
        featured=ANALYSIS["featured"],
        negligible_drop=ANALYSIS["negligible_drop"],
        evaluation=ANALYSIS["evaluation"],
    log:
        "logs/featured_units.log",
    resources:
        runtime=10,
        mem_mb=4000,
    script:
        "../scripts/featured_units.py"


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
        featured="results/mlp/featured.csv",
        clean="results/mlp/featured/clean.npz",
        as_published="results/mlp/featured/as_published.npz",
        correlations="results/mlp/statistics/correlations.csv",
        per_network="results/mlp/statistics/per_network_correlations.csv",
        selectivity="results/mlp/statistics/selectivity.csv",
        data="results/data/mnist.json",
        **({"imported_trained": IMPORTED["trained"]} if IMPORTED else {}),
        **(VGG_COMPARISON_INPUTS if VGG["enabled"] else {}),
    output:
        report(
            "results/mlp/paper_comparison.csv",
            caption="../../report/paper_comparison.rst",
            category="0 Paper comparison",
        ),
    params:
        settings={
            "focus": focus_network(),
            "imported": IMPORTED["name"] if IMPORTED else None,
            "evaluation": ANALYSIS["evaluation"],
            "negligible_drop": ANALYSIS["negligible_drop"],
            "resamples": ANALYSIS["bootstrap_resamples"],
            "seed": ANALYSIS["seed"],
        },
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
