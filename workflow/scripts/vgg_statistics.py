from ablation.core import logs
from ablation.vgg import steps

logs.setup(snakemake.log[0])
steps.vgg_statistics(table_path=snakemake.input.table, **snakemake.params.settings,
                     out_comparison=snakemake.output.grouping_comparison,
                     out_selectivity=snakemake.output.class_selectivity, out_changes=snakemake.output.class_changes,
                     out_drops=snakemake.output.drops, out_rankings=snakemake.output.rankings)
