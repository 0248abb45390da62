from ablation.core import logs, provenance
from ablation.core.devices import device_for
from ablation.mnist import steps
from ablation.mnist.shapley import Settings

logs.setup(snakemake.log[0])
s = snakemake.params.settings
device = device_for(s["device"])
steps.mnist_shapley(data_path=snakemake.input.data, networks_path=snakemake.input.networks,
                    settings=Settings(**s["shapley"], device=device), threads=snakemake.threads,
                    resamples=s["resamples"], seed=s["seed"],
                    out={name: path for name, path in snakemake.output.items() if name != "machine"})
provenance.write(provenance.machine(device), snakemake.output.machine)
