# What the report shows beside the figures: each study's provenance, the paper comparison and the run summary, each
# of the last two as a page (HTML) with its CSV beside it, about the studies run.
STUDIES_RUN = ", ".join(STUDY_LABELS[study] for study in ("mnist", "vgg") if study == "mnist" or VGG["enabled"])
COMPARED = "Figs. 1-22, A.1-A.4" if VGG["enabled"] else "Figs. 1-13, A.1-A.4"


rule mnist_provenance:
    input:
        data="results/mnist/data.json",
        machines=MNIST_MACHINES,
    output:
        "results/mnist/provenance.json",
    log:
        "logs/mnist/provenance.log",
    benchmark:
        "logs/benchmark/mnist_provenance.tsv"
    localrule: True
    params:
        settings=SETTINGS["mnist_provenance"],
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
    benchmark:
        "logs/benchmark/vgg_provenance.tsv"
    localrule: True
    params:
        settings=SETTINGS["vgg_provenance"],
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
        pair_tests="results/mnist/statistics/pair_tests.csv",
        semantics_rankings="results/mnist/semantics/rankings.csv",
        data="results/mnist/data.json",
        tsne="results/mnist/tsne.csv",
    output:
        report(
            "results/paper_comparison.csv",
            caption="../../report/paper_comparison.rst",
            category=figure_spec.COMPARISON,
            labels=figure_spec.labels(COMPARED, "Paper comparison, as CSV", STUDIES_RUN, "paper_comparison.csv"),
        ),
    log:
        "logs/paper_comparison.log",
    benchmark:
        "logs/benchmark/paper_comparison.tsv"
    priority: ANALYSIS_PRIORITY
    localrule: True
    params:
        settings=SETTINGS["paper_comparison"],
        caption={"evaluation": ANALYSIS["evaluation"]},
    script:
        "../scripts/paper_comparison.py"


rule paper_comparison_table:
    input:
        "results/paper_comparison.csv",
    output:
        report(
            "results/paper_comparison.html",
            caption="../../report/paper_comparison.rst",
            category=figure_spec.COMPARISON,
            labels=figure_spec.labels(COMPARED, "Paper comparison", STUDIES_RUN, "paper_comparison.html"),
        ),
    log:
        "logs/paper_comparison_table.log",
    benchmark:
        "logs/benchmark/paper_comparison_table.tsv"
    localrule: True
    params:
        caption={"evaluation": ANALYSIS["evaluation"]},
    script:
        "../scripts/paper_comparison_table.py"


rule run_summary:
    input:
        **({"vgg": "results/vgg/provenance.json"} if VGG["enabled"] else {}),
        mnist="results/mnist/provenance.json",
    output:
        report(
            "results/run_summary.csv",
            caption="../../report/run_summary.rst",
            category=figure_spec.SUMMARY,
            labels=figure_spec.labels(None, "Run summary, as CSV", STUDIES_RUN, "run_summary.csv"),
        ),
    log:
        "logs/run_summary.log",
    benchmark:
        "logs/benchmark/run_summary.tsv"
    localrule: True
    params:
        settings=SETTINGS["run_summary"],
    script:
        "../scripts/run_summary.py"


rule run_summary_table:
    input:
        "results/run_summary.csv",
    output:
        report(
            "results/run_summary.html",
            caption="../../report/run_summary.rst",
            category=figure_spec.SUMMARY,
            labels=figure_spec.labels(None, "Run summary", STUDIES_RUN, "run_summary.html"),
        ),
    log:
        "logs/run_summary_table.log",
    benchmark:
        "logs/benchmark/run_summary_table.tsv"
    localrule: True
    script:
        "../scripts/run_summary_table.py"


rule report_home:
    input:
        **({"vgg": "results/vgg/provenance.json"} if VGG["enabled"] else {}),
        mnist="results/mnist/provenance.json",
        comparison="results/paper_comparison.csv",
    output:
        "results/report_home.rst",
    log:
        "logs/report_home.log",
    benchmark:
        "logs/benchmark/report_home.tsv"
    localrule: True
    script:
        "../scripts/report_home.py"


# Where the run spent its time and memory: every job's benchmark file, per rule, and the critical path. It waits for
# every other output, so that each job it lists has finished.
rule run_times:
    input:
        final_outputs(),
    output:
        jobs=report(
            "results/run_times.csv",
            caption="../../report/run_times.rst",
            category=figure_spec.SUMMARY,
            subcategory=figure_spec.RUN_TIMES,
            labels=figure_spec.labels(None, "Time and memory per job, as CSV", STUDIES_RUN, "run_times.csv"),
        ),
        path="results/critical_path.csv",
        page=report(
            "results/run_times.html",
            caption="../../report/run_times.rst",
            category=figure_spec.SUMMARY,
            subcategory=figure_spec.RUN_TIMES,
            labels=figure_spec.labels(None, "Time and memory per rule", STUDIES_RUN, "run_times.html"),
        ),
    log:
        "logs/run_times.log",
    localrule: True
    script:
        "../scripts/run_times.py"
