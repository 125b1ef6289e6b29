/** The Train tab: settings, start / stop, the live loss chart, the log, the trained model. */
import type { Gpu } from '@ulseg/kernels';
import type { TrainEvent } from '@ulseg/train';
import { drawChart } from './draw.js';
import { describeError, element, pageState, setPhase } from './page-state.js';
import { parseSettings, type TrainSettings } from './params.js';
import { explainLimitError } from './requirements.js';
import type { SegmentPanel } from './segment-panel.js';
import { bytesSource } from './segment.js';
import { trainOnPhantoms, type TrainStep } from './train.js';

const FIELDS = ['images', 'validation', 'resolution', 'batch', 'epochs', 'lr', 'seed'] as const;

function fillForm(settings: TrainSettings): void {
  const values: Record<(typeof FIELDS)[number], number> = {
    images: settings.images,
    validation: settings.validation,
    resolution: settings.resolution,
    batch: settings.batch,
    epochs: settings.epochs,
    lr: settings.learningRate,
    seed: settings.seed,
  };
  for (const field of FIELDS) element<HTMLInputElement>(`train-${field}`).value = String(values[field]);
  element<HTMLInputElement>('train-augment').checked = settings.augment;
}

/** The form's settings over `base` (size, encoder, loss weight stay as the URL set them), checked as the URL's. */
function readForm(base: TrainSettings): TrainSettings {
  const pairs: [string, string][] = FIELDS.map((field) => [`train-${field}`, element<HTMLInputElement>(`train-${field}`).value]);
  pairs.push(['train-augment', element<HTMLInputElement>('train-augment').checked ? '1' : '0']);
  const parsed = parseSettings(pairs).train;
  return { ...base, ...Object.fromEntries(Object.entries(parsed).filter(([key]) => ['images', 'validation', 'resolution', 'batch', 'epochs', 'learningRate', 'seed', 'augment'].includes(key))) };
}

function describeEvent(event: TrainEvent): string | undefined {
  switch (event.type) {
    case 'fold-start':
      return `training on ${event.trainImages} phantoms, validating on ${event.validationImages}: ${event.epochs} epochs of ${event.stepsPerEpoch} steps`;
    case 'epoch': {
      const row = event.row;
      return (
        `epoch ${row.epoch}: train loss ${row.trainLoss.toFixed(4)}, Dice ${row.trainDice.toFixed(3)}; validation loss ${row.validationLoss.toFixed(4)}, ` +
        `Dice ${row.validationDice.toFixed(3)}, IoU ${row.validationIou.toFixed(3)}${row.savedBest ? ' (best so far)' : ''}; ${row.seconds.toFixed(1)} s, ${row.imagesPerSecond.toPrecision(2)} images/s`
      );
    }
    case 'message':
      return event.text;
    default:
      return undefined;
  }
}

export function setUpTrainPanel(gpu: Gpu, settings: TrainSettings, segment: SegmentPanel): { start(): Promise<void> } {
  const state = pageState();
  const status = element<HTMLDivElement>('train-status');
  const log = element<HTMLPreElement>('train-log');
  const startButton = element<HTMLButtonElement>('train-start');
  const stopButton = element<HTMLButtonElement>('train-stop');
  const download = element<HTMLAnchorElement>('train-download');
  const useButton = element<HTMLButtonElement>('train-use');
  const chart = element<HTMLCanvasElement>('train-chart');
  let controller: AbortController | undefined;
  let best: Uint8Array | undefined;
  fillForm(settings);

  const redraw = (steps: readonly TrainStep[], validation: readonly (readonly [number, number])[]): void =>
    drawChart(
      chart,
      [
        { label: 'training loss (per step)', colour: '#3070c0', points: steps.map((step) => [step.step, step.loss] as const) },
        { label: 'validation loss (per epoch)', colour: '#d06020', points: validation },
      ],
      'step',
    );

  const start = async (): Promise<void> => {
    if (controller) return;
    let options: TrainSettings;
    try {
      options = readForm(settings);
    } catch (error) {
      status.className = 'banner error';
      status.textContent = describeError(error);
      state.errors.push(status.textContent);
      setPhase('train', 'error');
      return;
    }
    controller = new AbortController();
    startButton.disabled = true;
    stopButton.disabled = false;
    download.hidden = true;
    useButton.hidden = true;
    status.className = '';
    log.textContent = '';
    setPhase('train', 'running');
    const steps: TrainStep[] = [];
    const validation: [number, number][] = [];
    state.train = { steps, epochs: [] };
    redraw(steps, validation);
    try {
      const outcome = await trainOnPhantoms(gpu, options, {
        signal: controller.signal,
        onStep: (step) => {
          steps.push(step);
          status.textContent = `epoch ${step.epoch}/${options.epochs}, step ${step.step}: loss ${step.loss.toFixed(4)}, batch Dice ${step.dice.toFixed(3)}, learning rate ${step.learningRate.toExponential(2)}`;
          redraw(steps, validation);
        },
        onEvent: (event) => {
          if (event.type === 'epoch') {
            validation.push([steps.at(-1)?.step ?? event.row.epoch, event.row.validationLoss]);
            state.train!.epochs.push(event.row);
            redraw(steps, validation);
          }
          const line = describeEvent(event);
          if (line) log.textContent += `${line}\n`;
        },
      });
      state.train.seconds = outcome.seconds;
      best = outcome.best;
      status.textContent = `done: ${outcome.steps.length} steps in ${outcome.seconds.toFixed(1)} s; loss ${outcome.steps[0]?.loss.toFixed(4)} → ${outcome.steps.at(-1)?.loss.toFixed(4)}`;
      if (best) {
        download.href = URL.createObjectURL(new Blob([best as BlobPart], { type: 'application/octet-stream' }));
        download.hidden = false;
        useButton.hidden = false;
      }
      setPhase('train', 'done');
    } catch (error) {
      const stopped = error instanceof Error && error.name === 'TrainingStopped';
      const text = stopped ? `stopped after ${steps.length} steps` : (error instanceof Error && explainLimitError(error)) || describeError(error);
      status.className = stopped ? '' : 'banner error';
      status.textContent = text;
      if (!stopped) state.errors.push(text);
      setPhase('train', stopped ? 'stopped' : 'error');
    } finally {
      controller = undefined;
      startButton.disabled = false;
      stopButton.disabled = true;
    }
  };

  startButton.addEventListener('click', () => void start());
  stopButton.addEventListener('click', () => controller?.abort());
  useButton.addEventListener('click', () => {
    if (!best) return;
    void bytesSource('trained-on-page/best.safetensors', best).then(
      (source) => {
        segment.useWeights([source], 'trained on this page');
        element<HTMLButtonElement>('tab-segment').click();
      },
      (error: unknown) => (status.textContent = describeError(error)),
    );
  });
  return { start };
}
