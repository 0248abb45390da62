from ablation.core import logs
from ablation.vgg import steps

logs.setup(snakemake.log[0])
steps.merge_parts(parts=list(snakemake.input), out_table=snakemake.output[0])
