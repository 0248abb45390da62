from ablation.core import logs
from ablation.mnist import steps

logs.setup(snakemake.log[0])
i = snakemake.input
imported = {"name": snakemake.params.name, "trained": i.imported_trained, "initial": i.imported_initial} \
    if snakemake.params.name else None
steps.mnist_networks(chunk_paths=list(i.chunks), imported=imported, out_networks=snakemake.output.networks,
                      out_history=snakemake.output.history)
