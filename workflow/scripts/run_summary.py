from ablation.core import logs
from ablation.report import steps

logs.setup(snakemake.log[0])
studies = {study: snakemake.input[study] for study in ("mnist", "vgg") if study in snakemake.input.keys()}
steps.run_summary(studies=studies, **snakemake.params.settings, out_path=snakemake.output[0])
