from ablation import logs, vgg_figures

logs.setup(snakemake.log[0])
inputs = dict(snakemake.input.items())
metadata = open(inputs.pop("provenance")).read()
vgg_figures.make(snakemake.params.figure, inputs, snakemake.params.class_layers, snakemake.output[0], metadata)
