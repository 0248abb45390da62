from ablation.core import logs
from ablation.models import steps

logs.setup(snakemake.log[0])
steps.model_provenance(network_path=snakemake.input.network, images_path=snakemake.input.images,
                       settings=snakemake.params.settings, machine_paths=list(snakemake.input.machines),
                       out_path=snakemake.output[0])
