/** Error classes whose messages already say everything (the file and the problem): shown without the class name. */
const PLAIN = new Set(['Error', 'DataError', 'ConfigError']);

/** Turns errors into one clear message on stderr (no stack trace unless ULSEG_DEBUG is set) and an exit code. */
export function reportFailure(error: unknown): number {
  const message = error instanceof Error ? `${PLAIN.has(error.name) ? '' : `${error.name}: `}${error.message}` : String(error);
  process.stderr.write(`ulseg: ${message}\n`);
  if (process.env.ULSEG_DEBUG && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return 1;
}
