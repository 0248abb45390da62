from ablation import figures, logs

logs.setup(snakemake.log[0])
inputs = dict(snakemake.input.items())
metadata = open(inputs.pop("provenance")).read()
figures.make_units(inputs, snakemake.params.network, snakemake.params.units, list(snakemake.output), metadata)
