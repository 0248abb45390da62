"""ImageNet folders: layout checks, one-off decoding (real sample and tiny hand-made folders), training data."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from torchvision.transforms import v2

from ablation.core.errors import InputError
from ablation.vgg.imagenet import check_folder, decode, training_set, wnids
from ablation.vgg.images import IMAGENET_MEAN, ImageSet
from helpers import SHARED_IMAGENET

SAMPLE = SHARED_IMAGENET
KEY = "vgg.imagenet.val"


# --- the real sample: 1,000 ImageNet validation JPEGs, one per class ---------------------------------------------

@pytest.fixture(scope="module")
def sample_files() -> list[Path]:
    if not (SAMPLE / "val").is_dir():
        pytest.skip(f"ImageNet sample not found at {SAMPLE}")
    return sorted((SAMPLE / "val").glob("*/*"))  # class, then file name: make_dataset's order


@pytest.fixture(scope="module")
def sample(sample_files: list[Path]) -> ImageSet:
    return decode(SAMPLE / "val", resize=256, crop=224, workers=2)


def test_sample_shape_and_dtype(sample: ImageSet) -> None:
    assert sample.images.dtype == torch.uint8 and sample.images.shape == (1000, 3, 224, 224)
    assert sample.labels.dtype == torch.int64 and sample.labels.shape == (1000,)
    assert "1000 images of 1000 classes" in sample.source and "resize 256, centre crop 224" in sample.source


def test_sample_labels_follow_classes_csv(sample: ImageSet, sample_files: list[Path]) -> None:
    with open(SAMPLE / "classes.csv", newline="") as handle:
        index = {row["wnid"]: int(row["class_index"]) for row in csv.DictReader(handle)}
    assert [index[path.parent.name] for path in sample_files] == sample.labels.tolist()
    assert sample.classes == sorted(index, key=index.get) == wnids(SAMPLE / "val")


def _mode(path: Path) -> str:
    with Image.open(path) as image:  # reads the header only
        return image.mode


def test_sample_grayscale_becomes_three_equal_channels(sample: ImageSet, sample_files: list[Path]) -> None:
    gray = [i for i, path in enumerate(sample_files) if _mode(path) == "L"]
    assert len(gray) == 23
    for i in gray:
        assert torch.equal(sample.images[i, 0], sample.images[i, 1])
        assert torch.equal(sample.images[i, 0], sample.images[i, 2])
    colour = [i for i in range(len(sample_files)) if i not in set(gray)][:20]
    assert not all(torch.equal(sample.images[i, 0], sample.images[i, 1]) for i in colour)


def test_sample_matches_reference_preprocessing(sample: ImageSet, sample_files: list[Path]) -> None:
    """Same pixels as torchvision's reference evaluation transform applied to the RGB PIL image."""
    reference = v2.Compose([v2.Resize(256), v2.CenterCrop(224), v2.PILToTensor()])
    for i in (0, 499, 999):
        with Image.open(sample_files[i]) as image:
            assert torch.equal(sample.images[i], reference(image.convert("RGB")))


def test_sample_save_load_round_trip(sample: ImageSet, tmp_path: Path) -> None:
    sample.save(tmp_path / "images.pt")
    loaded = ImageSet.load(tmp_path / "images.pt")
    assert torch.equal(loaded.images, sample.images) and torch.equal(loaded.labels, sample.labels)
    for field in ("classes", "mean", "std", "source"):
        assert getattr(loaded, field) == getattr(sample, field)


# --- tiny hand-made folders ---------------------------------------------------------------------------------------

