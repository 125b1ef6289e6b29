import type { GrayImage } from '../png.js';
import type { Random } from '@ulseg/base';
import { randomLesionShape, rasterizeLesion, type RasterLesion } from './lesion.js';
import { boxBlur, fastLog2, fractalNoise, noise1d, speckleIntensity, smoothstep } from './texture.js';

/** What to draw: the image size and the lesion's area in pixels. */
export interface PhantomSpec {
  readonly width: number;
  readonly height: number;
  readonly targetArea: number;
}

export interface PhantomInfo extends PhantomSpec {
  /** Foreground pixels of the mask (equals targetArea unless the tissue is too small to hold it). */
  readonly area: number;
  readonly echo: 'hypoechoic' | 'hyperechoic';
  readonly posterior: 'enhancement' | 'shadow' | 'none';
}

export interface PhantomScan {
  readonly image: GrayImage;
  /** {0, 255}: exactly the lesion. */
  readonly mask: GrayImage;
  readonly info: PhantomInfo;
}

/**
 * One synthetic B-mode scan. The picture is built as echo amplitude (tissue layers, fascia, muscle streaks, a lesion
 * with a soft edge and posterior enhancement or shadow, depth attenuation with time-gain compensation) times
 * speckle (see speckleIntensity), then log-compressed to 8 bits like a scanner's display; black margins and probe
 * clutter on top. Uses only `random`, so a seed gives the same bytes every time.
 */
