from ablation import logs, provenance, steps

logs.setup(snakemake.log[0])
steps.paper_comparison(snakemake.input.table, snakemake.input.correlations,
                       provenance.read(snakemake.input.data)["data"], snakemake.output[0])