def _save(image: Image.Image, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)
    return path


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3 classes, 5 images of different sizes and modes (RGB, grayscale, CMYK JPEGs; RGBA and RGB PNGs)."""
    root = tmp_path_factory.mktemp("tiny")
    _save(Image.new("RGB", (300, 200), (200, 20, 20)), root / "n001" / "a.JPEG")
    _save(Image.new("L", (150, 260), 90), root / "n001" / "b.JPEG")
    (root / "n001" / "notes.txt").write_text("not an image")
    _save(Image.new("CMYK", (240, 240), (255, 0, 0, 0)), root / "n002" / "c.jpg")
    _save(Image.new("RGBA", (64, 80), (10, 200, 30, 0)), root / "n003" / "d.png")
    _save(Image.new("RGB", (50, 50), (0, 0, 255)), root / "n003" / "e.png")
    return root


def test_tiny_decode(tiny: Path) -> None:
    images = decode(tiny, resize=40, crop=32)
    assert images.images.shape == (5, 3, 32, 32) and images.images.dtype == torch.uint8
    assert images.classes == ["n001", "n002", "n003"] and images.labels.tolist() == [0, 0, 1, 2, 2]
    assert "5 images of 3 classes" in images.source and "resize 40, centre crop 32" in images.source
    mean_colour = images.images.float().mean(dim=(2, 3))
    expected = [[200, 20, 20], [90, 90, 90], [0, 255, 255], [10, 200, 30], [0, 0, 255]]  # CMYK cyan, RGBA sans alpha
    assert torch.allclose(mean_colour, torch.tensor(expected, dtype=torch.float), atol=6)


def test_tiny_default_size_and_max_per_class(tiny: Path) -> None:
    images = decode(tiny, resize=256, crop=224, max_per_class=1)
    assert images.images.shape == (3, 3, 224, 224)
    assert images.labels.tolist() == [0, 1, 2] and "first 1 per class" in images.source


@pytest.mark.parametrize("workers", [0, 2])
def test_truncated_jpeg_is_one_clear_error(tiny: Path, tmp_path: Path, workers: int) -> None:
    folder = tmp_path / "val"
    path = _save(Image.effect_noise((120, 100), 60).convert("RGB"), folder / "n001" / "broken.JPEG")
    _save(Image.new("RGB", (40, 40)), folder / "n000" / "fine.JPEG")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(InputError, match="broken.JPEG.*cannot be decoded.*replace or delete") as caught:
        decode(folder, resize=40, crop=32, workers=workers)
    assert "\n" not in str(caught.value)


def test_bad_decode_arguments(tiny: Path) -> None:
    with pytest.raises(InputError, match="crop 64 is larger than resize 32"):
        decode(tiny, resize=32, crop=64)
    with pytest.raises(InputError, match="max_per_class"):
        decode(tiny, resize=256, crop=224, max_per_class=0)


# --- check_folder -------------------------------------------------------------------------------------------------

def test_check_folder_accepts_a_good_folder(tiny: Path) -> None:
    check_folder(tiny, KEY)
    check_folder(str(tiny), KEY)


def test_check_folder_rejects_missing_path(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=f"{KEY} '.*missing' is not a folder"):
        check_folder(tmp_path / "missing", KEY)


def test_check_folder_rejects_folder_without_class_subfolders(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=f"{KEY} .* has no class subfolders"):
        check_folder(tmp_path, KEY)
    _save(Image.new("RGB", (8, 8)), tmp_path / "flat.JPEG")  # the official validation archive's flat layout
    with pytest.raises(InputError, match="has no class subfolders"):
        check_folder(tmp_path, KEY)


def test_check_folder_rejects_class_subfolders_without_images(tmp_path: Path) -> None:
    (tmp_path / "n001").mkdir()
    (tmp_path / "n002").mkdir()
    (tmp_path / "n002" / "readme.txt").write_text("no images")
    with pytest.raises(InputError, match=f"{KEY} '{tmp_path}' holds no images") as caught:
        check_folder(tmp_path, KEY)
    assert "\n" not in str(caught.value)
    with pytest.raises(InputError, match="holds no images"):
        decode(tmp_path, resize=256, crop=224)


# --- training_set -------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def train_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("train")
    for label in range(3):
        for i in range(8):
            _save(Image.new("L" if i == 0 else "RGB", (40 + i, 30 + 2 * i)), root / f"n00{label}" / f"{i}.JPEG")
    return root


def test_training_items(train_folder: Path) -> None:
    dataset = training_set(train_folder, crop=16, seed=0)
    assert len(dataset) == 24
    image, label = dataset[0]
    assert image.shape == (3, 16, 16) and image.dtype == torch.float32 and label == 0
    # A black image normalised: (0 - mean) / std, per channel.
    assert image[0].mean().item() == pytest.approx(-IMAGENET_MEAN[0] / 0.229, abs=0.05)
    assert dataset[23][1] == 2


def test_training_subset_is_seeded(train_folder: Path) -> None:
    def indices(seed: int) -> list[int]:
        subset = training_set(train_folder, crop=16, max_images=6, seed=seed)
        assert len(subset) == 6
        return subset.indices

    assert indices(0) == indices(0)
    assert indices(0) != indices(1)
    assert len(training_set(train_folder, crop=16, seed=0, max_images=100)) == 24
    with pytest.raises(InputError, match="max_images"):
        training_set(train_folder, crop=16, seed=0, max_images=0)


def test_the_flat_validation_layout_is_labelled_by_the_devkit(tmp_path):
    """ImageNet's flat validation folder and the devkit's ground truth give the labels of the wnid-folder layout."""
    from scipy.io import savemat

    from ablation.vgg.imagenet import devkit_labels

    if not (SHARED_IMAGENET / "val").is_dir():
        pytest.skip(f"ImageNet sample not found at {SHARED_IMAGENET}")
    wnid_folders = sorted((SHARED_IMAGENET / "val").iterdir())[:3]
    # A devkit: three leaf synsets numbered against wnid order, and one inner synset the labels must skip.
    synsets = np.array([(7, "n00000001", "an inner node", 3), (1, wnid_folders[2].name, "c", 0),
                        (2, wnid_folders[0].name, "a", 0), (3, wnid_folders[1].name, "b", 0)],
                       dtype=[("ILSVRC2012_ID", "i4"), ("WNID", "O"), ("words", "O"), ("num_children", "i4")])
    (tmp_path / "devkit" / "data").mkdir(parents=True)
    savemat(tmp_path / "devkit" / "data" / "meta.mat", {"synsets": synsets})
    flat, truth = tmp_path / "val", []
    flat.mkdir()
    ids = {wnid_folders[0].name: 2, wnid_folders[1].name: 3, wnid_folders[2].name: 1}
    images = [next(folder.iterdir()) for folder in reversed(wnid_folders)]  # the sample has one image per class
    for n, image in enumerate(images, start=1):
        shutil.copy(image, flat / f"ILSVRC2012_val_{n:08d}.JPEG")
        truth.append(f"{ids[image.parent.name]}\n")
    (tmp_path / "devkit" / "data" / "ILSVRC2012_validation_ground_truth.txt").write_text("".join(truth))
    classes, samples = devkit_labels(flat, tmp_path / "devkit")
    assert classes == [folder.name for folder in wnid_folders]
    assert [label for _, label in samples] == [2, 1, 0]
    decoded = decode(flat, resize=64, crop=56, devkit=tmp_path / "devkit")
    folders = decode(SHARED_IMAGENET / "val", resize=64, crop=56, max_per_class=1)
    for label, folder in zip(decoded.labels.tolist(), reversed(wnid_folders)):  # the same pixels either way
        assert torch.equal(decoded.images[2 - label], folders.images[folders.classes.index(folder.name)])
    (flat / "ILSVRC2012_val_00000003.JPEG").unlink()
    with pytest.raises(InputError, match="holds 2 images but the devkit's ground truth names 3"):
        devkit_labels(flat, tmp_path / "devkit")
