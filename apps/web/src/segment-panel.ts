/** The Segment tab: weights (URL list, bundled demo weights, or chosen files), a dropped scan, the results. */
import type { DecodedImage } from '@ulseg/data';
import type { Gpu } from '@ulseg/kernels';
import { drawOverlay, drawProbability } from './draw.js';
import { base64, describeError, element, formatMs, pageState, setPhase } from './page-state.js';
import { parseSettings, type SegmentSettings } from './params.js';
import { explainLimitError } from './requirements.js';
import { decodeScan } from './scans.js';
import { bundledWeights, bytesSource, fetchBytes, segmentScan, urlSource, type WeightsSource } from './segment.js';

export interface SegmentPanel {
  /** Replaces the ensemble with these sources (e.g. a model trained on the page). */
  useWeights(sources: readonly WeightsSource[], origin: string): void;
}

function fillForm(settings: SegmentSettings): void {
  element<HTMLInputElement>('opt-resolution').value = String(settings.resolution);
  element<HTMLInputElement>('opt-tta').value = settings.tta.join(',');
  element<HTMLInputElement>('opt-threshold').value = String(settings.threshold);
  element<HTMLInputElement>('opt-rsip').value = String(settings.rsip);
  element<HTMLInputElement>('opt-kernel').value = String(settings.kernel);
  element<HTMLInputElement>('opt-fill-holes').checked = settings.fillHoles;
}

/** The form's options, checked by the same parser as the URL's. */
function readForm(base: SegmentSettings): SegmentSettings {
  const value = (id: string): string => element<HTMLInputElement>(id).value;
  const parsed = parseSettings([
    ['resolution', value('opt-resolution')],
    ['tta', value('opt-tta')],
    ['threshold', value('opt-threshold')],
    ['rsip', value('opt-rsip')],
    ['kernel', value('opt-kernel')],
    ['fill-holes', element<HTMLInputElement>('opt-fill-holes').checked ? '1' : '0'],
  ]).segment;
  return { ...parsed, weights: base.weights, scan: base.scan };
}

function showTimings(rows: readonly [string, number][]): void {
  const table = element<HTMLTableElement>('timings');
  table.replaceChildren();
  const head = table.insertRow();
  for (const title of ['phase', 'time']) head.appendChild(Object.assign(document.createElement('th'), { textContent: title }));
  for (const [name, ms] of rows) {
    const row = table.insertRow();
    row.insertCell().textContent = name;
    Object.assign(row.insertCell(), { textContent: formatMs(ms), className: 'number' });
  }
  table.hidden = false;
}

