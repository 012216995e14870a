// A copy of a string that no longer points into the text it was cut from. V8 keeps a substring of 13 or
// more characters (and a concatenation) as a view of its parent, so a comm or work address kept in the
// model would keep the whole decoded chunk of the trace (1 MB) alive: a model holding a few strings from
// every chunk would hold the whole trace. Builders pass the strings they keep through this.

/** `s` as a string of its own (a flat copy), not a view of a larger one. */
export function detached(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}
