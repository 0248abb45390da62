from ablation.core import logs, provenance
from ablation.mnist import steps

logs.setup(snakemake.log[0])
steps.mnist_ablation(data_path=snakemake.input.data, networks_path=snakemake.input.networks,
                     **snakemake.params.settings, threads=snakemake.threads, out_table=snakemake.output.table,
                     out_outcomes=snakemake.output.outcomes)
provenance.write(provenance.machine(), snakemake.output.machine)
