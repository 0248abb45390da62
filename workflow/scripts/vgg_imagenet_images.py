from ablation import logs, vgg_steps

logs.setup(snakemake.log[0])
vgg_steps.imagenet_test_images(snakemake.params.folder, snakemake.params.resize, snakemake.params.crop,
                               snakemake.params.max_per_class, snakemake.threads, snakemake.output.images,
                               snakemake.output.classes, snakemake.output.record)
