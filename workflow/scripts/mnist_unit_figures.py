from ablation.core import logs, provenance
from ablation.mnist import figures

logs.setup(snakemake.log[0])
inputs = dict(snakemake.input.items())
metadata = provenance.figure_metadata(inputs, snakemake.config)
figures.make_units(inputs=inputs, **snakemake.params.settings, units=snakemake.params.units,
                   outputs=list(snakemake.output), metadata=metadata)
