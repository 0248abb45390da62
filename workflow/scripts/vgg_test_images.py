from ablation.core import logs
from ablation.vgg import steps

logs.setup(snakemake.log[0])
steps.vgg_test_images(**snakemake.params.settings, data_path=snakemake.input.get("data"), threads=snakemake.threads,
                      out_images=snakemake.output.images, out_classes=snakemake.output.classes,
                      out_record=snakemake.output.record)
