from ablation import logs, provenance, steps

logs.setup(snakemake.log[0])
steps.embed(snakemake.input.data, snakemake.params.perplexity, snakemake.params.seed, snakemake.threads,
            snakemake.output.tsne)
provenance.write(provenance.machine(), snakemake.output.machine)
