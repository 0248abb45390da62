# Every figure of both studies: one rule per id of ablation.mnist.registry and ablation.vgg.registry, named after
# the id, drawn by the function of the same name in the study's `figures` module, captioned by report/<id>.rst.
# What a study's drawing functions take beside the figure's inputs: the MNIST focus network; the VGG figures read
# the study's choices (results/vgg/choices.json) as an input.
FIGURE_SETTINGS = {"mnist": {"network": focus_network()}, "vgg": {}}
FIGURE_INPUTS = {"mnist": {}, "vgg": {"choices": RESULT_FILES["vgg"]["choices"]}}
# What a study's report entries say in their `study` column.
STUDY_LABELS = {"mnist": mnist_registry.STUDY, "vgg": vgg_registry.STUDY}
# What a study's captions print beside the figure: the settings its results were made with. A caption reads only its
# rule's params (`snakemake.params.caption.<key>`), never the config, so what it says is what the jobs were given.
CAPTION_VALUES = {
    "mnist": {
        "network": focus_network(),
        "evaluation_note": mnist_registry.EVALUATION_NOTES[ANALYSIS["evaluation"]],
        "featured": ANALYSIS["featured"],
        "negligible_drop": ANALYSIS["negligible_drop"],
        "bootstrap_resamples": ANALYSIS["bootstrap_resamples"],
        "alpha": ANALYSIS["alpha"],
        "tsne_map": ANALYSIS["tsne_map"],
        "authors_tsne": f"``{mnist_authors.TSNE_SOURCE[0]}`` at commit ``{mnist_authors.COMMIT[:7]}``: "
        + mnist_authors.TSNE_METHOD,
        "tsne_perplexity": ANALYSIS["tsne_perplexity"],
        "ranking_top": ANALYSIS["ranking_top"],
    },
    "vgg": {
        "semantics": SEMANTICS[0],
        "class_layers": CONFIGURED_CHOICES.configured().get("class_layers", (None,))[0],
        "alpha": VGG["statistics"]["alpha"],
        "metric": vgg_metric.LABELS[VGG_METRIC],
        "metric_reason": vgg_metric.reason(VGG["statistics"]["metric"], vgg_metric.MODEL_CLASSES[VGG["model"]]),
        "figure_ratios": " and ".join(vgg_registry.percent(r) for r in vgg_registry.paper_ratios(ABLATION["ratios"])),
        "largest_ratio": vgg_registry.percent(max(ABLATION["ratios"])),
        "crossing_classes": vgg_registry.CROSSING_CLASSES,
        "extremes": vgg_registry.EXTREMES,
        "extremes_panel_above": 2 * vgg_registry.EXTREMES,  # classes: fewer are all named in the one panel
        "ratio": vgg_registry.percent(RECOVERY["ratio"]),
        "ratio_value": RECOVERY["ratio"],
        "passes": RECOVERY["experiment1"]["passes"],
        "epochs": RECOVERY["experiment1"]["epochs"],
        **{key: RECOVERY["experiment2"][key] for key in ("iterations", "min_epochs", "max_epochs", "window")},
        "min_improvement": RECOVERY["experiment2"]["min_improvement"],
        # The mean share after all iterations: each draws `ratio` of all filters, already ablated ones included.
        "final_share": vgg_registry.percent(
            round(1 - (1 - RECOVERY["ratio"]) ** RECOVERY["experiment2"]["iterations"], 2)
        ),
        "null_alternative": {
            "greater": "one-sided: more harmful than random",
            "less": "one-sided: less harmful than random",
            "two-sided": "two-sided: twice the smaller one-sided p-value",
        }[ABLATION["null_groups"]["alternative"]],
        "null_enough": ABLATION["null_groups"]["stop_after_exceedances"],
        "null_max": ABLATION["null_groups"]["max_random_groups"],
        "ranking_top": VGG["statistics"]["ranking_top"],
        "bootstrap_resamples": VGG["statistics"]["bootstrap_resamples"],
        "shapley_groups": VGG_SHAPLEY["groups"],
        "shapley_orders": (
            f"{VGG_SHAPLEY['permutations']}, ``vgg.shapley.permutations``"
            if VGG_SHAPLEY["target_standard_error"] is None
            else f"at most {VGG_SHAPLEY['permutations']}, stopping once every standard error is at most "
            f"{VGG_SHAPLEY['target_standard_error']:g} %p, ``vgg.shapley.target_standard_error``"
        ),
    },
}

for figure, (study, spec) in FIGURES.items():

    rule:
        name:
            figure
        input:
            **{key: RESULT_FILES[study][key] for key in spec.inputs},
            **FIGURE_INPUTS[study],
            **provenance_inputs(study, spec.inputs),
        output:
            report(
                f"results/{study}/figures/{figure}.png",
                caption=f"../../report/{figure}.rst",
                category=spec.category,
                labels=spec.labels(STUDY_LABELS[study], f"{figure}.png"),
            ),
        log:
            f"logs/{study}/figures/{figure}.log",
        benchmark:
            f"logs/benchmark/{figure}.tsv"
        localrule: True
        params:
            study=study,
            figure=figure,
            settings=FIGURE_SETTINGS[study],
            caption=CAPTION_VALUES[study],
        script:
            "../scripts/figure.py"


# The figures of every model (config `models`): one rule per id of ablation.models.registry, `{model}` its name.
for figure, spec in model_registry.FIGURES.items():

    rule:
        name:
            figure
        input:
            **{key: MODEL_FILES[key] for key in spec.inputs},
            provenance="results/models/{model}/provenance.json",
        output:
            report(
                f"results/models/{{model}}/figures/{figure}.png",
                caption=f"../../report/{figure}.rst",
                category=spec.category,
                labels=lambda wildcards, spec=spec, figure=figure: spec.labels(wildcards.model, f"{figure}.png"),
            ),
        log:
            f"logs/models/{{model}}/figures/{figure}.log",
        benchmark:
            f"logs/benchmark/{figure}/{{model}}.tsv"
        localrule: True
        params:
            study="models",
            figure=figure,
            settings={"metric": VGG_METRIC},
            caption=model_caption,
        script:
            "../scripts/figure.py"


rule mnist_unit_figures:
    input:
        **provenance_inputs("mnist", ("outcomes", "tsne")),
        outcomes=RESULT_FILES["mnist"]["outcomes"],
        tsne=RESULT_FILES["mnist"]["tsne"],
    output:
        [
            report(
                path,
                caption="../../report/extra_unit.rst",
                category=mnist_registry.UNITS,
                subcategory=f"every unit of {layer}",
                labels={"layer": layer, "unit": figure_spec.sortable(str(unit)), "study": mnist_registry.STUDY},
            )
            for layer, unit, path in UNIT_FIGURES
        ],
    log:
        "logs/mnist/figures/units.log",
    benchmark:
        "logs/benchmark/mnist_unit_figures.tsv"
    localrule: True
    params:
        settings=FIGURE_SETTINGS["mnist"],
        units=[(layer, str(unit)) for layer, unit, _ in UNIT_FIGURES],
        caption=CAPTION_VALUES["mnist"],
    script:
        "../scripts/mnist_unit_figures.py"
