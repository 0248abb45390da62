from ablation.core import logs
from ablation.vgg import steps

logs.setup(snakemake.log[0])
steps.vgg_provenance(network_path=snakemake.input.network, images_path=snakemake.input.images,
                     **snakemake.params.settings, machine_paths=list(snakemake.input.machines),
                     out_path=snakemake.output[0])
