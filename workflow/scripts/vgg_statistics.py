from ablation import logs, vgg_steps

logs.setup(snakemake.log[0])
vgg_steps.statistics(snakemake.input.table, snakemake.output.grouping_comparison, snakemake.output.class_selectivity)
