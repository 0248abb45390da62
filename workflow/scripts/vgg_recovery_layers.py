from ablation.core import logs
from ablation.vgg import steps

logs.setup(snakemake.log[0])
steps.vgg_recovery_layers(layers=snakemake.params.layers, table_path=snakemake.input.get("table"),
                      metric=snakemake.params.metric,
                      out_layers=snakemake.output[0])
