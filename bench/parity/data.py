"""The demo's data as ulseg reads it (packages/train/src/batches.ts, packages/infer/src/preprocess.ts), with Pillow:
  training:   gray = Pillow convert('L') of the scan; [augment]; Pillow BICUBIC to R x R (uint8, as PIL) -> /255;
              mask {0, 255} -> [same geometric augment, nearest, fill 0] -> Pillow NEAREST to R x R -> /255 ({0, 1}).
  validation: scan and mask {0, 255} -> Pillow BILINEAR to R x R -> /255 (soft mask edges, as the original).
  test:       the RGB scan, each channel Pillow BILINEAR to R x R, /255, gray = 0.2989 R + 0.587 G + 0.114 B.
No mean/std normalisation anywhere. Folds: train.csv's `fold` column (ulseg preprocess), in the file's row order.
"""
import csv
import os

import numpy as np
from PIL import Image


def read_folds(csv_path):
    """[(id, fold)] in the file's order."""
    with open(csv_path, newline='') as handle:
        rows = list(csv.DictReader(handle))
    if not rows or 'fold' not in rows[0]:
        raise ValueError(f'{csv_path}: no fold column (run ulseg preprocess on this folder)')
    return [(row['ID'], int(row['fold'])) for row in rows]


def load_pair(data_dir, name):
    """The scan as Pillow 'L' and its mask as 'L' {0, 255}, at the scan's size (the mask resized nearest if off)."""
    image = Image.open(os.path.join(data_dir, 'img', name)).convert('L')
    mask = Image.open(os.path.join(data_dir, 'label', name)).convert('L')
    if mask.size != image.size:
        mask = mask.resize(image.size, Image.NEAREST)
    mask = Image.fromarray(np.where(np.asarray(mask) >= 128, 255, 0).astype(np.uint8))
    return image, mask


def training_arrays(image, mask, resolution):
    x = np.asarray(image.resize((resolution, resolution), Image.BICUBIC), dtype=np.float32) / 255
    y = np.asarray(mask.resize((resolution, resolution), Image.NEAREST), dtype=np.float32) / 255
    return x[None], y[None]


def evaluation_arrays(image, mask, resolution):
    x = np.asarray(image.resize((resolution, resolution), Image.BILINEAR), dtype=np.float32) / 255
    y = np.asarray(mask.resize((resolution, resolution), Image.BILINEAR), dtype=np.float32) / 255
    return x[None], y[None]


def test_input(path, resolution):
    rgb = Image.open(path).convert('RGB').resize((resolution, resolution), Image.BILINEAR)
    unit = np.asarray(rgb, dtype=np.float32) / 255
    gray = 0.2989 * unit[..., 0] + 0.587 * unit[..., 1] + 0.114 * unit[..., 2]
    return gray.astype(np.float32)[None, None]