export function renderPhantom(random: Random, spec: PhantomSpec): PhantomScan {
  const { width, height } = spec;
  const pixels = width * height;
  const echo = new Float32Array(pixels);

  // Geometry: black rows at the top, the probe line, gel above a curved skin line, thin black margins.
  const top = random.integer(1, 3);
  const marginLeft = random.integer(0, 2);
  const marginRight = random.integer(0, 2);
  const marginBottom = random.integer(0, 4);
  const skin = skinLine(random, width, height, top);
  const skinThickness = random.integer(4, 9);
  const tissueTop = Float32Array.from(skin, (value) => value + skinThickness);

  // Tissue layers follow the skin's curve: interfaces at depths below the skin, each with its own wobble and tilt.
  const interfaceCount = random.integer(3, 6);
  const depths = Array.from({ length: interfaceCount }, () => random.uniform(skinThickness + 8, height * 1.05)).sort((a, b) => a - b);
  const interfaces = depths.map((depth) => ({
    depth,
    wobble: noise1d(random, width, random.uniform(40, 160)),
    wobbleAmplitude: random.uniform(1, 8),
    tilt: random.uniform(-0.06, 0.06),
    strength: random.uniform(2, 6),
    thickness: random.uniform(1.2, 2.5),
    breaks: noise1d(random, width, random.uniform(20, 80)),
  }));
  const levels = Array.from({ length: interfaceCount + 1 }, (_, index) => (index % 2 === 0 ? random.uniform(0.3, 0.55) : random.uniform(0.45, 0.8)));
  const texture = fractalNoise(random, width, height, random.uniform(36, 70), random.uniform(10, 18), 3, 0.55);
  const regional = fractalNoise(random, width, height, 150, 80, 1);
  const boundaries = new Float32Array(interfaceCount * width);
  for (let index = 0; index < interfaceCount; index++) {
    const layer = interfaces[index] as (typeof interfaces)[number];
    for (let x = 0; x < width; x++) {
      boundaries[index * width + x] = (skin[x] as number) + layer.depth + layer.wobbleAmplitude * (layer.wobble[x] as number) + layer.tilt * (x - width / 2);
    }
  }
  // Row by row, with each column's current layer carried down (rows only ever cross interfaces downwards).
  const layerOf = new Int32Array(width);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const index = y * width + x;
      const shade = (0.6 + 0.8 * (texture[index] as number)) * (0.75 + 0.5 * (regional[index] as number));
      if (y < (skin[x] as number)) echo[index] = 0.015 * shade;
      else if (y < (tissueTop[x] as number)) echo[index] = 1.3 * shade;
      else {
        let layer = layerOf[x] as number;
        while (layer < interfaceCount && y > (boundaries[layer * width + x] as number)) layer++;
        layerOf[x] = layer;
        let level = levels[layer] as number;
        // A soft step over the first 3 px below an interface, where a broken fascia would leave a hard edge.
        const below = layer > 0 ? y - (boundaries[(layer - 1) * width + x] as number) : 3;
        if (below < 3) level = (levels[layer - 1] as number) + (level - (levels[layer - 1] as number)) * (0.5 + below / 6);
        echo[index] = level * shade;
      }
    }
  }
  // Fascia: a thin bright line at each interface, broken up along its length; the probe's line at the top.
  for (let x = 0; x < width; x++) {
    for (let index = 0; index < interfaceCount; index++) {
      const layer = interfaces[index] as (typeof interfaces)[number];
      const strength = layer.strength * Math.max(0, 0.6 + (layer.breaks[x] as number));
      addLine(echo, width, height, x, boundaries[index * width + x] as number, layer.thickness, strength, tissueTop[x] as number);
    }
    addLine(echo, width, height, x, top + 0.5, 0.7, 2.2, 0);
  }
  addStreaks(random, echo, width, height, tissueTop, random.integer(15, 60));
  addClutter(random, echo, width, height, top, skin);

  // The lesion, placed below the skin and clipped to the tissue; its area is exactly the target where it fits.
  const allowed = new Uint8Array(pixels);
  for (let y = 0; y < height - marginBottom; y++) {
    for (let x = marginLeft; x < width - marginRight; x++) if (y > (tissueTop[x] as number)) allowed[y * width + x] = 1;
  }
  const lesion = placeLesion(random, spec, allowed, tissueTop);
  const kind = random.next();
  // Lesion echo relative to the tissue around it: hypoechoic 0.25–0.55 (−5 to −12 dB), hyperechoic 2.2–3 (+7 to +10 dB),
  // enough above the speckle's spread to be visible, as the challenge's lesions are to a sonographer.
  const echoKind: PhantomInfo['echo'] = kind < 0.75 ? 'hypoechoic' : 'hyperechoic';
  const factor = echoKind === 'hypoechoic' ? random.uniform(0.25, 0.55) : random.uniform(2.2, 3);
  // The lesion's own texture (no layers, no fibres) replaces the tissue's inside a soft edge.
  const { x0, y0, x1, y1 } = lesion.bounds;
  const boxWidth = x1 - x0 + 1;
  const lesionTexture = fractalNoise(random, boxWidth, y1 - y0 + 1, random.uniform(14, 40), random.uniform(6, 14), 2, 0.6);
  const edgeWidth = random.uniform(1.2, 4);
  const rim = random.chance(0.3) ? random.uniform(0.1, 0.35) : 0;
  const reach = -(edgeWidth / 2 + (rim > 0 ? 8 : 0));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const index = y * width + x;
      const distance = (1 - (lesion.relativeRadius[index] as number)) * lesion.semiAxis;
      if (distance < reach) continue;
      const weight = smoothstep(distance / edgeWidth + 0.5);
      const inner = 0.5 * factor * (0.5 + (lesionTexture[(y - y0) * boxWidth + x - x0] as number));
      echo[index] = (echo[index] as number) * (1 - weight) + inner * weight + (rim > 0 ? rim * Math.exp(-((distance / 2.5) ** 2)) : 0);
    }
  }
  const posteriorKind = random.next();
  const posterior: PhantomInfo['posterior'] = posteriorKind < 0.55 ? 'enhancement' : posteriorKind < 0.8 ? 'shadow' : 'none';
  if (posterior !== 'none') {
    const strength = posterior === 'enhancement' ? random.uniform(0.5, 1.2) : -random.uniform(0.35, 0.65);
    applyPosterior(echo, width, height, lesion, strength, height * random.uniform(0.4, 1.5));
  }

  // Depth attenuation with partial time-gain compensation, a weaker beam at the sides, speckle, and log compression:
  // value = 255 · (10 log10(amplitude²) − floor) / dynamic range.
  const attenuation = random.uniform(0.6, 1.5);
  const timeGain = random.uniform(0.2, 1.0);
  const speckle = speckleIntensity(random, width, height, random.integer(1, 2), 1);
  const speckleContrast = random.uniform(0.9, 1.2);
  const dynamicRange = random.uniform(34, 42);
  const floor = -random.uniform(14, 19);
  const scale = (255 * 10 * Math.LOG10E * Math.LN2) / dynamicRange;
  const offset = (-255 * floor) / dynamicRange;
  const sideGain = Float32Array.from({ length: width }, (_, x) => 1 - 0.18 * ((2 * x) / width - 1) ** 4);
  const image = new Uint8Array(pixels);
  for (let y = top; y < height - marginBottom; y++) {
    const depth = y / height;
    const gain = Math.exp(-attenuation * depth) * (1 + timeGain * depth * depth);
    for (let x = marginLeft; x < width - marginRight; x++) {
      const index = y * width + x;
      const amplitude = (echo[index] as number) * gain * (sideGain[x] as number);
      const value = scale * (fastLog2(amplitude * amplitude + 1e-12) + speckleContrast * fastLog2(speckle[index] as number)) + offset;
      image[index] = value < 0 ? 0 : value > 255 ? 255 : Math.round(value);
    }
  }
  const mask = new Uint8Array(pixels);
  for (let index = 0; index < pixels; index++) mask[index] = lesion.inside[index] === 1 ? 255 : 0;
  return {
    image: { width, height, data: image },
    mask: { width, height, data: mask },
    info: { ...spec, area: lesion.area, echo: echoKind, posterior },
  };
}

