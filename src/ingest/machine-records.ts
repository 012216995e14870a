// Recognises the kernel log lines that name the machine and the host (record types in
// platform-records.types.ts, MachineRecord). Format strings, as the sources print them:
// - drivers/firmware/dmi_scan.c dmi_format_ids(), printed once at boot by dmi_setup() (`DMI: %s`, KERN_INFO;
//   dmi_present() up to 6.x) and in every WARN/oops header by lib/dump_stack.c dump_stack_print_info()
//   (`Hardware name: %s`, the same string via dmi_set_dump_stack_arch_desc()):
//     <sys_vendor> <product_name>[/<board_name>], BIOS <bios_version> <bios_date>
//   `/<board>` only when the board name is set (an empty one still prints the `/`: `Amazon EC2 c7i.8xlarge/`);
//   non-printable bytes are printed as `\xNN` (print_filtered()); firmware pads fields with spaces
//   (`XD675 PCA MB             , BIOS`). Kernels with a "DMI: " pr_fmt (7.x) also print `DMI: SMBIOS 3.8
//   present.` and `DMI: Memory slots populated: 2/2`: those lack `, BIOS ` and are not the machine.
// - powerpc builds the same description from the device tree (arch/powerpc/kernel/prom.c, setup-common.c) and
//   prints it at boot as `Hardware name: %s`: `<model> <cpu name> 0x<PVR> [0x<cpu-version> ][<firmware> ]<platform>`,
//   e.g. `T2P9D01 REV 1.01 POWER9 0x4e1202 opal:skiboot-bc106a0 PowerNV`; the model is what precedes the CPU
//   name (which may carry a parenthesised mode: `POWER10 (architected)`).
// - Device-tree machines: arch/arm64/kernel/setup.c setup_machine_fdt() `Machine model: %s`; drivers/of/fdt.c
//   (arm, riscv, ...) with pr_fmt "OF: fdt: " the same line.
// - systemd (src/core/main.c / hostname-setup.c, written to /dev/kmsg while journald is not up):
//   `systemd[1]: Set hostname to <%s>.` (before v249) and `systemd[1]: Hostname set to <%s>.` /
//   `Hostname set to <%s> (%s)` (v249+; the second form names where it came from).

import type { KernelLogLine } from './kernel-log.js';
import type { MachineRecord } from './platform-records.types.js';

const DMI_IDS = /^(?:DMI|Hardware name): (.*), BIOS (.*)$/;
const PPC_HARDWARE = /^Hardware name: (.+?) \S+(?: \([^)]*\))? 0x[0-9a-fA-F]{4,} /;
const DT_MODEL = /^(?:OF: fdt: )?Machine model: (.+)$/;
const HOSTNAME = /^systemd\[1\]: (?:Set hostname to|Hostname set to) <([^<>]*)>/;

/** The machine or host record `line.text` carries, or null. Cheap first-character dispatch: this runs on every line. */
export function recognizeMachineMessage(line: KernelLogLine): MachineRecord | null {
  const text = line.text;
  let m: RegExpExecArray | null;
  switch (text.charCodeAt(0)) {
    case 0x44 /* D */:
    case 0x48 /* H */:
      if ((text.startsWith('DMI: ') || text.startsWith('Hardware name: ')) && (m = DMI_IDS.exec(text))) {
        const ids = parseDmiIds(m[1]!, m[2]!);
        return { line, type: 'dmi-ids', from: text.startsWith('DMI') ? 'dmi' : 'hardware-name', ...ids };
      }
      if (text.startsWith('Hardware name: ') && (m = PPC_HARDWARE.exec(text))) {
        return { line, type: 'dmi-ids', from: 'hardware-name', model: squeeze(m[1]!), board: null, bios: null };
      }
      return null;
    case 0x4d /* M */:
    case 0x4f /* O */:
      if ((m = DT_MODEL.exec(text))) {
        const model = squeeze(m[1]!);
        return model === '' ? null : { line, type: 'dt-model', model };
      }
      return null;
    case 0x73 /* s */:
      if (text.startsWith('systemd[1]: ') && (m = HOSTNAME.exec(text))) return { line, type: 'hostname', hostname: m[1]!.trim() };
      return null;
    default:
      return null;
  }
}

/** Runs of white space (firmware padding) become one space; the ends are trimmed. */
function squeeze(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * `<vendor> <product>[/<board>]` and `<version> <date>` as dmi_format_ids() printed them. The board is what
 * follows the last `/`, except when product and board are named alike (`LENOVO 20N2S00600/20N2S00600`), which
 * also splits a product name that has a `/` itself (`SAMSUNG ... 530U3BI/530U4BH/530U3BI/530U4BH`) right.
 * The model is vendor and product.
 */
export function parseDmiIds(hardware: string, bios: string): { model: string; board: string | null; bios: string | null } {
  let cut = hardware.lastIndexOf('/');
  for (let s = hardware.indexOf('/'); s >= 0; s = hardware.indexOf('/', s + 1)) {
    const after = hardware.slice(s + 1).trimEnd();
    if (after !== '' && hardware.slice(0, s).trimEnd().endsWith(` ${after}`)) {
      cut = s;
      break;
    }
  }
  const product = cut < 0 ? hardware : hardware.slice(0, cut);
  const board = cut < 0 ? null : hardware.slice(cut + 1);
  const b = board === null ? null : squeeze(board);
  const v = squeeze(bios);
  return { model: squeeze(product), board: b === '' ? null : b, bios: v === '' ? null : v };
}
