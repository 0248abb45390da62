"""ImageNet image folders (`<folder>/<wnid>/<image>.JPEG`): a cheap layout check, one-off decoding, training data.

The class index of an image is the position of its wnid in the sorted list of subfolders: torchvision's order,
which is the order of the pretrained classifiers' outputs when all 1000 wnids are present.
Evaluation images are decoded, resized and centre-cropped once into an `ImageSet` of uint8 tensors, so that
every ablation reads the same pixels without decoding 50,000 JPEGs again.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch
from PIL import Image
from torch.utils.data import DataLoader, Dataset, Subset
from torchvision.datasets import ImageFolder
from torchvision.datasets.folder import (
    IMG_EXTENSIONS,
    default_loader,
    find_classes,
    has_file_allowed_extension,
    make_dataset,
)
from torchvision.transforms import v2

from ablation.core.errors import InputError
from ablation.core.logs import Progress
from ablation.vgg.images import IMAGENET_MEAN, IMAGENET_STD, ImageSet

LAYOUT = "expected <folder>/<wnid>/<image>.JPEG"
# What PIL raises for a damaged file: truncated data (OSError), an unknown format (UnidentifiedImageError, an
# OSError), broken headers (SyntaxError, ValueError, EOFError), absurd sizes (DecompressionBombError).
# Images a decoding worker hands over at once.
DECODE_BATCH = 64
DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError)


def _class_folders(folder: Path, key: str) -> list[str]:
    if not folder.is_dir():
        raise InputError(f"{key} '{folder}' is not a folder: {LAYOUT}; point it at an ImageNet image folder")
    try:
        return find_classes(folder)[0]
    except FileNotFoundError as error:
        raise InputError(
            f"{key} '{folder}' has no class subfolders: {LAYOUT}; sort the images into one subfolder per wnid "
            "(the official validation archive is flat)"
        ) from error


def _no_images(folder: Path, key: str) -> InputError:
    return InputError(
        f"{key} '{folder}' holds no images ({', '.join(IMG_EXTENSIONS)}): {LAYOUT}; "
        "point it at the ImageNet validation folder"
    )


def _holds_image(folder: Path) -> bool:
    """Whether any image lies below `folder`; stops at the first one (make_dataset's walk, made lazy)."""
    for _, _, files in os.walk(folder, followlinks=True):
        if any(has_file_allowed_extension(name, IMG_EXTENSIONS) for name in files):
            return True
    return False


def check_folder(folder: str | Path, key: str) -> None:
    """Cheap layout check for parse time: a folder of class subfolders, at least one holding an image.

    Stops at the first image found, so it stays fast on the 50,000-image validation folder.
    """
    folder = Path(folder)
    if not any(_holds_image(folder / wnid) for wnid in _class_folders(folder, key)):
        raise _no_images(folder, key)


def wnids(folder: str | Path) -> list[str]:
    """The sorted class folder names: class index -> wnid."""
    return _class_folders(Path(folder), "ImageNet folder")


def devkit_labels(folder: str | Path, devkit: str | Path) -> tuple[list[str], list[tuple[str, int]]]:
    """ImageNet's other validation layout: one flat folder of ILSVRC2012_val_<n>.JPEG and the devkit (its extracted
    folder, ILSVRC2012_devkit_t12) whose data/ILSVRC2012_validation_ground_truth.txt gives each image's class as an
    ILSVRC2012_ID and whose data/meta.mat maps those to wnids. Classes are the devkit's leaf wnids, sorted: the
    order of the class-folder layout and of the pretrained outputs."""
    from scipy.io import loadmat  # only for this layout

    folder, data = Path(folder), Path(devkit) / "data"
    truth, meta = data / "ILSVRC2012_validation_ground_truth.txt", data / "meta.mat"
    for needed in (truth, meta):
        if not needed.is_file():
            raise InputError(f"vgg.imagenet.devkit '{devkit}' has no {needed.relative_to(devkit)}: point it at the "
                             "extracted ILSVRC2012_devkit_t12 folder")
    synsets = loadmat(meta, squeeze_me=True)["synsets"]
    leaves = synsets[synsets["num_children"] == 0]
    wnid_of = {int(i): str(w) for i, w in zip(leaves["ILSVRC2012_ID"], leaves["WNID"])}
    classes = sorted(wnid_of.values())
    index = {wnid: position for position, wnid in enumerate(classes)}
    labels = [index[wnid_of[int(line)]] for line in truth.read_text().split()]
    paths = sorted(str(path) for path in folder.iterdir() if has_file_allowed_extension(path.name, IMG_EXTENSIONS))
    if len(paths) != len(labels):
        raise InputError(f"vgg.imagenet.val '{folder}' holds {len(paths)} images but the devkit's ground truth names "
                         f"{len(labels)}: give the complete flat validation folder")
    return classes, list(zip(paths, labels))


def _samples(folder: Path, key: str, devkit: str | Path | None = None) -> tuple[list[str], list[tuple[str, int]]]:
    """All (image path, class index) pairs, sorted by class then file name; empty class folders keep their index.
    With `devkit`: the flat validation layout (`devkit_labels`), in file-name order."""
    if devkit:
        return devkit_labels(folder, devkit)
    classes = _class_folders(folder, key)
    samples = make_dataset(
        folder, {wnid: index for index, wnid in enumerate(classes)}, extensions=IMG_EXTENSIONS, allow_empty=True
    )
    if not samples:
        raise _no_images(folder, key)
    return classes, samples


def _first_per_class(samples: list[tuple[str, int]], max_per_class: int) -> list[tuple[str, int]]:
    kept: dict[int, int] = {}
    subset = []
    for path, label in samples:
        if kept.get(label, 0) < max_per_class:
            kept[label] = kept.get(label, 0) + 1
            subset.append((path, label))
    return subset


class _Decoded(Dataset):
    """Decoded, resized and cropped uint8 images, each with an error text ("" when fine).

    Errors come back as text rather than exceptions: inside DataLoader workers an exception is re-raised wrapped
    in a multi-line traceback, and the user should see one InputError line naming the file.
    """

    def __init__(self, paths: list[str], resize: int, crop: int) -> None:
        self.paths = paths
        self.crop = crop
        # On PIL images, as torchvision's reference evaluation does (PIL's resize always antialiases).
        self.transform = v2.Compose([v2.Resize(resize, antialias=True), v2.CenterCrop(crop), v2.PILToTensor()])

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, str]:
        try:
            # default_loader converts to RGB: grayscale, CMYK and RGBA become 3 channels. The conversion loads
            # the pixels, so a truncated JPEG fails here (unless someone set ImageFile.LOAD_TRUNCATED_IMAGES).
            return self.transform(default_loader(self.paths[index])), ""
        except DECODE_ERRORS as error:
            return torch.zeros(3, self.crop, self.crop, dtype=torch.uint8), f"{type(error).__name__}: {error}"


