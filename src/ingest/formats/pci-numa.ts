// sysfs numa_node of PCI devices (`0000:01:00.0 0`, `numa_node=`, or grep's `/sys/bus/pci/devices/X/numa_node:N`),
// read by pci-numa.ts.

import { readPciNuma } from '../pci-numa.js';
import type { DeviceNodesFormatModule } from './format-module.js';

export const pciNuma: DeviceNodesFormatModule<'pci-numa'> = {
  format: 'pci-numa',
  role: 'device-nodes',
  sniff: (head) => (head.count('pci-numa') > 0 && head.count('pci-numa') >= 0.8 * head.content ? 'likely' : null),
  read: readPciNuma,
};
