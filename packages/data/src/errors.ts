/** An error in a user's data: names the file (and line, for CSVs) so the message alone says what to fix. */
export class DataError extends Error {
  override readonly name = 'DataError';
  readonly file: string | undefined;
  readonly line: number | undefined;

  constructor(message: string, options: { file?: string; line?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.file = options.file;
    this.line = options.line;
  }
}
