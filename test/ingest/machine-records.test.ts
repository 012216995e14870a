// The machine model and host name lines (src/ingest/machine-records.ts): real lines from ../shared/corpus (and, for
// the lines no corpus log has, the kernel's own commit messages), then whole corpus logs through analyze's loadBoot.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recognizeKernelMessage } from '../../src/ingest/kernel-records.js';
import { loadBoot } from '../../src/pipeline/load-boot.js';
import { logLine } from '../kernel-lines.js';

function fields(text: string): Record<string, unknown> | null {
  const r = recognizeKernelMessage(logLine(text));
  if (!r) return null;
  const { line: _line, ...rest } = r;
  return rest;
}

describe('machine records: DMI and Hardware name lines (drivers/firmware/dmi_scan.c dmi_format_ids())', () => {
  it('vendor, product, board and BIOS', () => {
    expect(fields('[    0.000000] DMI: Dell Inc. PowerEdge R640/06DKY5, BIOS 2.15.1 06/15/2022')).toEqual(
      { type: 'dmi-ids', from: 'dmi', model: 'Dell Inc. PowerEdge R640', board: '06DKY5', bios: '2.15.1 06/15/2022' });
    expect(fields('[    0.000000] DMI: Supermicro AS -4125GS-TNRT/H13DSG-O-CPU, BIOS 3.2 11/21/2024')).toEqual(
      { type: 'dmi-ids', from: 'dmi', model: 'Supermicro AS -4125GS-TNRT', board: 'H13DSG-O-CPU', bios: '3.2 11/21/2024' });
    expect(fields('[    0.000000] DMI: Gigabyte Technology Co., Ltd. Z97X-UD5H/Z97X-UD5H, BIOS F9 04/21/2015')).toEqual(
      { type: 'dmi-ids', from: 'dmi', model: 'Gigabyte Technology Co., Ltd. Z97X-UD5H', board: 'Z97X-UD5H', bios: 'F9 04/21/2015' });
  });

  it('firmware padding is squeezed; a board named like the product splits a product name that has a slash', () => {
    expect(fields('[    0.000000] DMI: HPE HPE Cray XD675/XD675 PCA MB             , BIOS 3.0.1499 09/02/2024')).toEqual(
      { type: 'dmi-ids', from: 'dmi', model: 'HPE HPE Cray XD675', board: 'XD675 PCA MB', bios: '3.0.1499 09/02/2024' });
    expect(fields('[    0.000000] DMI: TOSHIBA PORTEGE R835/Portable PC, BIOS Version 4.10   01/08/2013')).toEqual(
      { type: 'dmi-ids', from: 'dmi', model: 'TOSHIBA PORTEGE R835', board: 'Portable PC', bios: 'Version 4.10 01/08/2013' });
    expect(fields('[Sat Nov 27 21:54:31 2021] DMI: SAMSUNG ELECTRONICS CO., LTD. 530U3BI/530U4BI/530U4BH/530U3BI/530U4BI/530U4BH, BIOS 13XK 03/28/2013')).toEqual(
      { type: 'dmi-ids', from: 'dmi', model: 'SAMSUNG ELECTRONICS CO., LTD. 530U3BI/530U4BI/530U4BH', board: '530U3BI/530U4BI/530U4BH', bios: '13XK 03/28/2013' });
  });

  it('no board (QEMU), an empty board (EC2), a comma in the product name', () => {
    expect(fields('[    0.000000] DMI: QEMU Standard PC (Q35 + ICH9, 2009), BIOS 1.16.2-debian-1.16.2-1 04/01/2014')).toEqual(
      { type: 'dmi-ids', from: 'dmi', model: 'QEMU Standard PC (Q35 + ICH9, 2009)', board: null, bios: '1.16.2-debian-1.16.2-1 04/01/2014' });
    expect(fields('Oct 15 18:26:20 ip-172-31-47-92 kernel: DMI: Amazon EC2 c7i.8xlarge/, BIOS 1.0 10/16/2017')).toEqual(
      { type: 'dmi-ids', from: 'dmi', model: 'Amazon EC2 c7i.8xlarge', board: null, bios: '1.0 10/16/2017' });
  });

  it('the other DMI: lines of 7.x kernels are not the machine', () => {
    expect(fields('[Fri May 22 09:34:57 2026] DMI: SMBIOS 3.8 present.')).toBeNull();
    expect(fields('[Fri May 22 09:34:57 2026] DMI: Memory slots populated: 2/2')).toBeNull();
    expect(fields('[Fri May 22 09:34:57 2026] DMI: Intel Corporation Arrow Lake Client Platform/MTL-S UDIMM 1DPC EVCRB, BIOS MTLSFWI1.R00.5385.D80.2509230731 09/23/2025')).toEqual(
      { type: 'dmi-ids', from: 'dmi', model: 'Intel Corporation Arrow Lake Client Platform', board: 'MTL-S UDIMM 1DPC EVCRB', bios: 'MTLSFWI1.R00.5385.D80.2509230731 09/23/2025' });
  });

  it('Hardware name: of a WARN header, and powerpc\'s boot-time one', () => {
    expect(fields('[ 2160.745005] Hardware name: HP HP OmniDesk Desktop M02-0xxx/8D37, BIOS F.01 12/05/2024')).toEqual(
      { type: 'dmi-ids', from: 'hardware-name', model: 'HP HP OmniDesk Desktop M02-0xxx', board: '8D37', bios: 'F.01 12/05/2024' });
    expect(fields('[    0.000000] Hardware name: T2P9D01 REV 1.01 POWER9 0x4e1202 opal:skiboot-bc106a0 PowerNV')).toEqual(
      { type: 'dmi-ids', from: 'hardware-name', model: 'T2P9D01 REV 1.01', board: null, bios: null });
  });

  it('device tree Machine model: and systemd host names', () => {
    expect(fields('[    0.000000] Machine model: Lenovo ThinkPad X13s')).toEqual({ type: 'dt-model', model: 'Lenovo ThinkPad X13s' });
    expect(fields('[    0.000000] OF: fdt: Machine model: Raspberry Pi 4 Model B Rev 1.1')).toEqual({ type: 'dt-model', model: 'Raspberry Pi 4 Model B Rev 1.1' });
    expect(fields('[    0.719580] systemd[1]: Hostname set to <x13s>.')).toEqual({ type: 'hostname', hostname: 'x13s' });
    expect(fields('[    1.930865] systemd[1]: Set hostname to <standardpc>.')).toEqual({ type: 'hostname', hostname: 'standardpc' });
  });
});

