from ablation.core import logs, provenance
from ablation.mnist import steps

logs.setup(snakemake.log[0])
steps.mnist_statistics(table_path=snakemake.input.table, outcomes_path=snakemake.input.outcomes,
                       networks_path=snakemake.input.networks, **snakemake.params.settings,
                       out={name: path for name, path in snakemake.output.items() if name != "machine"})
provenance.write(provenance.machine(), snakemake.output.machine)
