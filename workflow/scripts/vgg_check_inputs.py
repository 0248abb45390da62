from ablation.core import logs
from ablation.vgg import steps

logs.setup(snakemake.log[0])
steps.vgg_check_inputs(weights=snakemake.input.weights[0] if snakemake.input.weights else None,
                   val=snakemake.params.val, devkit=snakemake.params.devkit, train=snakemake.params.train,
                   out_check=snakemake.output.check)
