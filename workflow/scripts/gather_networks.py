from ablation import logs, steps

logs.setup(snakemake.log[0])
steps.gather_networks(snakemake.input.chunks, snakemake.params.imported, snakemake.output.networks,
                      snakemake.output.history)
