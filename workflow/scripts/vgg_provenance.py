from ablation import logs, vgg_steps

logs.setup(snakemake.log[0])
vgg_steps.provenance_record(snakemake.input.network, snakemake.input.images, snakemake.params.settings,
                            snakemake.input.machines, snakemake.output[0])
