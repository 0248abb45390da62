import os

# Before NumPy is imported (it reads this once): no transparent huge pages for this job's arrays of 90 MB, filled once
# and freed for every network; Linux compacting memory for each made the job 1.5x slower (README, "Time"). A user's
# own setting wins.
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")

from ablation.core import logs, provenance  # noqa: E402
from ablation.core.devices import device_for  # noqa: E402
from ablation.mnist import steps  # noqa: E402
from ablation.mnist.shapley import Settings  # noqa: E402

logs.setup(snakemake.log[0])
s = snakemake.params.settings
device = device_for(s["device"])
steps.mnist_shapley(data_path=snakemake.input.data, networks_path=snakemake.input.networks,
                    settings=Settings(**s["shapley"], device=device), threads=snakemake.threads,
                    resamples=s["resamples"], seed=s["seed"],
                    out={name: path for name, path in snakemake.output.items() if name != "machine"})
provenance.write(provenance.machine(device), snakemake.output.machine)
