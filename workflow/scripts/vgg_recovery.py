from ablation.core import logs, provenance
from ablation.core.devices import device_for
from ablation.vgg import steps
from ablation.vgg.choices import Choices
from ablation.vgg.recovery import RecoverySettings

logs.setup(snakemake.log[0])
s, w, chosen = snakemake.params.settings, snakemake.wildcards, Choices.read(snakemake.input.choices)
settings = RecoverySettings.from_config(s["recovery"], int(w.experiment), chosen.semantics, chosen.metric)
steps.vgg_recovery(network_path=snakemake.input.network, images_path=snakemake.input.images,
                   layers=chosen.recovery_layers if w.layer == "all" else [w.layer],
                   only_pass=None if w.part == "passes" else int(w.part.removeprefix("pass")),
                   train_source=s["train_source"], settings=settings, device=s["device"], threads=snakemake.threads,
                   workers=s["workers"], checkpoint_path=snakemake.params.checkpoint, out_table=snakemake.output.table)
provenance.write(provenance.machine(device_for(s["device"])), snakemake.output.machine)
