"""The demo's quick recipe in PyTorch (packages/cli/src/commands/demo.ts, preset `quick`, and @ulseg/train's loop), on a
folder made by `ulseg synth` + `ulseg preprocess`, then the held-out Dice as `ulseg infer --tta identity` +
`ulseg evaluate` compute it:

  train fold K (train.csv) for E epochs, batch B: per epoch lr = cosine(epoch) (set at its start), shuffle, per sample
  h-flip p 0.5 and p 0.5 an affine (scale x, y U[0.9, 1.1], shift U[-5%, 5%], rotation U[-5, 5] degrees about the
  centre; bilinear scan, nearest mask, black border) at the scan's own size, then data.py's training resize; Dice loss
  over the batch; Adam; encoder drop-connect 0.2. After each epoch: BN recalibration (running statistics recomputed
  as a cumulative average over the training set, evaluation-style inputs, drop-connect off) when the fold has fewer
  than 1000 steps, as ulseg's `auto`; validation (eval mode, batches of 10, loss = batch-size-weighted mean); best
  checkpoint when the validation loss <= the best so far, epochs 0..E-2.
  test: the best model, identity view: sigmoid(logits) resized bilinearly (align_corners False) to the scan's size,
  >= 0.5; per-image Dice 2|A n B| / (|A| + |B|) (1 when both are empty), averaged.

  python3 bench/parity/torch_train.py --data DIR --csv DIR/../train.csv --out OUT [--seed 2020] [--init W.safetensors]
"""
import argparse
import copy
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageOps

sys.path.insert(0, os.path.dirname(__file__))
from data import evaluation_arrays, load_pair, read_folds, test_input, training_arrays  # noqa: E402
from linknet_b0 import LinknetB0, dice_loss  # noqa: E402
from tensors import load_state, read_safetensors, write_safetensors  # noqa: E402


def cosine(epoch, lr0, t_max, eta_min):
    return eta_min + (lr0 - eta_min) * (1 + math.cos(math.pi * epoch / t_max)) / 2


def augment(image, mask, rng):
    """The demo's light policy: the two children in random order, each as imgaug's Sometimes(0.5)."""
    children = ['flip', 'affine']
    rng.shuffle(children)
    for child in children:
        if rng.random() >= 0.5:
            continue
        if child == 'flip':
            image, mask = ImageOps.mirror(image), ImageOps.mirror(mask)
            continue
        width, height = image.size
        sx, sy = rng.uniform(0.9, 1.1), rng.uniform(0.9, 1.1)
        tx, ty = rng.uniform(-0.05, 0.05) * width, rng.uniform(-0.05, 0.05) * height
        angle = math.radians(rng.uniform(-5, 5))
        cx, cy = width / 2, height / 2
        # forward: p' = R·S·(p - c) + c + t; Pillow wants the inverse (output -> source).
        cos, sin = math.cos(angle), math.sin(angle)
        forward = np.array([[cos * sx, -sin * sy], [sin * sx, cos * sy]])
        inverse = np.linalg.inv(forward)
        offset = np.array([cx, cy]) - inverse @ np.array([cx + tx, cy + ty])
        data = (inverse[0, 0], inverse[0, 1], offset[0], inverse[1, 0], inverse[1, 1], offset[1])
        image = image.transform(image.size, Image.AFFINE, data, resample=Image.BILINEAR, fillcolor=0)
        mask = mask.transform(mask.size, Image.AFFINE, data, resample=Image.NEAREST, fillcolor=0)
    return image, mask


def batches(count, size):
    return [(start, min(start + size, count)) for start in range(0, count, size)]


def recalibrate(model, inputs, batch):
    """Running statistics as a cumulative average over `inputs` (PyTorch momentum=None), drop-connect off."""
    norms = [module for module in model.modules() if isinstance(module, torch.nn.BatchNorm2d)]
    momenta = [norm.momentum for norm in norms]
    rate = model.encoder.drop_connect_rate
    for norm in norms:
        norm.reset_running_stats()
        norm.momentum = None
    model.encoder.drop_connect_rate = 0
    model.train()
    with torch.no_grad():
        for start, end in batches(len(inputs), batch):
            model(inputs[start:end])
    for norm, momentum in zip(norms, momenta):
        norm.momentum = momentum
    model.encoder.drop_connect_rate = rate


