import pickle

import pytest
import torch

from ablation.core.errors import InputError
from ablation.mnist.network import MLP, Stack, initial_weights, load_state_dict
from ablation.mnist.training import TrainingSettings, train, train_alone


def _digits(n: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    return (torch.randint(0, 256, (n, 28, 28), dtype=torch.uint8, generator=generator),
            torch.randint(0, 10, (n,), generator=generator))


def test_initial_weights_depend_only_on_the_network_seed():
    together = initial_weights([3, 4, 5])
    alone = initial_weights([4])
    assert torch.equal(together.fc1[1], alone.fc1[0]) and torch.equal(together.fc3[1], alone.fc3[0])
    assert not torch.equal(together.fc1[0], together.fc1[1])


# Batched and single training differ only in float summation order: by at most 1.5e-8 after two epochs with ATen's
# default, AVX2 and AVX-512 kernels and 1, 2 or 4 threads (measured), far inside atol=1e-5 (670x).
def test_batched_training_equals_training_each_network_alone():
    images, labels = _digits(600)
    settings = TrainingSettings(epochs=2, batch_size=64, learning_rate=0.01, momentum=0.9, data_seed=0)
    batched = train([7, 8], images, labels, images[:100], labels[:100], settings)
    for index, seed in enumerate([7, 8]):
        model = train_alone(seed, images, labels, settings)
        for key, value in model.state_dict().items():
            assert torch.allclose(batched.trained.network(index)[key], value, atol=1e-5), key


def test_training_is_deterministic():
    images, labels = _digits(300)
    settings = TrainingSettings(epochs=1, batch_size=32, learning_rate=1e-3, momentum=0.9, data_seed=0)
    first = train([0, 1], images, labels, images, labels, settings)
    second = train([0, 1], images, labels, images, labels, settings)
    assert all(torch.equal(a, b) for a, b in zip(first.trained.tensors(), second.trained.tensors()))


def test_import_of_an_external_state_dict(tmp_path):
    model = MLP()
    torch.save(model.state_dict(), tmp_path / "net.pt")
    loaded = load_state_dict(tmp_path / "net.pt")
    assert all(torch.equal(loaded[key], value) for key, value in model.state_dict().items())
    assert Stack.of([loaded]).network(0).keys() == model.state_dict().keys()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"fc1.weight": torch.zeros(20, 784), "fc2.weight": torch.zeros(10, 20)}, "expected exactly"),
        ({"fc1.weight": torch.zeros(20, 784), "fc2.weight": torch.zeros(10, 20), "fc3.weight": torch.zeros(10, 9)},
         r"fc3.weight has shape \(10, 9\), expected \(10, 10\)"),
        ([torch.zeros(3)], "not a PyTorch state_dict"),
    ],
)
def test_wrong_weights_are_one_clear_error(tmp_path, content, message):
    torch.save(content, tmp_path / "bad.pt")
    with pytest.raises(InputError, match=message):
        load_state_dict(tmp_path / "bad.pt")


class Payload:
    def __reduce__(self):
        return (print, ("unpickled!",))


def test_arbitrary_pickles_are_never_unpickled(tmp_path, capsys):
    (tmp_path / "evil.pt").write_bytes(pickle.dumps(Payload()))
    with pytest.raises(InputError, match="not a loadable PyTorch state_dict"):
        load_state_dict(tmp_path / "evil.pt")
    assert "unpickled!" not in capsys.readouterr().out
    (tmp_path / "garbage.pt").write_bytes(b"not a torch file")
    with pytest.raises(InputError, match="not a loadable"):
        load_state_dict(tmp_path / "garbage.pt")
    with pytest.raises(InputError, match="does not exist"):
        load_state_dict(tmp_path / "absent.pt")


def test_truncated_and_non_finite_weights_are_one_clear_error(tmp_path):
    torch.save(MLP().state_dict(), tmp_path / "net.pt")
    whole = (tmp_path / "net.pt").read_bytes()
    # An interrupted copy: cut in the middle (OSError), or nothing written yet (EOFError with an empty message).
    for kept, error in ((len(whole) // 2, "OSError: "), (0, "EOFError\\)")):
        (tmp_path / "truncated.pt").write_bytes(whole[:kept])
        with pytest.raises(InputError,
                           match=rf"mnist.import: .*truncated.pt' is not a loadable PyTorch state_dict \({error}"):
            load_state_dict(tmp_path / "truncated.pt")
    for value, count in ((float("nan"), 2), (float("-inf"), 1)):
        state = MLP().state_dict()
        state["fc2.weight"][3, :count] = value
        torch.save(state, tmp_path / "broken.pt")
        with pytest.raises(InputError, match=f"fc2.weight holds {count} NaN or infinite values"):
            load_state_dict(tmp_path / "broken.pt")
