from ablation import logs, provenance, steps

logs.setup(snakemake.log[0])
p = snakemake.params
steps.feature(snakemake.input.data, snakemake.input.networks, snakemake.input.table, snakemake.input.outcomes,
              p.network, p.featured, p.negligible_drop, p.evaluation, snakemake.output.featured,
              {evaluation: snakemake.output[evaluation] for evaluation in ("clean", "as_published")})
provenance.write(provenance.machine(), snakemake.output.machine)
