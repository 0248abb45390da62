from ablation.core import logs, provenance

logs.setup(snakemake.log[0])
provenance.summary_table(snakemake.input[0], snakemake.output[0])
