from ablation import logs, steps

logs.setup(snakemake.log[0])
p = snakemake.params
steps.analyse(snakemake.input.table, snakemake.input.outcomes, snakemake.input.networks, p.focus, p.resamples,
              p.alpha, p.seed, dict(snakemake.output.items()))
