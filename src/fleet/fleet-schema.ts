// The fleet store's tables (schema trace-probe.fleet/2, docs/fleet.md). One declaration per table drives the
// DuckDB DDL, the appender's column order and the Parquet export, so the three cannot disagree. Times are
// integer nanoseconds (BIGINT), as in the Boot JSON; lists are VARCHAR[].

export const FLEET_SCHEMA = 'trace-probe.fleet/2';
/** Schemas this trace-probe cannot read, and why (the store must be ingested again). */
export const OLDER_FLEET_SCHEMAS: Readonly<Record<string, string>> = {
  'trace-probe.fleet/1': 'its boots table has no machine_board, bios or exposed columns and no machine models',
};

export type ColumnType = 'VARCHAR' | 'BIGINT' | 'INTEGER' | 'DOUBLE' | 'BOOLEAN' | 'VARCHAR[]';

export interface ColumnDef {
  name: string;
  type: ColumnType;
}

export interface TableDef {
  name: FleetTable;
  columns: readonly ColumnDef[];
}

export type FleetTable = 'boots' | 'probes' | 'initcalls' | 'findings' | 'diagnostics' | 'failures';

const col = (name: string, type: ColumnType): ColumnDef => ({ name, type });

/** One row per boot. `boot_id` is the content hash of the boot's input files together with its host. */
export const BOOTS: TableDef = {
  name: 'boots',
  columns: [
    col('boot_id', 'VARCHAR'),
    col('input', 'VARCHAR'),
    col('content_hash', 'VARCHAR'),
    col('host', 'VARCHAR'),
    col('host_source', 'VARCHAR'),
    col('machine_model', 'VARCHAR'),
    col('machine_board', 'VARCHAR'),
    col('bios', 'VARCHAR'),
    col('kernel_release', 'VARCHAR'),
    col('kernel_banner', 'VARCHAR'),
    col('cmdline', 'VARCHAR'),
    col('cpus', 'INTEGER'),
    col('nodes', 'INTEGER'),
    col('input_paths', 'VARCHAR[]'),
    col('input_formats', 'VARCHAR[]'),
    col('input_bytes', 'BIGINT'),
    col('probes', 'INTEGER'),
    col('timed_probes', 'INTEGER'),
    col('probe_window_ns', 'BIGINT'),
    col('total_probe_ns', 'BIGINT'),
    col('initcalls', 'INTEGER'),
    col('total_initcall_ns', 'BIGINT'),
    col('findings', 'INTEGER'),
    col('serialized', 'BOOLEAN'),
    col('serialization_lost_ns', 'BIGINT'),
    col('exposed', 'BOOLEAN'),
    col('diagnostics', 'INTEGER'),
  ],
};

export const PROBES: TableDef = {
  name: 'probes',
  columns: [
    col('boot_id', 'VARCHAR'),
    col('seq', 'INTEGER'),
    col('device', 'VARCHAR'),
    col('driver', 'VARCHAR'),
    col('node', 'INTEGER'),
    col('status', 'VARCHAR'),
    col('start_ns', 'BIGINT'),
    col('end_ns', 'BIGINT'),
    col('duration_ns', 'BIGINT'),
    col('cpu', 'INTEGER'),
    col('worker_comm', 'VARCHAR'),
    col('worker_kind', 'VARCHAR'),
    col('queued_by_comm', 'VARCHAR'),
    col('queue_delay_ns', 'BIGINT'),
    col('on_cpu_ns', 'BIGINT'),
    col('runnable_wait_ns', 'BIGINT'),
    col('sleep_ns', 'BIGINT'),
    col('origin', 'VARCHAR'),
    col('source_file', 'VARCHAR'),
    col('source_line', 'INTEGER'),
  ],
};

export const INITCALLS: TableDef = {
  name: 'initcalls',
  columns: [
    col('boot_id', 'VARCHAR'),
    col('seq', 'INTEGER'),
    col('fn', 'VARCHAR'),
    col('module', 'VARCHAR'),
    col('level', 'VARCHAR'),
    col('start_ns', 'BIGINT'),
    col('duration_ns', 'BIGINT'),
    col('ret', 'INTEGER'),
    col('source_line', 'INTEGER'),
  ],
};

export const FINDINGS: TableDef = {
  name: 'findings',
  columns: [
    col('boot_id', 'VARCHAR'),
    col('seq', 'INTEGER'),
    col('kind', 'VARCHAR'),
    col('severity', 'VARCHAR'),
    col('node', 'INTEGER'),
    col('cpu', 'INTEGER'),
    col('devices', 'VARCHAR[]'),
    col('drivers', 'VARCHAR[]'),
    col('lost_ns', 'BIGINT'),
    col('title', 'VARCHAR'),
  ],
};

export const DIAGNOSTICS: TableDef = {
  name: 'diagnostics',
  columns: [
    col('boot_id', 'VARCHAR'),
    col('seq', 'INTEGER'),
    col('file', 'VARCHAR'),
    col('line', 'INTEGER'),
    col('severity', 'VARCHAR'),
    col('message', 'VARCHAR'),
  ],
};

/** Inputs that could not be read as a boot: counted and listed, never a reason to stop the ingest. */
export const FAILURES: TableDef = {
  name: 'failures',
  columns: [
    col('input', 'VARCHAR'),
    col('boot_id', 'VARCHAR'),
    col('content_hash', 'VARCHAR'),
    col('host', 'VARCHAR'),
    col('error', 'VARCHAR'),
  ],
};

export const FLEET_TABLES: readonly TableDef[] = [BOOTS, PROBES, INITCALLS, FINDINGS, DIAGNOSTICS, FAILURES];

/** A row's values in its table's column order. */
export type RowValue = string | number | boolean | null | readonly string[];
export type Row = RowValue[];

export function createTableSql(table: TableDef): string {
  return `CREATE TABLE IF NOT EXISTS ${table.name} (${table.columns.map((c) => `${c.name} ${c.type}`).join(', ')})`;
}
