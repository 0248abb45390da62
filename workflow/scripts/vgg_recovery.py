from ablation import logs, provenance, vgg_steps
from ablation.recovery import RecoverySettings
from ablation.vgg_training import device_for

logs.setup(snakemake.log[0])
vgg_steps.recover(snakemake.input.network, snakemake.input.images, snakemake.input.get("table"),
                  snakemake.params.layers, snakemake.params.train_source, RecoverySettings(**snakemake.params.settings),
                  snakemake.params.device, snakemake.threads, snakemake.params.workers, snakemake.params.checkpoint,
                  snakemake.output.table)
provenance.write(provenance.machine(device_for(snakemake.params.device)), snakemake.output.machine)
