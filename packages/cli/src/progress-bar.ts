/** A progress bar on stderr (cli-progress) for the per-image commands; silent when stderr is not a terminal. */
import cliProgress from 'cli-progress';

export interface ProgressBar {
  /** Sets the bar to `done` of its total, with a short note (e.g. the model being run). */
  update(done: number, note?: string): void;
  /** Removes the bar, so the summary that follows stands alone. */
  stop(): void;
}

export function progressBar(label: string, total: number): ProgressBar {
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {value}/{total} {percentage}% | {duration_formatted} elapsed, ETA {eta_formatted} {note}`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { note: '' });
  return {
    update: (done, note = '') => bar.update(done, { note }),
    stop: () => bar.stop(),
  };
}
