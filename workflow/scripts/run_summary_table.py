from ablation.core import logs
from ablation.report import steps

logs.setup(snakemake.log[0])
steps.run_summary_table(table_path=snakemake.input[0], out_path=snakemake.output[0])
