from ablation.core import logs, provenance
from ablation.mnist import steps
from ablation.mnist.training import TrainingSettings

logs.setup(snakemake.log[0])
s = snakemake.params.settings
steps.mnist_train(data_path=snakemake.input.data, indices=snakemake.params.indices, seed=s["seed"],
                  settings=TrainingSettings(**s["training"]), threads=snakemake.threads,
                  out_path=snakemake.output.networks)
provenance.write(provenance.machine(), snakemake.output.machine)
