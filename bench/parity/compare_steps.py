"""Sets the per-step training losses of one parity run side by side: ulseg (steps.json) against PyTorch on ulseg's
inputs (torch-steps.json), and the yardsticks of float32 noise: PyTorch against itself from initial weights moved by
about one float32 ulp (torch-steps-perturbed.json) or with another summation order (torch-steps-t2.json, 2 threads) and PyTorch on its own Pillow loader (torch-steps-own.json). Prints the table and, per
block of 10 steps, the mean and largest |difference| of each pair.

  python3 bench/parity/compare_steps.py RUN_DIR [--markdown]
"""
import argparse
import json
import os


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('run')
    parser.add_argument('--markdown', action='store_true')
    args = parser.parse_args()
    load = lambda name: json.load(open(os.path.join(args.run, name)))['steps']  # noqa: E731
    columns = {'ulseg': load('steps.json'), 'torch': load('torch-steps.json')}
    for name, label in [('torch-steps-perturbed.json', 'torch +1ulp init'), ('torch-steps-t2.json', 'torch 2 threads'),
                        ('torch-steps-own.json', 'torch own loader')]:
        if os.path.exists(os.path.join(args.run, name)):
            columns[label] = load(name)
    labels = list(columns)
    count = min(len(steps) for steps in columns.values())
    loss = {label: [columns[label][index]['loss'] for index in range(count)] for label in labels}
    if args.markdown:
        print('| step | ' + ' | '.join(labels) + ' |')
        print('|---:|' + '---:|' * len(labels))
        for index in range(count):
            print(f'| {index + 1} | ' + ' | '.join(f'{loss[label][index]:.4f}' for label in labels) + ' |')
    else:
        print(f'{"step":>4} ' + ' '.join(f'{label:>16}' for label in labels))
        for index in range(count):
            print(f'{index + 1:4d} ' + ' '.join(f'{loss[label][index]:16.5f}' for label in labels))
    pairs = [('ulseg', 'torch')] + [('torch', label) for label in labels[2:]]
    print()
    print('|difference| of the per-step loss, mean / max per block of steps:')
    for left, right in pairs:
        blocks = []
        for start in range(0, count, 10):
            diffs = [abs(loss[left][i] - loss[right][i]) for i in range(start, min(start + 10, count))]
            blocks.append(f'steps {start + 1}-{start + len(diffs)}: {sum(diffs) / len(diffs):.4f} / {max(diffs):.4f}')
        print(f'  {left} vs {right}: ' + '; '.join(blocks))
    print()
    print('mean loss per epoch: ' + '; '.join(
        f'{label} ' + ', '.join(f'{sum(v["loss"] for v in columns[label][:count] if v["epoch"] == e) / sum(1 for v in columns[label][:count] if v["epoch"] == e):.4f}'
                                for e in sorted({v['epoch'] for v in columns[label][:count]}))
        for label in labels))


if __name__ == '__main__':
    main()
