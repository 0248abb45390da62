# Every figure of both studies: one rule per id of ablation.mnist.registry and ablation.vgg.registry, named after
# the id, drawn by the function of the same name in the study's `figures` module, captioned by report/<id>.rst.
# What a study's drawing functions take beside their inputs:
FIGURE_OPTIONS = {"mnist": {"network": focus_network()}, "vgg": {"class_layers": CLASS_LAYERS}}

for figure, (study, spec) in FIGURES.items():

    rule:
        name:
            figure
        input:
            **{key: RESULT_FILES[study][key] for key in spec.inputs},
            provenance=f"results/{study}/provenance.json",
        output:
            report(
                f"results/{study}/figures/{figure}.png",
                caption=f"../../report/{figure}.rst",
                category=spec.category,
            ),
        log:
            f"logs/{study}/figures/{figure}.log",
        localrule: True
        params:
            study=study,
            figure=figure,
            options=FIGURE_OPTIONS[study],
            # For the captions.
            network=focus_network(),
            evaluation_note=mnist_registry.EVALUATION_NOTES[ANALYSIS["evaluation"]],
        script:
            "../scripts/figure.py"


rule mnist_unit_figures:
    input:
        provenance="results/mnist/provenance.json",
        outcomes=RESULT_FILES["mnist"]["outcomes"],
        tsne=RESULT_FILES["mnist"]["tsne"],
    output:
        [
            report(
                path,
                caption="../../report/extra_unit.rst",
                category=mnist_registry.FIGURES["extra_drop_heatmap"].category,
                subcategory=f"every unit of {layer}",
                labels={"layer": layer, "unit": str(unit)},
            )
            for layer, unit, path in UNIT_FIGURES
        ],
    log:
        "logs/mnist/figures/units.log",
    localrule: True
    params:
        network=focus_network(),
        units=[(layer, str(unit)) for layer, unit, _ in UNIT_FIGURES],
        evaluation_note=mnist_registry.EVALUATION_NOTES[ANALYSIS["evaluation"]],
    script:
        "../scripts/mnist_unit_figures.py"
