import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { blockSpecs, encoderSpec, ENCODERS, roundFilters, staticSamePad } from './efficientnet-params.js';

const fixtures = new URL('../../../../test/fixtures/', import.meta.url);
const padding = JSON.parse(readFileSync(new URL('b6/static_padding.json', fixtures), 'utf8')) as {
  convs: { name: string; kernel: number[]; stride: number[]; groups: number; in: number; out: number; pad: number[] }[];
};

describe('EfficientNet registry', () => {
  it('derives every B6 encoder conv (224 of them) with its channels, kernel, stride and static pad', () => {
    const spec = encoderSpec('efficientnet-b6');
    const blocks = blockSpecs(spec);
    expect(blocks.length).toBe(45);
    const stem = roundFilters(32, spec.widthCoefficient);
    const derived: { name: string; kernel: number; stride: number; groups: number; in: number; out: number; pad: number[] }[] = [
      { name: 'encoder._conv_stem', kernel: 3, stride: 2, groups: 1, in: 1, out: stem, pad: staticSamePad(3, 2, spec.resolution) },
    ];
    for (const block of blocks) {
      const prefix = `encoder._blocks.${block.index}`;
      const expanded = block.inputFilters * block.expandRatio;
      const none = [0, 0, 0, 0];
      if (block.expandRatio !== 1) derived.push({ name: `${prefix}._expand_conv`, kernel: 1, stride: 1, groups: 1, in: block.inputFilters, out: expanded, pad: none });
      derived.push({ name: `${prefix}._depthwise_conv`, kernel: block.kernel, stride: block.stride, groups: expanded, in: expanded, out: expanded, pad: block.pad });
      derived.push({ name: `${prefix}._se_reduce`, kernel: 1, stride: 1, groups: 1, in: expanded, out: block.squeezed, pad: none });
      derived.push({ name: `${prefix}._se_expand`, kernel: 1, stride: 1, groups: 1, in: block.squeezed, out: expanded, pad: none });
      derived.push({ name: `${prefix}._project_conv`, kernel: 1, stride: 1, groups: 1, in: expanded, out: block.outputFilters, pad: none });
    }
    derived.push({ name: 'encoder._conv_head', kernel: 1, stride: 1, groups: 1, in: blocks.at(-1)!.outputFilters, out: roundFilters(1280, spec.widthCoefficient), pad: [0, 0, 0, 0] });
    const fixture = padding.convs.map((conv) => ({ name: conv.name, kernel: conv.kernel[0]!, stride: conv.stride[0]!, groups: conv.groups, in: conv.in, out: conv.out, pad: conv.pad }));
    expect(derived).toEqual(fixture);
  });
  it('has the feature channels of smp for every variant', () => {
    for (const [name, spec] of Object.entries(ENCODERS)) {
      const blocks = blockSpecs(spec);
      expect(blocks.length, name).toBe(spec.stageIndexes[3]);
      const taps = spec.stageIndexes.map((index) => blocks[index - 1]!.outputFilters);
      expect([roundFilters(32, spec.widthCoefficient), ...taps], name).toEqual(spec.outChannels.slice(1));
    }
  });
  it('names the known encoders when given an unknown one', () => {
    expect(() => encoderSpec('efficientnet-b9')).toThrow(/unknown encoder 'efficientnet-b9'.*efficientnet-b0/);
  });
});
