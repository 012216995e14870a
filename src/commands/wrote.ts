// Every command that writes a file says where on stderr, in one line (stdout stays the command's output).

export function sayWrote(file: string, bytes: number, what: string): void {
  process.stderr.write(`wrote ${file} (${what}, ${Math.max(1, Math.round(bytes / 1024))} KiB)\n`);
}
