/**
 * The ulseg page: checks WebGPU and the adapter's limits, creates one Gpu for both tabs, then sets up the Segment tab
 * (ensemble + TTA + post-processing of a dropped scan) and the Train tab (live training on generated phantoms).
 * Settings come from the URL query (see params.ts and README.md).
 */
import { createGpu, describeGpu } from '@ulseg/kernels';
import { describeError, element, pageState, setPhase } from './page-state.js';
import { parseSettings, type PageSettings } from './params.js';
import { checkWebGpu, WebGpuMissingError } from './requirements.js';
import { setUpSegmentPanel } from './segment-panel.js';
import { setUpTrainPanel } from './train-panel.js';

function selectTab(tab: 'segment' | 'train'): void {
  for (const name of ['segment', 'train'] as const) {
    element(`tab-${name}`).setAttribute('aria-selected', String(name === tab));
    element(`panel-${name}`).hidden = name !== tab;
  }
}

async function start(): Promise<void> {
  const state = pageState();
  const banner = element<HTMLDivElement>('gpu-message');
  const fatal = (text: string, phase: string): void => {
    state.fatal = text;
    state.errors.push(text);
    banner.className = 'banner error';
    banner.textContent = text;
    setPhase('gpu', phase);
    for (const button of document.querySelectorAll('button, input')) (button as HTMLButtonElement).disabled = true;
  };
  let settings: PageSettings;
  try {
    settings = parseSettings(new URLSearchParams(location.search).entries());
  } catch (error) {
    fatal(`${describeError(error)} (in the page's URL)`, 'error');
    return;
  }
  element('tab-segment').addEventListener('click', () => selectTab('segment'));
  element('tab-train').addEventListener('click', () => selectTab('train'));
  selectTab(settings.tab);
  try {
    await checkWebGpu();
  } catch (error) {
    fatal(describeError(error), error instanceof WebGpuMissingError ? 'missing' : 'limits');
    return;
  }
  let gpu;
  try {
    gpu = await createGpu({ adapter: 'auto' });
  } catch (error) {
    fatal(describeError(error), 'error');
    return;
  }
  state.gpu = gpu.info;
  banner.className = 'banner info';
  banner.textContent = describeGpu(gpu).split('\n')[0]!;
  banner.title = describeGpu(gpu);
  setPhase('gpu', 'ready');
  void gpu.device.lost.then((lost) => {
    if (lost.reason !== 'destroyed') fatal(`The GPU device was lost (${lost.message || lost.reason}); reload the page.`, 'lost');
  });
  const segment = setUpSegmentPanel(gpu, settings.segment);
  const train = setUpTrainPanel(gpu, settings.train, segment);
  if (settings.train.autostart) void train.start();
}

void start();
