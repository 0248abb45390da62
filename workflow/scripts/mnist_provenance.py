from ablation.core import logs, provenance

logs.setup(snakemake.log[0])
provenance.write(provenance.record(provenance.read(snakemake.input.data)["data"], snakemake.params.settings["config"],
                                   provenance.gather(snakemake.input.machines)), snakemake.output[0])
