from ablation.core import logs
from ablation.mnist import steps

logs.setup(snakemake.log[0])
steps.mnist_check_import(trained=snakemake.input.trained, initial=snakemake.input.initial,
                         out_check=snakemake.output.check)
