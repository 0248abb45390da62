from ablation import logs, steps

logs.setup(snakemake.log[0])
i = snakemake.input
vgg = {key: i[key] for key in ("vgg_table", "class_changes", "vgg_data", "recovery1", "recovery2") if key in i.keys()}
steps.paper_comparison(i.table, i.featured, {"clean": i.clean, "as_published": i.as_published},
                       {"correlations": i.correlations, "per_network_correlations": i.per_network,
                        "selectivity": i.selectivity},
                       i.get("imported_trained"), snakemake.params.settings, i.data,
                       {key.removeprefix("vgg_"): path for key, path in vgg.items()} or None, snakemake.output[0])
