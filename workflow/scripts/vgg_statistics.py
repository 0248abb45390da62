from ablation import logs, vgg_steps

logs.setup(snakemake.log[0])
vgg_steps.statistics(snakemake.input.table, snakemake.params.alpha, snakemake.output.grouping_comparison,
                     snakemake.output.class_selectivity, snakemake.output.class_changes)
