"""Checks linknet_b0.py against the original's outputs kept in test/fixtures/linknet-b0 (smp 0.1.0 +
efficientnet-pytorch 0.6.3 on torch 1.13): same state_dict keys and shapes, eval logits, train-mode logits (drop-connect
off), the Dice loss, and BN running statistics after that training forward. Optionally (--ulseg FILE.npy with
--weights W.safetensors --input X.npy) compares eval logits with ulseg's for the same weights and input.

  python3 bench/parity/check_model.py
  python3 bench/parity/check_model.py --weights init.safetensors --input x.npy --ulseg ulseg-logits.npy
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
from linknet_b0 import LinknetB0, dice_loss  # noqa: E402
from tensors import load_state, read_safetensors  # noqa: E402

FIXTURES = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'linknet-b0')


def fixture(name):
    return os.path.join(FIXTURES, name)


def check(name, got, want, tolerance):
    error = float(np.max(np.abs(np.asarray(got, dtype=np.float64) - np.asarray(want, dtype=np.float64))))
    status = 'ok' if error <= tolerance else 'FAIL'
    print(f'{status:4} {name}: max |diff| {error:.3g} (tolerance {tolerance:.3g})')
    return error <= tolerance


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--weights')
    parser.add_argument('--input')
    parser.add_argument('--ulseg')
    args = parser.parse_args()
    torch.set_num_threads(1)
    ok = True

    expected = json.load(open(fixture('state_dict.json')))
    model = LinknetB0(drop_connect_rate=0)
    state = model.state_dict()
    keys_ok = [(k, list(v.shape)) for k, v in state.items()] == [(k, s) for k, s, _ in expected]
    print(f'{"ok" if keys_ok else "FAIL":4} state_dict: {len(state)} entries, keys and shapes as the original')
    ok &= keys_ok

    weights = torch.load(fixture('model.pth'))
    model.load_state_dict(weights)
    x = torch.from_numpy(np.load(fixture('input.npy')))
    target = torch.from_numpy(np.load(fixture('target.npy')))
    tolerances = json.load(open(fixture('tolerances.json')))
    model.eval()
    with torch.no_grad():
        ok &= check('eval logits vs the original', model(x), np.load(fixture('eval_logits.npy')), 4 * tolerances['eval_logits']['max_abs_f32_vs_f64'] + 1e-6)
    model.train()
    with torch.no_grad():
        logits = model(x)
        loss = dice_loss(logits, target)
    ok &= check('train logits vs the original', logits, np.load(fixture('train_logits.npy')), 4 * tolerances['train_logits']['max_abs_f32_vs_f64'] + 1e-5)
    ok &= check('Dice loss vs the original', loss.item(), json.load(open(fixture('loss.json')))['dice'], 1e-6)
    after, _ = read_safetensors(fixture('bn_after.safetensors'))
    worst = max(float(np.max(np.abs(model.state_dict()[name].float().numpy() - value))) for name, value in after.items())
    ok &= check('BN running statistics after one training forward', worst, 0, 4 * tolerances['bn_after']['max_abs_f32_vs_f64'] + 1e-6)

    if args.ulseg:
        model = LinknetB0(drop_connect_rate=0)
        tensors, _ = read_safetensors(args.weights)
        load_state(model, tensors)
        model.eval()
        with torch.no_grad():
            ours = model(torch.from_numpy(np.load(args.input)))
        ok &= check('eval logits vs ulseg', ours, np.load(args.ulseg), 1e-4)
    print('all checks pass' if ok else 'SOME CHECKS FAIL')
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
