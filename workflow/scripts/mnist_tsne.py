from ablation.core import logs, provenance
from ablation.mnist import steps

logs.setup(snakemake.log[0])
steps.mnist_tsne(data_path=snakemake.input.data, **snakemake.params.settings, threads=snakemake.threads,
                 out_path=snakemake.output.tsne)
provenance.write(provenance.machine(), snakemake.output.machine)
