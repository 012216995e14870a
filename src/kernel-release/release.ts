// A kernel release as far as version facts need it: `6.1.0-50-amd64`, `6.8.0-45-generic`, `6.12.9`,
// `5.10.180-lab`. Distribution releases often carry an ABI number where the stable sublevel would be
// (Debian `6.1.0-50`, Ubuntu `6.8.0-45`); the real sublevel is then in `uname -v` / the `Linux version`
// banner (`Debian 6.1.176-1`), or unknown. A fact that depends on a stable backport asks for the sublevel
// and answers "unknown" rather than guess.

export interface KernelRelease {
  /** As given (`uname -r`, or the release of the `Linux version` banner). */
  text: string;
  major: number;
  minor: number;
  /** The stable sublevel (`6.1.176` → 176), or null when the release does not tell it. */
  sublevel: number | null;
}

/**
 * Parses a release; `version` (`uname -v`, or the whole `Linux version` banner) may supply the sublevel a
 * distribution release hides: `#1 SMP PREEMPT_DYNAMIC Debian 6.1.176-1 (2026-07-02)`. Null when the text
 * does not start with `major.minor`.
 */
export function parseKernelRelease(release: string, version: string | null = null): KernelRelease | null {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?(.*)$/.exec(release.trim());
  if (!m) return null;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  let sublevel: number | null = m[3] === undefined ? 0 : Number(m[3]);
  // `6.1.0-50-amd64`: a .0 followed by an ABI number is a distribution release, not the x.y.0 release.
  if (sublevel === 0 && /^-\d+[-.]/.test(m[4] ?? '')) sublevel = null;
  if (sublevel === null && version !== null) {
    const inner = new RegExp(String.raw`(?:Debian|Ubuntu|linux)\s+${major}\.${minor}\.(\d+)\b`).exec(version);
    if (inner) sublevel = Number(inner[1]);
  }
  return { text: release.trim(), major, minor, sublevel };
}

/** True when the release is at least major.minor(.sublevel); null when that depends on an unknown sublevel. */
export function atLeast(r: KernelRelease, major: number, minor: number, sublevel = 0): boolean | null {
  if (r.major !== major) return r.major > major;
  if (r.minor !== minor) return r.minor > minor;
  if (sublevel === 0) return true;
  return r.sublevel === null ? null : r.sublevel >= sublevel;
}
