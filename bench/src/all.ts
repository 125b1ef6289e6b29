/**
 * `pnpm bench` / `pnpm bench all`: the kernels suite, then the model suite with the ONNX Runtime peer (args.ts
 * allPlan). Each suite writes its own results when it is done, so a suite that fails or throws loses nothing of the
 * other's; the exit code is 0 only if both succeeded. The suites are passed in (cli.ts) so that this is testable
 * without a GPU.
 */
import type { AllPlan } from './args.js';

export type SuiteName = 'kernels' | 'model';

/** Runs one suite with its arguments (what follows the suite's name); resolves to its exit code. */
export type SuiteRunner = (argv: readonly string[], invokedAs: string) => Promise<number>;

export interface AllOutcome {
  readonly suite: SuiteName;
  readonly code: number;
  readonly seconds: number;
  /** The message of an exception the suite threw (its exit code is then 1). */
  readonly error: string | null;
}

export interface AllOptions {
  readonly plan: AllPlan;
  /** The command as typed, e.g. `pnpm bench all --quick`, recorded beside each suite's own command. */
  readonly command: string;
  readonly runners: Readonly<Record<SuiteName, SuiteRunner>>;
  readonly log?: (line: string) => void;
  readonly error?: (line: string) => void;
  readonly now?: () => number;
}

/** The suites in order; the exit code (0: both passed, 1: either failed) and what each did. */
export async function runAll(options: AllOptions): Promise<{ code: number; outcomes: AllOutcome[] }> {
  const { plan, command, runners, log = console.log, error = console.error, now = () => performance.now() } = options;
  const outcomes: AllOutcome[] = [];
  for (const suite of ['kernels', 'model'] as const) {
    const argv = plan[suite];
    log(`\n=== ${command}: the ${suite} suite (pnpm bench ${[suite, ...argv].join(' ')}) ===\n`);
    const started = now();
    let code: number;
    let message: string | null = null;
    try {
      code = await runners[suite](argv, command);
    } catch (thrown) {
      message = (thrown as Error)?.message ?? String(thrown);
      error(`${command}: the ${suite} suite threw: ${message}`);
      code = 1;
    }
    outcomes.push({ suite, code, seconds: (now() - started) / 1000, error: message });
  }
  const failed = outcomes.filter((outcome) => outcome.code !== 0);
  const summary = outcomes.map((outcome) => `${outcome.suite} ${outcome.code === 0 ? 'ok' : `failed (exit ${outcome.code})`} in ${(outcome.seconds / 60).toFixed(1)} min`).join(', ');
  (failed.length ? error : log)(`\n${command}: ${summary}`);
  return { code: failed.length ? 1 : 0, outcomes };
}
