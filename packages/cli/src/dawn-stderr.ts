/**
 * Dawn prints `Warning: maxDynamic{Uniform,Storage}BuffersPerPipelineLayout artificially reduced from N to 16 to fit
 * dynamic offset allocation limit.` from native code (dawn/native/Limits.cpp, an unconditional dawn::WarningLog) to
 * file descriptor 2 whenever it enumerates adapters whose driver reports more dynamic buffers than Dawn supports
 * (lavapipe, RADV, NVIDIA). No Dawn toggle or requested limit avoids it, and Node cannot redirect descriptor 2, so
 * the commands that start a GPU run in a child process whose stderr the parent passes on without those two lines:
 * stderr keeps ulseg's own words. The child knows the parent's stderr is a terminal (ULSEG_STDERR_TTY) for its
 * progress bars; the parent passes Ctrl-C (SIGINT), SIGTERM and SIGHUP on to it and exits with its exit code, and the
 * child ends at once if the parent is killed outright (the IPC channel between them closes).
 */
import { spawn } from 'node:child_process';

const CHILD = 'ULSEG_STDERR_FILTERED';
export const DAWN_LIMIT_WARNING = /Warning: maxDynamic(?:Uniform|Storage)BuffersPerPipelineLayout artificially reduced from \d+ to \d+ to fit dynamic offset allocation limit\.\r?\n?/g;

/** Whether the parent's stderr is a terminal, in this process or (in the child) in the parent. */
export function stderrIsTerminal(): boolean {
  return Boolean(process.stderr.isTTY) || process.env.ULSEG_STDERR_TTY === '1';
}

/**
 * Whether the command line `args` (after `node ulseg.js`) runs a command of `gpuCommands`: its first word is one, and
 * it does not only ask for help (`-h`/`--help` before any `--`), which prints the usage without starting a GPU.
 */
export function startsGpu(args: readonly string[], gpuCommands: ReadonlySet<string>): boolean {
  const command = args.find((token) => !token.startsWith('-'));
  if (command === undefined || !gpuCommands.has(command)) return false;
  const end = args.indexOf('--');
  return !(end === -1 ? args : args.slice(0, end)).some((token) => token === '--help' || token === '-h');
}

/**
 * In the parent, for a command in `gpuCommands` that starts a GPU (startsGpu): runs this same script as a child with the filter, and resolves to
 * true once the exit code is set (the caller then does nothing more). Elsewhere resolves to false at once.
 */
export function runFilteredChild(gpuCommands: ReadonlySet<string>): Promise<boolean> {
  if (process.env[CHILD] === '1' && process.channel) {
    // A parent killed outright (SIGKILL, OOM) closes the IPC channel: the child goes the same way, at once, rather
    // than run on unseen (e.g. a training fold that a restarted pod would then resume beside it).
    process.channel.unref();
    process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
  }
  if (process.env[CHILD] === '1' && process.env.ULSEG_STDERR_TTY === '1' && !process.stderr.isTTY) {
    // The pipe ends at the parent's terminal: progress bars may redraw (cli-progress asks the stream).
    Object.assign(process.stderr, { isTTY: true, columns: Number(process.env.ULSEG_STDERR_COLUMNS) || 80 });
  }
  if (process.env[CHILD] === '1' || !startsGpu(process.argv.slice(2), gpuCommands)) return Promise.resolve(false);
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: ['inherit', 'inherit', 'pipe', 'ipc'],
    detached: true,
    env: { ...process.env, [CHILD]: '1', ULSEG_STDERR_TTY: stderrIsTerminal() ? '1' : '', ...(process.stderr.columns ? { ULSEG_STDERR_COLUMNS: String(process.stderr.columns) } : {}) },
  });
  // Dawn writes each warning line whole, so it arrives within one chunk of the pipe.
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    const kept = chunk.replace(DAWN_LIMIT_WARNING, '');
    if (kept) process.stderr.write(kept);
  });
  // The child has its own process group, so each signal reaches it once, through the parent, whoever sent it.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void child.kill(signal));
  return new Promise((resolve) => {
    child.on('error', (error) => {
      process.stderr.write(`ulseg: could not start ${process.execPath}: ${error.message}\n`);
      process.exitCode = 1;
      resolve(true);
    });
    child.on('close', (code, signal) => {
      process.exitCode = code ?? (signal === 'SIGINT' ? 130 : 1);
      resolve(true);
    });
  });
}
