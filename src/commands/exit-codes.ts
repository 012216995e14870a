// The exit codes of trace-probe: 0 success, 1 a `--fail-on` finding was found, 2 bad input or bad usage.

export const EXIT_OK = 0;
export const EXIT_FINDING = 1;
export const EXIT_BAD_INPUT = 2;
