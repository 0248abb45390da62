from ablation.compare import steps
from ablation.core import logs

logs.setup(snakemake.log[0])
steps.compare_tables(folders=snakemake.params.folders, tolerances=snakemake.params.tolerances,
                     out_table=snakemake.output.table, out_page=snakemake.output.page)
