rule train_mlp:
    input:
        data="results/data/mnist.pt",
    output:
        networks="results/mlp/networks/chunk{chunk}.pt",
        machine="results/mlp/machines/train_mlp_chunk{chunk}.json",
    params:
        indices=lambda wildcards: chunk_indices(wildcards.chunk),
        seed=MLP["seed"],
        settings={key: MLP[key] for key in ("epochs", "batch_size", "learning_rate", "momentum")},
    log:
        "logs/train_mlp/chunk{chunk}.log",
    threads: MAX_THREADS
    resources:
        runtime=60,
        mem_mb=4000,
    script:
        "../scripts/train_mlp.py"


rule gather_networks:
    localrule: True
    input:
        chunks=expand("results/mlp/networks/chunk{chunk}.pt", chunk=CHUNKS),
        imported=[IMPORTED["trained"], IMPORTED["initial"]] if IMPORTED else [],
    output:
        networks="results/mlp/networks.pt",
        history="results/mlp/training_history.csv",
    params:
        imported=IMPORTED,
    log:
        "logs/gather_networks.log",
    script:
        "../scripts/gather_networks.py"


if IMPORTED and IMPORTED.get("download"):

    rule fetch_authors_network:
        # On the submitting node: cluster nodes often have no internet.
        localrule: True
        output:
            trained=IMPORTED["trained"],
            initial=IMPORTED["initial"],
        log:
            "logs/fetch_authors_network.log",
        script:
            "../scripts/fetch_authors_network.py"
