# One rule per figure, generated from ablation.figures.FIGURES: its inputs, caption and category.
RESULT_FILES = {
    "table": "results/mlp/ablations.csv",
    "featured": "results/mlp/featured.csv",
    "featured_run": f"results/mlp/featured/{ANALYSIS['evaluation']}.npz",
    "outcomes": "results/mlp/outcomes.npz",
    "tsne": "results/mlp/tsne.csv",
    "networks": "results/mlp/networks.pt",
    "history": "results/mlp/training_history.csv",
    **{name: f"results/mlp/statistics/{name}.csv" for name in STATISTICS},
}

for figure, spec in FIGURES.items():

    rule:
        name:
            f"figure_{figure}"
        localrule: True
        input:
            provenance="results/mlp/provenance.json",
            **{key: RESULT_FILES[key] for key in spec.inputs},
        output:
            report(
                f"results/mlp/figures/{figure}.png",
                caption=f"../../report/{figure}.rst",
                category=spec.category,
            ),
        params:
            figure=figure,
            network=focus_network(),
        log:
            f"logs/figures/{figure}.log",
        script:
            "../scripts/mlp_figure.py"


rule unit_figures:
    localrule: True
    input:
        provenance="results/mlp/provenance.json",
        outcomes=RESULT_FILES["outcomes"],
        tsne=RESULT_FILES["tsne"],
    output:
        [
            report(
                path,
                caption="../../report/extra_unit.rst",
                category="6 MNIST: beyond the paper",
                subcategory=f"every unit of {layer}",
                labels={"layer": layer, "unit": str(unit)},
            )
            for layer, unit, path in UNIT_FIGURES
        ],
    params:
        network=focus_network(),
        units=[(layer, str(unit)) for layer, unit, _ in UNIT_FIGURES],
    log:
        "logs/figures/units.log",
    script:
        "../scripts/mlp_unit_figures.py"