/** Skin line per column: a little below the probe, arched or tilted, sometimes with a gel-filled pocket at one side. */
function skinLine(random: Random, width: number, height: number, top: number): Float32Array {
  const arch = random.chance(0.5) ? random.uniform(0, 45) : random.uniform(0, 8);
  const tilt = random.uniform(-0.03, 0.03);
  const wobble = noise1d(random, width, random.uniform(60, 200));
  const pocket = random.chance(0.3) ? { depth: random.uniform(15, 0.3 * height), end: random.uniform(0.2, 0.5) * width, left: random.chance(0.5) } : null;
  const line = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    const centred = x / width - 0.5;
    let y = top + 3 + arch * 4 * centred * centred + tilt * x + (tilt < 0 ? -tilt * width : 0) + 2.5 * ((wobble[x] as number) + 1);
    if (pocket !== null) {
      const from = pocket.left ? x : width - 1 - x;
      y += pocket.depth * (1 - smoothstep((from - pocket.end + 30) / 60));
    }
    line[x] = y;
  }
  return line;
}

/** Adds a horizontal line of Gaussian profile centred at row `centre` in column x (not above `ceiling`). */
function addLine(echo: Float32Array, width: number, height: number, x: number, centre: number, thickness: number, strength: number, ceiling: number): void {
  if (strength <= 0) return;
  const from = Math.max(Math.ceil(ceiling), Math.floor(centre - 3 * thickness));
  const to = Math.min(height - 1, Math.ceil(centre + 3 * thickness));
  for (let y = Math.max(0, from); y <= to; y++) {
    const offset = (y - centre) / thickness;
    echo[y * width + x] = (echo[y * width + x] as number) + strength * Math.exp(-offset * offset);
  }
}

/** Short bright streaks (muscle fibres, small fascia), tapered at both ends. */
function addStreaks(random: Random, echo: Float32Array, width: number, height: number, tissueTop: Float32Array, count: number): void {
  for (let streak = 0; streak < count; streak++) {
    const length = random.uniform(12, 90);
    const start = random.uniform(-length / 2, width - length / 2);
    const depth = random.uniform(4, height);
    const slope = random.uniform(-0.08, 0.08);
    const thickness = random.uniform(0.8, 1.6);
    const strength = random.uniform(0.3, 1.2);
    for (let step = 0; step < length; step++) {
      const x = Math.round(start + step);
      if (x < 0 || x >= width) continue;
      const taper = Math.sin((Math.PI * (step + 0.5)) / length);
      addLine(echo, width, height, x, (tissueTop[x] as number) + depth + slope * step, thickness, strength * taper, tissueTop[x] as number);
    }
  }
}

