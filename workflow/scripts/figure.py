import importlib

from ablation.core import logs

logs.setup(snakemake.log[0])
inputs = dict(snakemake.input.items())
metadata = open(inputs.pop("provenance")).read()
figures = importlib.import_module(f"ablation.{snakemake.params.study}.figures")
figures.make(snakemake.params.figure, inputs=inputs, output=snakemake.output[0], metadata=metadata,
             **snakemake.params.settings)
