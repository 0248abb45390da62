from ablation.core import logs
from ablation.vgg import table_steps

logs.setup(snakemake.log[0])
out = snakemake.output
table_steps.vgg_statistics(table_path=snakemake.input.table, **snakemake.params.settings,
                           out_comparison=out.grouping_comparison, out_selectivity=out.class_selectivity,
                           out_changes=out.class_changes, out_drops=out.drops, out_rankings=out.rankings)
