from ablation.core import logs
from ablation.models import table_steps

logs.setup(snakemake.log[0])
table_steps.model_statistics(table_path=snakemake.input.table, units_path=snakemake.input.units,
                             **snakemake.params.settings, out_comparison=snakemake.output.grouping_comparison,
                             out_drops=snakemake.output.drops, out_rankings=snakemake.output.rankings)
