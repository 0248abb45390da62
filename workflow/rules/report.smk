# What the report shows beside the figures: each study's provenance, the paper comparison and the run summary.
rule mnist_provenance:
    input:
        data="results/mnist/data.json",
        machines=MNIST_MACHINES,
    output:
        "results/mnist/provenance.json",
    log:
        "logs/mnist/provenance.log",
    localrule: True
    params:
        config=config,
    script:
        "../scripts/mnist_provenance.py"


rule vgg_provenance:
    input:
        network="results/vgg/network.pt",
        images="results/vgg/test_images.pt",
        machines=vgg_machines,
    output:
        "results/vgg/provenance.json",
    log:
        "logs/vgg/provenance.log",
    localrule: True
    params:
        settings=VGG,
    script:
        "../scripts/vgg_provenance.py"


rule paper_comparison:
    input:
        **({"imported_trained": IMPORTED["trained"]} if IMPORTED else {}),
        **(VGG_COMPARISON_INPUTS if VGG["enabled"] else {}),
        featured="results/mnist/featured.csv",
        clean="results/mnist/featured/clean.npz",
        as_published="results/mnist/featured/as_published.npz",
        correlations="results/mnist/statistics/correlations.csv",
        per_network="results/mnist/statistics/per_network_correlations.csv",
        selectivity="results/mnist/statistics/selectivity.csv",
        data="results/mnist/data.json",
    output:
        report(
            "results/paper_comparison.csv",
            caption="../../report/paper_comparison.rst",
            category="0 Paper comparison",
        ),
    log:
        "logs/paper_comparison.log",
    localrule: True
    params:
        settings={
            "focus": focus_network(),
            "imported": IMPORTED["name"] if IMPORTED else None,
            "evaluation": ANALYSIS["evaluation"],
            "negligible_drop": ANALYSIS["negligible_drop"],
            "resamples": ANALYSIS["bootstrap_resamples"],
            "seed": ANALYSIS["seed"],
        },
        caption={"evaluation": ANALYSIS["evaluation"]},
    script:
        "../scripts/paper_comparison.py"


rule run_summary:
    input:
        **({"vgg": "results/vgg/provenance.json"} if VGG["enabled"] else {}),
        mnist="results/mnist/provenance.json",
    output:
        report(
            "results/run_summary.csv",
            caption="../../report/run_summary.rst",
            category="0 Run summary",
        ),
    log:
        "logs/run_summary.log",
    localrule: True
    params:
        evaluation_note=mnist_registry.EVALUATION_NOTES[ANALYSIS["evaluation"]],
    script:
        "../scripts/run_summary.py"
