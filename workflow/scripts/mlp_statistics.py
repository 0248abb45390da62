from ablation import logs, provenance, steps

logs.setup(snakemake.log[0])
p = snakemake.params
steps.analyse(snakemake.input.table, snakemake.input.outcomes, snakemake.input.networks, p.focus, p.resamples,
              p.alpha, p.seed, {name: path for name, path in snakemake.output.items() if name != "machine"})
provenance.write(provenance.machine(), snakemake.output.machine)
