/** Turns errors into one clear message on stderr (no stack trace unless ULSEG_DEBUG is set) and an exit code. */
export function reportFailure(error: unknown): number {
  const message = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
  process.stderr.write(`ulseg: ${message}\n`);
  if (process.env.ULSEG_DEBUG && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return 1;
}
