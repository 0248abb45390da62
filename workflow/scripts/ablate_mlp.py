from ablation import logs, provenance, steps

logs.setup(snakemake.log[0])
steps.ablate(snakemake.input.data, snakemake.input.networks, snakemake.params.evaluation, snakemake.threads,
             snakemake.output.table, snakemake.output.outcomes)
provenance.write(provenance.machine(), snakemake.output.machine)
