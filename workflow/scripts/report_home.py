from ablation.core import logs
from ablation.report import steps

logs.setup(snakemake.log[0])
studies = {study: snakemake.input[study] for study in ("mnist", "vgg") if study in snakemake.input.keys()}
steps.report_home(comparison_path=snakemake.input.comparison, studies=studies, out_path=snakemake.output[0])
