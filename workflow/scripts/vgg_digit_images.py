from ablation import logs, vgg_steps

logs.setup(snakemake.log[0])
vgg_steps.digit_test_images(snakemake.input.data, snakemake.params.max_test, snakemake.output.images,
                            snakemake.output.classes, snakemake.output.record)
