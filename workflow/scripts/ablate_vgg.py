from ablation import logs, vgg_steps

logs.setup(snakemake.log[0])
vgg_steps.ablate(snakemake.input.network, snakemake.input.images, threads=snakemake.threads,
                 out_table=snakemake.output.table, out_groups=snakemake.output.groups, **snakemake.params.settings)
