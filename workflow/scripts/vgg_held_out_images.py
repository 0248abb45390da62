from ablation.core import logs
from ablation.vgg import steps

logs.setup(snakemake.log[0])
steps.vgg_held_out_images(data_path=snakemake.input.get("data"), **snakemake.params.settings,
                          threads=snakemake.threads, out_images=snakemake.output.images)
