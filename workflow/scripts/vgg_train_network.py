from ablation import logs, provenance, vgg_steps
from ablation.vgg_training import TrainingSettings, device_for

logs.setup(snakemake.log[0])
vgg_steps.train_network(snakemake.input.data, snakemake.params.width_divisor, snakemake.params.max_train,
                        snakemake.params.max_test, TrainingSettings(**snakemake.params.settings), snakemake.params.device,
                        snakemake.threads, snakemake.output.network, snakemake.output.history)
provenance.write(provenance.machine(device_for(snakemake.params.device)), snakemake.output.machine)
