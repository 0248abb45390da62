rule prepare_mnist:
    output:
        data="results/data/mnist.pt",
        provenance="results/data/mnist.json",
    params:
        mnist=MNIST,
        seed=MLP["seed"],
    log:
        "logs/prepare_mnist.log",
    resources:
        runtime=30,
        mem_mb=4000,
    script:
        "../scripts/prepare_mnist.py"
