from ablation.core import logs
from ablation.mnist import steps

logs.setup(snakemake.log[0])
steps.mnist_data(**snakemake.params.settings, out_data=snakemake.output.data, out_provenance=snakemake.output.record)
