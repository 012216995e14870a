// A command-line mistake (unknown policy, bad option value, no inputs): one line, exit 2.
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
