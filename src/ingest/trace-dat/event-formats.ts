// Event layouts from the trace.dat's own copies of tracefs `events/<system>/<event>/format` files (the kernel writes
// them in kernel/trace/trace_events.c f_show(): `name:`, `ID:`, then one `field:<decl>;\toffset:N;\tsize:N;\tsigned:N;`
// line per field, `print fmt:`), parsed the way libtraceevent src/event-parse.c event_read_fields() does: the field's
// name is the declaration's last identifier, `[N]` marks an array, `__data_loc` a dynamic field whose 32-bit value holds
// length << 16 | offset-in-record, `__rel_loc` (5.18+) the same with the offset counted from the end of the field.
// Kernels before 2.6.31 print no `signed:`; it is then taken from the type. Decoding reads only these offsets, so a
// kernel that moves or resizes a field needs no code change.

export interface FieldFormat {
  name: string;
  type: string;
  offset: number;
  size: number;
  signed: boolean;
  /** `__data_loc` / `__rel_loc` dynamic fields (strings, dynamic arrays). */
  dynamic: 'data_loc' | 'rel_loc' | null;
  /** Element count of a fixed array (`char comm[16]` → 16), null for scalars; 0 for `char buf[]`. */
  arrayLength: number | null;
}

export interface EventFormat {
  system: string;
  name: string;
  id: number;
  fields: Map<string, FieldFormat>;
  printFmt: string;
}

/** Parses one format file; null when it has no name or ID (reported by the caller). */
export function parseEventFormat(system: string, text: string): EventFormat | null {
  const name = /^name:\s*(\S+)/m.exec(text)?.[1];
  const idText = /^ID:\s*(\d+)/m.exec(text)?.[1];
  if (name === undefined || idText === undefined) return null;
  const fields = new Map<string, FieldFormat>();
  const fieldLine = /^\s*field:([^;]*);\s*offset:\s*(\d+);\s*size:\s*(\d+);(?:\s*signed:\s*(\d+);)?/gm;
  for (let m = fieldLine.exec(text); m !== null; m = fieldLine.exec(text)) {
    const decl = m[1]!.trim();
    const field = parseDeclaration(decl, Number(m[2]), Number(m[3]), m[4]);
    if (field !== null) fields.set(field.name, field);
  }
  const printFmt = /^print fmt:\s*(.*)$/ms.exec(text)?.[1]?.trim() ?? '';
  return { system, name, id: Number(idText), fields, printFmt };
}

function parseDeclaration(decl: string, offset: number, size: number, signedText: string | undefined): FieldFormat | null {
  let dynamic: FieldFormat['dynamic'] = null;
  let rest = decl;
  if (rest.startsWith('__data_loc ')) {
    dynamic = 'data_loc';
    rest = rest.slice(11);
  } else if (rest.startsWith('__rel_loc ')) {
    dynamic = 'rel_loc';
    rest = rest.slice(10);
  }
  let arrayLength: number | null = null;
  const array = /\[(\d*)\]\s*$/.exec(rest);
  if (array) {
    arrayLength = array[1] === '' ? 0 : Number(array[1]);
    rest = rest.slice(0, array.index).trimEnd();
  }
  const nameMatch = /([A-Za-z_][A-Za-z0-9_]*)$/.exec(rest);
  if (nameMatch === null) return null;
  const name = nameMatch[1]!;
  let type = rest.slice(0, nameMatch.index).trim();
  // `__data_loc char[] name`: the [] belongs to the type.
  if (type.endsWith('[]')) type = type.slice(0, -2).trim();
  const signed = signedText !== undefined ? signedText === '1' : !/\bunsigned\b|\bu(8|16|32|64)\b|\*|\bbool\b/.test(type);
  return { name, type, offset, size, signed, dynamic, arrayLength };
}

/**
 * sched_switch's prev_state letters from its print fmt, `__print_flags(REC->prev_state & MASK, "|", { 0x01, "S" },
 * { 0x02, "D" }, ...) : "R"` plus `REC->prev_state & BIT ? "+" : ""`: the letters as the kernel prints them (they changed
 * in 4.14 with TASK_REPORT, and vendor kernels add their own). BIT, the preemption mark, is the highest flag shifted left
 * once ((TASK_REPORT_MAX + 1) << 1 on 4.14+, TASK_STATE_MAX on older kernels). The mask below BIT selects the
 * state bits.
 */
export interface StateLetters {
  flags: Array<{ value: number; letter: string }>;
  preemptBit: number;
}

export function stateLettersOf(printFmt: string): StateLetters | null {
  const flags: Array<{ value: number; letter: string }> = [];
  const pair = /\{\s*(0x[0-9a-fA-F]+|\d+)\s*,\s*"([^"]*)"\s*\}/g;
  for (let m = pair.exec(printFmt); m !== null; m = pair.exec(printFmt)) flags.push({ value: Number(m[1]), letter: m[2]! });
  if (flags.length === 0) return null;
  // A plain number before `? "+"` (older kernels: `REC->prev_state & 2048 ? "+" : ""`) is the bit itself.
  const plain = /prev_state\s*&\s*(0x[0-9a-fA-F]+|\d+)\s*\)?\s*\?\s*"\+"/.exec(printFmt);
  const max = Math.max(...flags.map((f) => f.value));
  return { flags, preemptBit: plain ? Number(plain[1]) : max * 2 };
}

/** The kernel's `%s%s` of prev_state: `R`, `S`, `D|K`, `R+`, with leftover bits in hex as __print_flags prints them. */
export function stateText(value: number, letters: StateLetters): string {
  const mask = letters.preemptBit - 1;
  let bits = value & mask;
  let text = '';
  if (bits === 0) text = 'R';
  else {
    for (const f of letters.flags) {
      if (f.value !== 0 && (bits & f.value) === f.value) {
        text += text === '' ? f.letter : `|${f.letter}`;
        bits &= ~f.value;
      }
    }
    if (bits !== 0) text += `${text === '' ? '' : '|'}0x${bits.toString(16)}`;
  }
  if (value & letters.preemptBit) text += '+';
  return text;
}
