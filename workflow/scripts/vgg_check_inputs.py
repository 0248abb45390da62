from ablation.core import logs
from ablation.vgg import steps

logs.setup(snakemake.log[0])
steps.vgg_check_inputs(weights=snakemake.input.weights[0] if snakemake.input.weights else None,
                       **snakemake.params.settings, out_check=snakemake.output.check)
