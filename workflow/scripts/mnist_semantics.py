from ablation.core import logs, provenance
from ablation.mnist import steps

logs.setup(snakemake.log[0])
steps.mnist_semantics(data_path=snakemake.input.data, networks_path=snakemake.input.networks,
                      featured_path=snakemake.input.featured, zeroed_path=snakemake.input.zeroed,
                      **snakemake.params.settings, threads=snakemake.threads,
                      out_table=snakemake.output.table, out_rankings=snakemake.output.rankings)
provenance.write(provenance.machine(), snakemake.output.machine)
