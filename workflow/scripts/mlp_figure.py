from ablation import figures, logs

logs.setup(snakemake.log[0])
inputs = dict(snakemake.input.items())
metadata = open(inputs.pop("provenance")).read()
figures.make(snakemake.params.figure, inputs, snakemake.params.network, snakemake.output[0], metadata)
