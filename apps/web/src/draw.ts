/** Pictures on canvases: the scan with the mask overlay, the probability map, the loss chart. */

function context(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D {
  canvas.width = width;
  canvas.height = height;
  const context2d = canvas.getContext('2d');
  if (!context2d) throw new Error('this browser gives no 2D canvas context');
  return context2d;
}

/**
 * The gray scan with the mask: lesion pixels tinted red (α = 0.35) and its boundary (a lesion pixel with a
 * 4-neighbour outside) drawn solid red. gray, mask: row-major H × W, mask in {0, 255}.
 */
export function drawOverlay(canvas: HTMLCanvasElement, gray: Uint8Array, mask: Uint8Array, width: number, height: number): void {
  const context2d = context(canvas, width, height);
  const image = context2d.createImageData(width, height);
  const pixels = image.data;
  const inside = (x: number, y: number): boolean => x >= 0 && y >= 0 && x < width && y < height && mask[y * width + x] !== 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const index = y * width + x;
      const value = gray[index]!;
      let [r, g, b] = [value, value, value];
      if (mask[index] !== 0) {
        const edge = !inside(x - 1, y) || !inside(x + 1, y) || !inside(x, y - 1) || !inside(x, y + 1);
        if (edge) [r, g, b] = [255, 32, 32];
        else [r, g, b] = [0.65 * value + 0.35 * 255, 0.65 * value, 0.65 * value];
      }
      pixels.set([r, g, b, 255], 4 * index);
    }
  }
  context2d.putImageData(image, 0, 0);
}

/** Colour stops of the probability map, p = 0 → 1 (dark blue, teal, yellow). */
const STOPS: readonly (readonly [number, number, number])[] = [
  [13, 8, 64],
  [33, 145, 140],
  [253, 231, 37],
];

/** The probability map p ∈ [0, 1] (row-major H × W), linearly interpolated between {@link STOPS}. */
export function drawProbability(canvas: HTMLCanvasElement, probability: Float32Array, width: number, height: number): void {
  const context2d = context(canvas, width, height);
  const image = context2d.createImageData(width, height);
  for (let index = 0; index < probability.length; index++) {
    const t = Math.min(1, Math.max(0, probability[index]!)) * (STOPS.length - 1);
    const low = Math.min(STOPS.length - 2, Math.floor(t));
    const f = t - low;
    const a = STOPS[low]!;
    const b = STOPS[low + 1]!;
    image.data.set([a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2]), 255], 4 * index);
  }
  context2d.putImageData(image, 0, 0);
}

export interface ChartSeries {
  readonly label: string;
  readonly colour: string;
  /** (x, y) points; x is the global step. */
  readonly points: readonly (readonly [number, number])[];
}

/** A line chart of the series on shared axes (y from 0 to the largest value), with a legend. */
export function drawChart(canvas: HTMLCanvasElement, series: readonly ChartSeries[], xLabel: string): void {
  const width = canvas.clientWidth || 640;
  const height = canvas.clientHeight || 260;
  const context2d = context(canvas, width, height);
  context2d.fillStyle = '#fff';
  context2d.fillRect(0, 0, width, height);
  const all = series.flatMap((entry) => entry.points);
  const left = 48;
  const right = width - 12;
  const top = 24;
  const bottom = height - 32;
  const xMax = Math.max(1, ...all.map(([x]) => x));
  const yMax = Math.max(1e-6, ...all.map(([, y]) => y)) * 1.05;
  const px = (x: number): number => left + ((x - 1) / Math.max(1, xMax - 1)) * (right - left);
  const py = (y: number): number => bottom - (y / yMax) * (bottom - top);
  context2d.strokeStyle = '#999';
  context2d.fillStyle = '#333';
  context2d.font = '11px sans-serif';
  context2d.beginPath();
  context2d.moveTo(left, top);
  context2d.lineTo(left, bottom);
  context2d.lineTo(right, bottom);
  context2d.stroke();
  for (let tick = 0; tick <= 4; tick++) {
    const y = (yMax * tick) / 4;
    context2d.fillText(y.toFixed(2), 4, py(y) + 4);
  }
  context2d.fillText(`${xLabel} (1 … ${xMax})`, left, height - 10);
  series.forEach((entry, index) => {
    context2d.strokeStyle = entry.colour;
    context2d.fillStyle = entry.colour;
    context2d.lineWidth = 2;
    context2d.beginPath();
    entry.points.forEach(([x, y], point) => (point === 0 ? context2d.moveTo(px(x), py(y)) : context2d.lineTo(px(x), py(y))));
    context2d.stroke();
    if (entry.points.length === 1) context2d.fillRect(px(entry.points[0]![0]) - 2, py(entry.points[0]![1]) - 2, 4, 4);
    context2d.fillText(entry.label, left + 8 + index * 140, 14);
  });
  context2d.lineWidth = 1;
}
