from ablation.core import logs, provenance
from ablation.core.devices import device_for
from ablation.models import steps
from ablation.vgg.recovery import RecoverySettings

logs.setup(snakemake.log[0])
s = snakemake.params.settings
settings = RecoverySettings.from_config(s["recovery"], int(snakemake.wildcards.experiment), s["semantics"], s["metric"])
steps.model_recovery(network_path=snakemake.input.network, images_path=snakemake.input.images,
                     table_path=snakemake.input.table, units_path=snakemake.input.units,
                     train_source=s["train_source"], settings=settings, device=s["device"], threads=snakemake.threads,
                     workers=s["workers"], checkpoint_path=snakemake.params.checkpoint,
                     out_table=snakemake.output.table)
provenance.write(provenance.machine(device_for(s["device"])), snakemake.output.machine)
