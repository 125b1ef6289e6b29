/**
 * Progress for long commands: a cli-progress bar on stderr when it is a terminal (nothing drawn otherwise), and
 * plain result lines on stdout. progressBar counts items (images, scans, tensors); TrainProgress turns @ulseg/train's
 * events into one bar per fold (loss, Dice, images/s, ETA) and one line per epoch.
 */
import { MultiBar, Presets, SingleBar } from 'cli-progress';
import type { TrainEvent } from '@ulseg/train';
import { stderrIsTerminal } from './dawn-stderr.js';

const interactive = (): boolean => stderrIsTerminal() && !process.env.CI;

/** "1h 02m", "3m 05s", "12s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const whole = Math.round(seconds);
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = whole % 60;
  if (hours > 0) return `${hours}h ${String(minutes).padStart(2, '0')}m`;
  if (minutes > 0) return `${minutes}m ${String(rest).padStart(2, '0')}s`;
  return `${rest}s`;
}

export interface ProgressBar {
  /** Sets the bar to `done` of its total, with a short note (e.g. the model being run). */
  update(done: number, note?: string): void;
  /** One more item done. */
  increment(note?: string): void;
  /** Removes the bar, so the summary that follows stands alone. */
  stop(): void;
}

const SILENT: ProgressBar = { update: () => undefined, increment: () => undefined, stop: () => undefined };

/** A bar for per-item commands: `label [████░░] 12/40 30% | 3s elapsed, ETA 7s note` on a terminal; silent otherwise. */
export function progressBar(label: string, total: number): ProgressBar {
  if (!interactive()) return SILENT;
  const bar = new SingleBar(
    {
      format: `${label} [{bar}] {value}/{total} {percentage}% | {duration_formatted} elapsed, ETA {eta_formatted} {note}`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 20,
    },
    Presets.shades_classic,
  );
  bar.start(total, 0, { note: '' });
  return {
    update: (done, note = '') => bar.update(done, { note }),
    increment: (note = '') => bar.increment(1, { note }),
    stop: () => bar.stop(),
  };
}

/** Renders training events: a bar per fold on a terminal, a line per epoch and per message always. */
export class TrainProgress {
  private bars: MultiBar | undefined;
  private bar: SingleBar | undefined;
  private epochs = 0;
  private steps = 0;
  private startEpoch = 0;

  constructor(private readonly describeBest: (fold: number) => string) {}

  private line(text: string, stream: 'stdout' | 'stderr' = 'stdout'): void {
    if (this.bars) this.bars.log(`${text}\n`);
    else process[stream].write(`${text}\n`);
  }

  handle(event: TrainEvent): void {
    switch (event.type) {
      case 'fold-start': {
        this.epochs = event.epochs;
        this.steps = event.stepsPerEpoch;
        this.startEpoch = event.startEpoch;
        this.line(
          `fold ${event.fold}: ${event.trainImages} training and ${event.validationImages} validation images, ${event.stepsPerEpoch} steps per epoch, ` +
            `epochs ${event.startEpoch + 1}..${event.epochs}; BN recalibration before each validation ${event.bnRecalibration ? 'on' : 'off'}`,
        );
        if (interactive()) {
          this.bars = new MultiBar(
            {
              format: `fold {fold} |{bar}| {percentage}% | epoch {epoch}/{epochs} step {step}/{steps} | loss {loss} Dice {dice} | {speed} img/s | ETA {eta}`,
              hideCursor: true,
              clearOnComplete: true,
            },
            Presets.shades_classic,
          );
          this.bar = this.bars.create((event.epochs - event.startEpoch) * event.stepsPerEpoch, 0, this.payload(event.fold, event.startEpoch, 0));
        }
        return;
      }
      case 'step': {
        const done = (event.epoch - 1 - this.startEpoch) * this.steps + event.step;
        this.bar?.update(done, {
          ...this.payload(event.fold, event.epoch, event.step),
          loss: event.loss.toFixed(4),
          dice: event.dice.toFixed(3),
          speed: event.imagesPerSecond.toFixed(2),
          eta: formatDuration(event.etaSeconds),
        });
        return;
      }
      case 'phase':
        this.bar?.update({ step: event.phase === 'bn-recalibration' ? 'BN recalibration' : event.phase === 'validation' ? 'validating' : 'saving' });
        return;
      case 'epoch': {
        const row = event.row;
        this.line(
          `fold ${row.fold} epoch ${row.epoch}/${this.epochs}: lr ${row.learningRate.toExponential(3)} | train loss ${row.trainLoss.toFixed(4)} Dice ${row.trainDice.toFixed(3)} | ` +
            `validation loss ${row.validationLoss.toFixed(4)} Dice ${row.validationDice.toFixed(3)} IoU ${row.validationIou.toFixed(3)} | ` +
            `${row.imagesPerSecond.toFixed(2)} img/s, ${row.seconds.toFixed(1)} s${row.savedBest ? ' | saved best' : ''}`,
        );
        return;
      }
      case 'fold-end': {
        this.stopBars();
        if (event.skipped) this.line(`fold ${event.fold}: already finished in an earlier run`);
        const best = event.best ? `best epoch ${event.best.epoch} (validation loss ${event.best.validationLoss.toFixed(4)}): ${this.describeBest(event.fold)}` : 'no best checkpoint (no finite validation loss)';
        this.line(`fold ${event.fold} done: ${best}`);
        return;
      }
      case 'message':
        this.line(event.level === 'warning' ? `warning: ${event.text}` : event.text, event.level === 'warning' ? 'stderr' : 'stdout');
        return;
    }
  }

  private payload(fold: number, epoch: number, step: number): Record<string, string | number> {
    return { fold, epoch, epochs: this.epochs, step, steps: this.steps, loss: '-', dice: '-', speed: '-', eta: '?' };
  }

  private stopBars(): void {
    this.bars?.stop();
    this.bars = undefined;
    this.bar = undefined;
  }

  stop(): void {
    this.stopBars();
  }
}
