from ablation.core import logs, provenance

logs.setup(snakemake.log[0])
studies = [study for study in ("mnist", "vgg") if study in snakemake.input.keys()]
provenance.summary({study: provenance.read(snakemake.input[study]) for study in studies},
                   snakemake.params.evaluation_note, snakemake.output[0])
