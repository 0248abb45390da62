from ablation.core import logs
from ablation.mnist import steps

logs.setup(snakemake.log[0])
i, name = snakemake.input, snakemake.params.settings["imported_name"]
imported = {"name": name, "trained": i.imported_trained, "initial": i.imported_initial} if name else None
steps.mnist_networks(chunk_paths=list(i.chunks), imported=imported, out_networks=snakemake.output.networks,
                     out_history=snakemake.output.history)
