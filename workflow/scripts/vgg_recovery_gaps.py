from ablation.core import logs
from ablation.vgg import table_steps

logs.setup(snakemake.log[0])
table_steps.vgg_recovery_gaps(experiment_paths=list(snakemake.input), out_path=snakemake.output[0])
