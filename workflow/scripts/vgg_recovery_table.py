from ablation.core import logs
from ablation.vgg import steps

logs.setup(snakemake.log[0])
steps.vgg_recovery_table(parts=list(snakemake.input), out_table=snakemake.output[0])
