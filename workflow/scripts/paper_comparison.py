from ablation import logs, steps

logs.setup(snakemake.log[0])
i = snakemake.input
steps.paper_comparison(i.table, i.featured, {"clean": i.clean, "as_published": i.as_published},
                       {"correlations": i.correlations, "per_network_correlations": i.per_network,
                        "selectivity": i.selectivity},
                       i.get("imported_trained"), snakemake.params.settings, i.data, snakemake.output[0])
