from ablation.compare import steps
from ablation.core import logs

logs.setup(snakemake.log[0])
steps.compare_figures(folders=snakemake.params.folders, out_table=snakemake.output.table,
                      out_folder=snakemake.output.pages)
