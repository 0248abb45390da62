"""The paper's MNIST network: 784-20-10-10, ReLU, no biases, softmax output (torch-free constants)."""

INPUTS, CLASSES = 784, 10
# Each hidden layer: its width and the weight matrix that holds its units' incoming weights (one row per unit).
HIDDEN_LAYERS = {"hidden1": (20, "fc1.weight"), "hidden2": (10, "fc2.weight")}
WEIGHT_SHAPES = {"fc1.weight": (20, INPUTS), "fc2.weight": (10, 20), "fc3.weight": (CLASSES, 10)}
