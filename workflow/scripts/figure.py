import importlib

from ablation.core import logs, provenance

logs.setup(snakemake.log[0])
inputs = dict(snakemake.input.items())
metadata = provenance.figure_metadata(inputs, snakemake.config)
figures = importlib.import_module(f"ablation.{snakemake.params.study}.figures")
figures.make(snakemake.params.figure, inputs=inputs, output=snakemake.output[0], metadata=metadata,
             **snakemake.params.settings)
