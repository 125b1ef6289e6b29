import { describe, expect, it } from 'vitest';
import { DataError } from './errors.js';
import { interpretMask, MAX_MASK_LEVELS, MaskTally } from './mask.js';

const image = (values: number[]) => ({ width: values.length, height: 1, data: Uint8Array.from(values) });

describe('the mask rule', () => {
  it('keeps {0, 255}, reads {0, 1} as 0/1 and binarises anything else at 128', () => {
    expect(interpretMask(image([0, 255, 0]), 'a.png')).toMatchObject({ encoding: 'binary', becameEmpty: false, mask: { data: Uint8Array.of(0, 255, 0) } });
    expect(interpretMask(image([0, 0, 0]), 'a.png').encoding).toBe('binary');
    expect(interpretMask(image([1, 0, 1]), 'a.png')).toMatchObject({ encoding: 'zero-one', mask: { data: Uint8Array.of(255, 0, 255) } });
    expect(interpretMask(image([0, 127, 128, 200]), 'a.png')).toMatchObject({ encoding: 'binarised', becameEmpty: false, mask: { data: Uint8Array.of(0, 0, 255, 255) } });
    expect(interpretMask(image([0, 2, 127]), 'a.png')).toMatchObject({ encoding: 'binarised', becameEmpty: true });
  });

  it('refuses a scan, naming the file', () => {
    const scan = image(Array.from({ length: MAX_MASK_LEVELS + 1 }, (_, index) => index * 7));
    expect(() => interpretMask(scan, 'label/3.png')).toThrow(DataError);
    expect(() => interpretMask(scan, 'label/3.png')).toThrow(/label\/3\.png: 33 grey levels, 91% of the pixels mid-grey, so it looks like a scan, not a mask/);
  });

  it('binarises an antialiased mask of many grey levels: they lie on its edge only', () => {
    const edge = Array.from({ length: 100 }, (_, index) => 2 * index + 20);
    const soft = image([...new Array<number>(200).fill(0), ...edge, ...new Array<number>(200).fill(255)]);
    const read = interpretMask(soft, 'soft.png');
    expect(read.encoding).toBe('binarised');
    expect(read.mask.data.filter((value) => value === 255).length).toBe(200 + edge.filter((value) => value >= 128).length);
  });

  it('words one warning per kind for a folder, counting the masks that became empty', () => {
    const tally = new MaskTally('label');
    tally.add('1.png', interpretMask(image([0, 1]), '1.png'));
    tally.add('2.png', interpretMask(image([0, 255]), '2.png'));
    tally.add('3.png', interpretMask(image([0, 100]), '3.png'));
    tally.add('4.png', interpretMask(image([0, 200]), '4.png'));
    expect(tally.warnings()).toEqual([
      'label: 1 of 4 mask(s) hold only 0 and 1 and were read as 0/1 masks (1 = lesion): 1.png',
      'label: 2 of 4 mask(s) had values other than 0 and 255 and were binarised at 128; 1 of them became empty (3.png): 3.png, 4.png',
    ]);
  });
});