/** Reverberation and clutter from the probe: short bright dashes in the gel and the first millimetres below the skin. */
function addClutter(random: Random, echo: Float32Array, width: number, height: number, top: number, skin: Float32Array): void {
  const count = random.integer(2, 14);
  for (let dash = 0; dash < count; dash++) {
    const length = random.uniform(4, 28);
    const start = random.uniform(0, width - length);
    const row = top + 2 + random.uniform(0, Math.max(4, (skin[Math.floor(start)] as number) - top + 6));
    const strength = random.uniform(0.8, 3);
    for (let step = 0; step < length; step++) {
      const x = Math.floor(start + step);
      addLine(echo, width, height, x, row, random.uniform(0.8, 1.6), strength * Math.sin((Math.PI * (step + 0.5)) / length), 0);
    }
  }
}

function placeLesion(random: Random, spec: PhantomSpec, allowed: Uint8Array, tissueTop: Float32Array): RasterLesion {
  const { width, height, targetArea } = spec;
  const provisional = randomLesionShape(random, 0, 0);
  const shortAxis = Math.sqrt(targetArea / (Math.PI * provisional.aspect));
  const halfWidth = shortAxis * provisional.aspect;
  const centerX = halfWidth * 1.6 < width ? random.uniform(halfWidth * 0.8, width - halfWidth * 0.8) : width / 2;
  const columnTop = tissueTop[Math.min(width - 1, Math.max(0, Math.round(centerX)))] as number;
  const lowest = Math.max(columnTop + shortAxis, height - shortAxis * 0.8);
  const centerY = Math.min(columnTop + shortAxis * random.uniform(1.0, 1.8), lowest);
  return rasterizeLesion({ ...provisional, centerX, centerY }, width, height, allowed, targetArea);
}

/** Posterior acoustic enhancement (strength > 0) or shadow (< 0) in the columns below the lesion, fading with depth. */
function applyPosterior(echo: Float32Array, width: number, height: number, lesion: RasterLesion, strength: number, decay: number): void {
  const bottom = new Float32Array(width).fill(-1);
  const profile = new Float32Array(width);
  let thickest = 1;
  let first = width;
  let last = -1;
  for (let x = 0; x < width; x++) {
    let thickness = 0;
    for (let y = 0; y < height; y++) {
      if (lesion.inside[y * width + x] === 1) {
        thickness++;
        bottom[x] = y;
      }
    }
    profile[x] = thickness;
    thickest = Math.max(thickest, thickness);
    if (thickness > 0) {
      first = Math.min(first, x);
      last = x;
    }
  }
  if (last < 0) return;
  for (let x = 0; x < width; x++) profile[x] = Math.sqrt((profile[x] as number) / thickest);
  // Soft sides: the beam's width spreads the effect laterally.
  const spread = Math.max(3, Math.round(0.08 * (last - first)));
  boxBlur(profile, width, 1, spread, 0);
  boxBlur(profile, width, 1, spread, 0);
  const fade = Float32Array.from({ length: height + 1 }, (_, distance) => strength * smoothstep(distance / 6) * Math.exp(-distance / decay));
  for (let x = 0; x < width; x++) {
    const nearest = x < first ? first : x > last ? last : x;
    const start = (bottom[nearest] as number) - 1;
    const weight = profile[x] as number;
    if (start < 0 || weight < 0.01) continue;
    for (let y = start; y < height; y++) {
      echo[y * width + x] = (echo[y * width + x] as number) * Math.max(0.05, 1 + weight * (fade[y - start] as number));
    }
  }
}