export function setUpSegmentPanel(gpu: Gpu, settings: SegmentSettings): SegmentPanel {
  const state = pageState();
  const status = element<HTMLDivElement>('segment-status');
  const weightsStatus = element<HTMLDivElement>('weights-status');
  const runButton = element<HTMLButtonElement>('segment-run');
  let sources: WeightsSource[] = [];
  let scan: { name: string; image: DecodedImage; decodeMs: number } | undefined;
  let busy = false;
  fillForm(settings);

  const fail = (where: HTMLElement, phase: 'weights' | 'segment', error: unknown): void => {
    const text = (error instanceof Error && explainLimitError(error)) || describeError(error);
    state.errors.push(text);
    where.textContent = text;
    where.className = 'banner error';
    setPhase(phase, 'error');
  };

  const useWeights = (loaded: readonly WeightsSource[], origin: string): void => {
    sources = [...loaded];
    state.weights = sources.map(({ name, bytes, encoder }) => ({ name, bytes, encoder }));
    weightsStatus.className = '';
    weightsStatus.textContent =
      `${sources.length} checkpoint${sources.length === 1 ? '' : 's'} (${origin}): ` +
      sources.map((source) => `${source.name.split('/').slice(-2).join('/')} (${source.encoder}, ${(source.bytes / 2 ** 20).toFixed(1)} MiB)`).join('; ');
    setPhase('weights', 'ready');
    runButton.disabled = scan === undefined;
    if (scan) void run();
  };

  const run = async (): Promise<void> => {
    if (busy || !scan) return;
    if (sources.length === 0) {
      status.className = 'banner info';
      status.textContent = 'Choose checkpoints first (.safetensors or .pth), then the scan is segmented.';
      return;
    }
    busy = true;
    runButton.disabled = true;
    setPhase('segment', 'running');
    status.className = '';
    try {
      const options = readForm(settings);
      status.textContent = `segmenting ${scan.name} with ${sources.length} model${sources.length === 1 ? '' : 's'} × ${options.tta.length} view${options.tta.length === 1 ? '' : 's'}…`;
      const result = await segmentScan(gpu, sources, scan.image, options, (line) => (status.textContent = line));
      drawOverlay(element('overlay'), scan.image.data, result.mask, result.width, result.height);
      drawProbability(element('probability'), result.probability, result.width, result.height);
      const timings = { decode: scan.decodeMs, ...result.timings, models: [...result.timings.models] };
      showTimings([
        ['decode the scan', timings.decode],
        ...timings.models.flatMap((model, index): [string, number][] => [
          [`model ${index + 1} (${model.encoder}): read + upload weights`, model.loadMs],
          [`model ${index + 1}: forward × ${options.tta.length} view${options.tta.length === 1 ? '' : 's'}, resize`, model.passMs],
        ]),
        ['ensemble with TTA (all models)', timings.ensemble],
        ['post-processing (RSIP + edge median)', timings.postprocess],
        ['total', timings.decode + timings.total],
      ]);
      const lesion = result.mask.reduce((count, value) => count + (value !== 0 ? 1 : 0), 0);
      status.textContent =
        `${scan.name}: ${result.width}×${result.height}, lesion ${lesion} px (${((100 * lesion) / result.mask.length).toFixed(1)}%), ` +
        `${result.removedRegions} small region${result.removedRegions === 1 ? '' : 's'} removed; ${formatMs(timings.decode + timings.total)} in all`;
      state.segment = {
        scan: scan.name,
        width: result.width,
        height: result.height,
        mask: base64(result.mask),
        rawMask: base64(result.rawMask),
        probability: base64(new Uint8Array(result.probability.buffer, result.probability.byteOffset, result.probability.byteLength)),
        removedRegions: result.removedRegions,
        timings,
      };
      setPhase('segment', 'done');
    } catch (error) {
      fail(status, 'segment', error);
    } finally {
      busy = false;
      runButton.disabled = scan === undefined || sources.length === 0;
    }
  };

  const takeScan = async (bytes: Uint8Array, name: string): Promise<void> => {
    try {
      const start = performance.now();
      const image = await decodeScan(bytes, name);
      scan = { name, image, decodeMs: performance.now() - start };
      await run();
    } catch (error) {
      fail(status, 'segment', error);
    }
  };

  const takeWeightFiles = async (files: readonly File[]): Promise<void> => {
    setPhase('weights', 'loading');
    weightsStatus.textContent = `reading ${files.length} checkpoint${files.length === 1 ? '' : 's'}…`;
    try {
      const loaded: WeightsSource[] = [];
      for (const file of files) loaded.push(await bytesSource(file.name, new Uint8Array(await file.arrayBuffer())));
      useWeights(loaded, 'chosen files');
    } catch (error) {
      fail(weightsStatus, 'weights', error);
    }
  };

  element<HTMLInputElement>('weights-input').addEventListener('change', (event) => {
    const files = [...((event.target as HTMLInputElement).files ?? [])];
    if (files.length > 0) void takeWeightFiles(files);
  });
  element<HTMLInputElement>('scan-input').addEventListener('change', (event) => {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (file) void file.arrayBuffer().then((buffer) => takeScan(new Uint8Array(buffer), file.name));
  });
  const drop = element<HTMLDivElement>('drop');
  drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('over');
    const files = [...(event.dataTransfer?.files ?? [])];
    const weights = files.filter((file) => /\.(safetensors|pth|pt)$/i.test(file.name));
    const image = files.find((file) => !weights.includes(file));
    void (async () => {
      if (weights.length > 0) await takeWeightFiles(weights);
      if (image) await takeScan(new Uint8Array(await image.arrayBuffer()), image.name);
    })();
  });
  runButton.addEventListener('click', () => void run());

  // The weights named in the URL, else the bundled demo weights; then the scan named in the URL, if any.
  void (async () => {
    setPhase('weights', 'loading');
    try {
      const urls = settings.weights.length > 0 ? settings.weights.map((url) => new URL(url, location.href).href) : await bundledWeights(location.href);
      if (urls.length === 0) {
        weightsStatus.textContent = 'No bundled weights next to the page (weights/fold*/best.safetensors): choose checkpoints above.';
        setPhase('weights', 'none');
      } else {
        weightsStatus.textContent = `fetching ${urls.length} checkpoint${urls.length === 1 ? '' : 's'}…`;
        const loaded: WeightsSource[] = [];
        for (const url of urls) loaded.push(await urlSource(url));
        useWeights(loaded, settings.weights.length > 0 ? 'from the URL' : 'bundled demo weights');
      }
      if (settings.scan) await takeScan(await fetchBytes(new URL(settings.scan, location.href).href), settings.scan.split('/').pop() ?? settings.scan);
    } catch (error) {
      fail(weightsStatus, 'weights', error);
    }
  })();

  return { useWeights };
}
