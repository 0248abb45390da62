from ablation.core import logs
from ablation.vgg import steps

logs.setup(snakemake.log[0])
p = snakemake.params
steps.vgg_test_images(model=p.model, data_path=snakemake.input.get("data"), max_test=p.max_test,
                  imagenet_settings=p.imagenet, threads=snakemake.threads, out_images=snakemake.output.images,
                  out_classes=snakemake.output.classes, out_record=snakemake.output.record)
