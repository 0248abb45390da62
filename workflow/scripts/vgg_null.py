from ablation.core import logs
from ablation.vgg import steps

logs.setup(snakemake.log[0])
steps.vgg_null(network_path=snakemake.input.network, images_path=snakemake.input.images,
               table_path=snakemake.input.table, **snakemake.params.settings, threads=snakemake.threads,
               out_tests=snakemake.output.tests, out_draws=snakemake.output.draws)
