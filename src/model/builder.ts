// The shape every model builder has (after Chrome DevTools' trace handlers): consume records in
// input order during one pass, then expose a read-only result. Several builders can be fed by the
// same pass, so no input is read twice.

export interface Builder<R, D> {
  reset(): void;
  handle(record: R): void;
  finalize(): void;
  data(): D;
}
