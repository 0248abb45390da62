from ablation import logs, provenance, vgg_steps
from ablation.vgg_training import device_for

logs.setup(snakemake.log[0])
vgg_steps.ablate(snakemake.input.network, snakemake.input.images, threads=snakemake.threads,
                 out_table=snakemake.output.table, out_groups=snakemake.output.groups, **snakemake.params.settings)
provenance.write(provenance.machine(device_for(snakemake.params.settings["device"])), snakemake.output.machine)
