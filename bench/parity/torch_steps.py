"""The PyTorch side of the per-step parity run: the same initial weights, the same batches in the same order, the same
recipe (Dice loss summed over the batch, Adam betas 0.9/0.999 eps 1e-8, the cosine rate set at the start of each
epoch, drop-connect off, no augmentation), and the per-step training loss beside ulseg's (steps.json of
ulseg-steps.ts).

  python3 bench/parity/torch_steps.py RUN_DIR                   # batches = ulseg's own training inputs (inputs.npy)
  python3 bench/parity/torch_steps.py RUN_DIR --own-loader DATA  # batches made here with Pillow (data.py)
  python3 bench/parity/torch_steps.py RUN_DIR --perturb 1e-7     # PyTorch against itself, weights moved by ~1 ulp
  python3 bench/parity/torch_steps.py RUN_DIR --threads 2        # PyTorch against itself: another summation order
Writes RUN_DIR/torch-steps[-own][-tN][-perturbed].json and prints the table (compare_steps.py sets all of them side by side).
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
from data import evaluation_arrays, load_pair, training_arrays  # noqa: E402
from linknet_b0 import LinknetB0, dice_loss  # noqa: E402
from tensors import load_state, read_safetensors  # noqa: E402


def cosine(epoch, lr0, t_max, eta_min):
    return eta_min + (lr0 - eta_min) * (1 + math.cos(math.pi * epoch / t_max)) / 2


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('run')
    parser.add_argument('--own-loader', metavar='DATA', help='the synth folder (DATA/train_data/img, label)')
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--data', metavar='DATA', help='the synth folder: adds the eval-mode validation loss after each epoch '
                        "(BN running statistics, never recalibrated here), beside ulseg's")
    parser.add_argument('--perturb', type=float, default=0, metavar='EPS',
                        help='multiply every initial parameter by 1 + EPS·N(0, 1) (1e-7: about one float32 ulp), a yardstick of float32 noise')
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    record = json.load(open(os.path.join(args.run, 'steps.json')))
    config = record['config']
    inputs = np.load(os.path.join(args.run, 'inputs.npy'))
    masks = np.load(os.path.join(args.run, 'masks.npy'))
    if args.own_loader:
        pairs = [load_pair(os.path.join(args.own_loader, 'train_data'), name) for name in record['trainIds']]
        own = [training_arrays(image, mask, config['imageResolution']) for image, mask in pairs]
        own_inputs = np.stack([x for x, _ in own])
        own_masks = np.stack([y for _, y in own])
        print(f'inputs: Pillow here vs ulseg: max |diff| {np.max(np.abs(own_inputs - inputs)):.3g} '
              f'({np.mean(own_inputs != inputs) * 100:.2f}% of pixels differ); masks: max |diff| {np.max(np.abs(own_masks - masks)):.3g} '
              f'({np.mean(own_masks != masks) * 100:.2f}% differ)')
        inputs, masks = own_inputs, own_masks

    model = LinknetB0(drop_connect_rate=config['dropConnectRate'])
    weights, _ = read_safetensors(os.path.join(args.run, 'init.safetensors'))
    load_state(model, weights)
    if args.perturb:
        generator = torch.Generator().manual_seed(1)
        with torch.no_grad():
            for parameter in model.parameters():
                parameter.mul_(1 + args.perturb * torch.randn(parameter.shape, generator=generator))
    optimizer = torch.optim.Adam(model.parameters(), lr=config['learningRate'], betas=tuple(config['betas']), eps=config['adamEps'])
    batch = config['batchSize']
    validation = None
    if args.data or args.own_loader:
        pairs = [load_pair(os.path.join(args.data or args.own_loader, 'train_data'), name) for name in record['validationIds']]
        arrays = [evaluation_arrays(image, mask, config['imageResolution']) for image, mask in pairs]
        validation = (torch.from_numpy(np.stack([x for x, _ in arrays])), torch.from_numpy(np.stack([y for _, y in arrays])))
    steps, epochs = [], []
    started = time.time()
    for epoch, order in enumerate(record['orders']):
        rate = cosine(epoch, config['learningRate'], config['tMax'], config['etaMin'])
        for group in optimizer.param_groups:
            group['lr'] = rate
        model.train()
        for start in range(0, len(order), batch):
            index = order[start:start + batch]
            x = torch.from_numpy(inputs[index])
            y = torch.from_numpy(masks[index])
            loss = dice_loss(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            steps.append({'epoch': epoch + 1, 'step': start // batch + 1, 'loss': loss.item(), 'learningRate': rate})
        if validation is not None:
            model.eval()
            size, (vx, vy) = config['validationBatchSize'], validation
            with torch.no_grad():
                value = sum(dice_loss(model(vx[a:a + size]), vy[a:a + size]).item() * len(vx[a:a + size]) for a in range(0, len(vx), size)) / len(vx)
            epochs.append({'epoch': epoch + 1, 'validationLoss': value})
    name = 'torch-steps' + ('-own' if args.own_loader else '') + (f'-t{args.threads}' if args.threads != 1 else '') + ('-perturbed' if args.perturb else '')
    out = os.path.join(args.run, f'{name}.json')
    json.dump({'steps': steps, 'epochs': epochs, 'seconds': time.time() - started, 'threads': args.threads, 'torch': torch.__version__,
               'loader': 'pillow' if args.own_loader else 'ulseg inputs.npy'}, open(out, 'w'), indent=1)
    ulseg = record['steps']
    print(f'{"step":>4} {"ulseg":>9} {"torch":>9} {"diff":>9}')
    for index, (ours, theirs) in enumerate(zip(ulseg, steps)):
        print(f'{index + 1:4d} {ours["loss"]:9.5f} {theirs["loss"]:9.5f} {theirs["loss"] - ours["loss"]:+9.5f}')
    for ours, theirs in zip(record['epochs'], epochs):
        print(f'epoch {ours["epoch"]} validation loss (eval mode, running statistics): ulseg {ours["validationLoss"]:.5f} torch {theirs["validationLoss"]:.5f}')
    print(f'wrote {out} ({time.time() - started:.0f} s)')


if __name__ == '__main__':
    main()
