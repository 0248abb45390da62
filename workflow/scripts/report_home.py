from ablation.core import logs
from ablation.report import home

logs.setup(snakemake.log[0])
studies = [study for study in ("mnist", "vgg") if study in snakemake.input.keys()]
home.write(snakemake.input.comparison, {study: snakemake.input[study] for study in studies}, snakemake.output[0])