def decode(
    folder: str | Path, *, resize: int, crop: int, max_per_class: int | None = None, workers: int = 0,
    devkit: str | Path | None = None,
) -> ImageSet:
    """Decode every image once with the standard evaluation preprocessing: RGB, Resize(resize), CenterCrop(crop).
    `devkit`: the folder is ImageNet's flat validation layout, labelled by the devkit (`devkit_labels`)."""
    folder = Path(folder)
    if crop > resize:
        raise InputError(f"crop {crop} is larger than resize {resize}: the crop would be padded; use crop <= resize")
    if max_per_class is not None and max_per_class < 1:
        raise InputError(f"max_per_class is {max_per_class}; use a positive number per class, or none for all")
    classes, samples = _samples(folder, "ImageNet folder", devkit)
    if max_per_class is not None:
        samples = _first_per_class(samples, max_per_class)
    paths = [path for path, _ in samples]
    images = torch.empty(len(paths), 3, crop, crop, dtype=torch.uint8)  # filled in place: no second copy at the end
    loader = DataLoader(_Decoded(paths, resize, crop), batch_size=DECODE_BATCH, num_workers=workers)
    done, progress = 0, Progress(len(paths), f"decoding {folder}", "images")
    for batch, errors in loader:
        for offset, error in enumerate(errors):
            if error:
                raise InputError(
                    f"image '{paths[done + offset]}' cannot be decoded ({error}): replace or delete the file"
                )
        images[done:done + len(batch)] = batch
        done += len(batch)
        progress.advance(len(batch))
    subset = f", first {max_per_class} per class" if max_per_class is not None else ""
    return ImageSet(
        images=images,
        labels=torch.tensor([label for _, label in samples], dtype=torch.int64),
        classes=classes,
        mean=list(IMAGENET_MEAN),
        std=list(IMAGENET_STD),
        source=(
            f"ImageNet images from '{folder.resolve()}': {len(paths)} images of {len(classes)} classes{subset}, "
            f"resize {resize}, centre crop {crop}"
        ),
    )


def training_set(folder: str | Path, *, crop: int, seed: int, max_images: int | None = None) -> ImageFolder | Subset:
    """The standard training augmentation; items are (normalised float image (3, crop, crop), class index).

    `max_images` keeps a random subset drawn with `seed`: the same seed gives the same images.
    """
    folder = Path(folder)
    if max_images is not None and max_images < 1:
        raise InputError(f"max_images is {max_images}; use a positive number of training images, or none for all")
    _class_folders(folder, "ImageNet training folder")  # one-line errors instead of ImageFolder's FileNotFoundError
    augment = v2.Compose([
        v2.RandomResizedCrop(crop, antialias=True),
        v2.RandomHorizontalFlip(),
        v2.PILToTensor(),
        v2.ToDtype(torch.float32, scale=True),
        v2.Normalize(IMAGENET_MEAN, IMAGENET_STD),
    ])
    dataset = ImageFolder(folder, transform=augment, allow_empty=True)  # default_loader: converted to RGB
    if not dataset.samples:
        raise _no_images(folder, "ImageNet training folder")
    if max_images is None or max_images >= len(dataset):
        return dataset
    chosen = torch.randperm(len(dataset), generator=torch.Generator().manual_seed(seed))[:max_images]
    return Subset(dataset, sorted(chosen.tolist()))
