from ablation import logs, steps

logs.setup(snakemake.log[0])
steps.embed(snakemake.input.data, snakemake.params.perplexity, snakemake.params.seed, snakemake.threads,
            snakemake.output[0])