def dice_scores(prediction, truth):
    """Per-image Dice of boolean masks, 1 when both are empty."""
    intersection = np.logical_and(prediction, truth).sum()
    total = prediction.sum() + truth.sum()
    return 1.0 if total == 0 else 2.0 * intersection / total


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--data', required=True, help='the synth folder (train_data/, test_data/)')
    parser.add_argument('--csv', required=True, help='train.csv with the fold column')
    parser.add_argument('--out', required=True)
    parser.add_argument('--fold', type=int, default=1)
    parser.add_argument('--seed', type=int, default=2020)
    parser.add_argument('--epochs', type=int, default=20)
    parser.add_argument('--batch-size', type=int, default=4)
    parser.add_argument('--validation-batch-size', type=int, default=10)
    parser.add_argument('--learning-rate', type=float, default=3e-3)
    parser.add_argument('--t-max', type=float, default=20)
    parser.add_argument('--eta-min', type=float, default=1e-11)
    parser.add_argument('--resolution', type=int, default=64)
    parser.add_argument('--drop-connect-rate', type=float, default=0.2)
    parser.add_argument('--augment', choices=['light', 'none'], default='light')
    parser.add_argument('--bn-recalibrate', choices=['auto', 'on', 'off'], default='auto')
    parser.add_argument('--init', help='start from these weights (e.g. ulseg-steps.ts init.safetensors)')
    parser.add_argument('--threads', type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    started = time.time()

    rows = read_folds(args.csv)
    train_dir = os.path.join(args.data, 'train_data')
    pairs = {name: load_pair(train_dir, name) for name, _ in rows}
    train = [name for name, fold in rows if fold != args.fold]
    validation = [name for name, fold in rows if fold == args.fold]
    R = args.resolution
    evaluation_inputs = lambda names: [evaluation_arrays(*pairs[name], R) for name in names]  # noqa: E731
    recalibration_x = torch.from_numpy(np.stack([x for x, _ in evaluation_inputs(train)]))
    validation_data = evaluation_inputs(validation)
    validation_x = torch.from_numpy(np.stack([x for x, _ in validation_data]))
    validation_y = torch.from_numpy(np.stack([y for _, y in validation_data]))

    model = LinknetB0(drop_connect_rate=args.drop_connect_rate)
    if args.init:
        load_state(model, read_safetensors(args.init)[0])
    optimizer = torch.optim.Adam(model.parameters(), lr=args.learning_rate, betas=(0.9, 0.999), eps=1e-8)
    steps_per_epoch = math.ceil(len(train) / args.batch_size)
    recalibrating = args.bn_recalibrate == 'on' or (args.bn_recalibrate == 'auto' and steps_per_epoch * args.epochs < 1000)
    best_loss, best_state, best_epoch, log = math.inf, None, None, []
    for epoch in range(args.epochs):
        rate = cosine(epoch, args.learning_rate, args.t_max, args.eta_min)
        for group in optimizer.param_groups:
            group['lr'] = rate
        model.train()
        order = list(range(len(train)))
        rng.shuffle(order)
        loss_sum = 0.0
        for start, end in batches(len(order), args.batch_size):
            xs, ys = [], []
            for index in order[start:end]:
                image, mask = pairs[train[index]]
                if args.augment == 'light':
                    image, mask = augment(image, mask, rng)
                x, y = training_arrays(image, mask, R)
                xs.append(x)
                ys.append(y)
            loss = dice_loss(model(torch.from_numpy(np.stack(xs))), torch.from_numpy(np.stack(ys)))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * (end - start)
        if recalibrating:
            recalibrate(model, recalibration_x, args.batch_size)
        model.eval()
        with torch.no_grad():
            validation_loss = sum(dice_loss(model(validation_x[a:b]), validation_y[a:b]).item() * (b - a)
                                  for a, b in batches(len(validation), args.validation_batch_size)) / len(validation)
        saved = validation_loss <= best_loss and epoch <= max(args.epochs - 2, 0)
        if saved:
            best_loss, best_state, best_epoch = validation_loss, copy.deepcopy(model.state_dict()), epoch + 1
        log.append({'epoch': epoch + 1, 'learningRate': rate, 'trainLoss': loss_sum / len(train), 'validationLoss': validation_loss, 'savedBest': saved})
        print(f'epoch {epoch + 1:2d} lr {rate:.2e} train loss {loss_sum / len(train):.4f} validation loss {validation_loss:.4f}{" *" if saved else ""} ({time.time() - started:.0f} s)', flush=True)
    train_seconds = time.time() - started

    results = {}
    test_dir = os.path.join(args.data, 'test_data')
    names = sorted(os.listdir(os.path.join(test_dir, 'img')))
    last_state = copy.deepcopy(model.state_dict())
    for which, state in [('best', best_state), ('last', last_state)]:
        model.load_state_dict(state)
        model.eval()
        scores = {}
        for name in names:
            truth = np.asarray(Image.open(os.path.join(test_dir, 'label', name)).convert('L')) >= 128
            with torch.no_grad():
                probability = torch.sigmoid(model(torch.from_numpy(test_input(os.path.join(test_dir, 'img', name), R))))
            probability = F.interpolate(probability, size=truth.shape, mode='bilinear', align_corners=False)[0, 0].numpy()
            scores[name] = dice_scores(probability >= 0.5, truth)
        results[which] = {'meanDice': float(np.mean(list(scores.values()))), 'perImage': scores}
    write_safetensors(os.path.join(args.out, 'best.safetensors'), best_state)
    summary = {
        'recipe': vars(args), 'bnRecalibration': recalibrating, 'bestEpoch': best_epoch, 'log': log, 'trainSeconds': train_seconds,
        'testDiceBest': results['best']['meanDice'], 'testDiceLast': results['last']['meanDice'], 'perImageBest': results['best']['perImage'],
        'torch': torch.__version__, 'threads': args.threads,
    }
    json.dump(summary, open(os.path.join(args.out, 'torch-train.json'), 'w'), indent=1)
    print(f'test Dice (identity view, threshold 0.5): best epoch {best_epoch} {results["best"]["meanDice"]:.4f}; last epoch {results["last"]["meanDice"]:.4f} '
          f'({len(names)} scans; {train_seconds:.0f} s training)')


if __name__ == '__main__':
    main()
