from ablation.core import logs
from ablation.report import run_times

logs.setup(snakemake.log[0])
run_times.write(snakemake.output.jobs, snakemake.output.path)
run_times.page(snakemake.output.jobs, snakemake.output.path, snakemake.output.page)
