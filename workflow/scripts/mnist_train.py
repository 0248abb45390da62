from ablation.core import logs, provenance
from ablation.mnist import steps
from ablation.mnist.training import TrainingSettings

logs.setup(snakemake.log[0])
t = snakemake.params.training
settings = TrainingSettings(epochs=t["epochs"], batch_size=t["batch_size"], learning_rate=t["learning_rate"],
                            momentum=t["momentum"], data_seed=t["seed"])
steps.mnist_train(data_path=snakemake.input.data, indices=snakemake.params.indices, seed=t["seed"],
                     settings=settings, threads=snakemake.threads, out_path=snakemake.output.networks)
provenance.write(provenance.machine(), snakemake.output.machine)
