from ablation.core import logs
from ablation.vgg import table_steps

logs.setup(snakemake.log[0])
table_steps.vgg_recovery_table(parts=list(snakemake.input), out_table=snakemake.output[0])
