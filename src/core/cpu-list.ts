// Kernel CPU lists: the `%*pbl` form sysfs prints (`0-5,48-53`, `7`, an empty line for none), plus the
// stride forms util-linux prints (`0-62:2`) and the kernel accepts (`a-b:used/group`, bitmap_parselist in
// lib/bitmap.c). Shared by topology ingest, the findings, the simulator and the renderers.

const RANGE = /^(\d+)(?:-(\d+)(?::(\d+)(?:\/(\d+))?)?)?$/;
/** More CPUs than any kernel supports (NR_CPUS max 8192): refuse rather than allocate. */
const MAX_CPU = 1 << 16;

/** CPUs of a kernel cpulist (`0-5,48-53`, `7`, ``); null when the text is not one. */
export function tryParseCpuList(text: string): number[] | null {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const cpus: number[] = [];
  for (const piece of trimmed.split(',')) {
    const m = RANGE.exec(piece.trim());
    if (!m) return null;
    const first = Number(m[1]);
    const last = m[2] === undefined ? first : Number(m[2]);
    if (last < first || last >= MAX_CPU) return null;
    if (m[4] !== undefined) {
      // Kernel input grammar `a-b:used/group` (bitmap_parselist): `used` CPUs of every `group`.
      const used = Number(m[3]);
      const group = Number(m[4]);
      if (group === 0 || used > group) return null;
      for (let c = first; c <= last; c++) if ((c - first) % group < used) cpus.push(c);
    } else {
      // util-linux cpulist_create() prints strided runs as `a-b:stride`.
      const stride = m[3] === undefined ? 1 : Number(m[3]);
      if (stride === 0) return null;
      for (let c = first; c <= last; c += stride) cpus.push(c);
    }
  }
  return cpus;
}

/** CPUs of a kernel cpulist (%*pbl grammar); [] for '' and for text that is not a cpulist. */
export function parseCpuList(text: string): number[] {
  return tryParseCpuList(text) ?? [];
}

/** "0-3,6" from [0,1,2,3,6] (the kernel's %*pbl list form). */
export function formatCpuList(cpus: readonly number[]): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j === i ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** Like formatCpuList, but a long irregular list (interleaved SMT/socket numbering) becomes `128 CPUs 0,2,4 … 254`. */
export function formatCpuListShort(cpus: readonly number[], maxChars = 40): string {
  const full = formatCpuList(cpus);
  if (full.length <= maxChars) return full;
  const sorted = [...cpus].sort((a, b) => a - b);
  return `${sorted.length} CPUs ${sorted.slice(0, 3).join(',')} … ${sorted[sorted.length - 1]}`;
}
