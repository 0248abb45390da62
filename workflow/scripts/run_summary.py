from ablation.core import logs, provenance

logs.setup(snakemake.log[0])
provenance.summary({study: provenance.read(path) for study, path in snakemake.input.items()},
                   snakemake.params.evaluation_note, snakemake.output[0])
