// An input that cannot be read at all. The CLI prints it as one line
// (`trace-probe: FILE:LINE: message`) and exits 2; parsers never throw anything else for bad data:
// a line that does not parse inside a known format becomes a Diagnostic instead.

export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly reason: string,
  ) {
    super(line === null ? `${file}: ${reason}` : `${file}:${line}: ${reason}`);
    this.name = 'InputError';
  }
}