const CORPUS = join(process.cwd(), '..', 'shared', 'corpus');

describe.skipIf(!existsSync(CORPUS))(`machine and host of real corpus boots (analyze --json kernel.machine, kernel.hostname)${existsSync(CORPUS) ? '' : ` (skipped: ${CORPUS} is absent)`}`, () => {
  const kernel = async (file: string) => (await loadBoot([join(CORPUS, file)])).kernel;

  it('a server: DMI model, board, BIOS, and the host name systemd set', async () => {
    const k = await kernel('server_nvme_numa/dell-poweredge-r640_2S-40cpu_5nvme_6.8.0-rc3_vmcore.dmesg.txt');
    expect(k.machine).toEqual({
      model: 'Dell Inc. PowerEdge R640', board: '06DKY5', bios: '2.15.1 06/15/2022', from: 'dmi',
      source: { file: join(CORPUS, 'server_nvme_numa/dell-poweredge-r640_2S-40cpu_5nvme_6.8.0-rc3_vmcore.dmesg.txt'), line: 74 },
    });
    expect(k.hostname).toBe('storageqe-70.rhts.eng.pek2.redhat.com');
  });

  it('exact models across vendors and log formats', async () => {
    const cases: Array<[string, string | null, string | null]> = [
      ['server_nvme_numa/hpe-cray-xd675_8numa-192cpu_3nvme_6.5.0-18-generic.dmesg.txt', 'HPE HPE Cray XD675', 'hisut'],
      ['server_nvme_numa/supermicro_AS-4125GS-TNRT_2S_epyc_rocky9.6_5.14.0-570.dmesg.txt', 'Supermicro AS -4125GS-TNRT', 'mnsapplp03nyf'],
      ['server_nvme_numa/emc_2S-64cpu_13nvme_sles15sp5_5.14.21_async.dmesg.txt', 'EMC Default string', null],
      ['server_nvme_numa/power9_2numa-128cpu_nvme_6.14.8-gentoo.dmesg.txt', 'T2P9D01 REV 1.01', null],
      ['initcall_debug/inspur-nf5180m6_6.2.0-rc7_initcall_debug_async.kmsg.txt', 'Inspur NF5180M6', null],
      ['dmesg_formats/dell-xps-15-7590_6.1.0-9-amd64_journalctl.txt', 'Dell Inc. XPS 15 7590', null],
      ['dmesg_formats/samsung-530u_5.15.0-2-amd64_dmesg-T.txt', 'SAMSUNG ELECTRONICS CO., LTD. 530U3BI/530U4BI/530U4BH', 'iniza'],
      ['dmesg_formats/kexec_7.1.0-rc3_dmesg-T_ctime.txt', 'Intel Corporation Arrow Lake Client Platform', 'FQDN'],
      ['dmesg_formats/netconsole_rtw89_crash_kmsg_raw_records.txt', 'HP HP OmniDesk Desktop M02-0xxx', null],
      ['ftrace_workqueue/xfs_dbench_unbound_vs_bound_kworker_wq_sched_wakeup.ftrace.txt', null, null],
    ];
    for (const [file, model, host] of cases) {
      const k = await kernel(file);
      expect({ file, model: k.machine?.model ?? null, host: k.hostname ?? null }).toEqual({ file, model, host });
    }
    expect((await kernel('dmesg_formats/netconsole_rtw89_crash_kmsg_raw_records.txt')).machine?.from).toBe('hardware-name');
  });
});
