from ablation.core import logs
from ablation.report import steps

logs.setup(snakemake.log[0])
i = snakemake.input
vgg = {key: i[key] for key in ("vgg_table", "class_changes", "vgg_data", "vgg_choices", "recovery1", "recovery2",
                               "recovery_gaps", "null", "vgg_semantics_rankings") if key in i.keys()}
steps.paper_comparison(
    featured_path=i.featured, runs={"clean": i.clean, "as_published": i.as_published},
    statistics_paths={"correlations": i.correlations, "per_network_correlations": i.per_network,
                      "selectivity": i.selectivity, "pair_tests": i.pair_tests,
                      "semantics": i.semantics_rankings},
    imported_trained=i.get("imported_trained"), **snakemake.params.settings, data_path=i.data, tsne_path=i.tsne,
    vgg={key.removeprefix("vgg_"): path for key, path in vgg.items()} or None, out_path=snakemake.output[0])
