from ablation import logs, vgg_steps

logs.setup(snakemake.log[0])
vgg_steps.fetch_network(snakemake.params.weights, snakemake.output.network, snakemake.output.history)
