from ablation import logs, provenance, steps
from ablation.training import TrainingSettings

logs.setup(snakemake.log[0])
steps.train_networks(snakemake.input.data, snakemake.params.indices, snakemake.params.seed,
                     TrainingSettings(**snakemake.params.settings, data_seed=snakemake.params.seed),
                     snakemake.threads, snakemake.output.networks)
provenance.write(provenance.machine(), snakemake.output.machine)
