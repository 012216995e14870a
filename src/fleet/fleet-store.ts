// The fleet store: an embedded DuckDB database (`--db FILE.duckdb`), and/or a Parquet dataset (`--parquet DIR`)
// hive-partitioned by kernel release for Spark, Trino, BigQuery or ClickHouse (docs/fleet.md). DuckDB is an
// optional dependency (its native library, inside the npm package, is ~70 MB): when it is missing the fleet
// commands say how to get it.

import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../ingest/input-error.js';
import { PackedIdWriter } from './boot-identity.js';
import { createTableSql, FLEET_SCHEMA, FLEET_TABLES, OLDER_FLEET_SCHEMAS, type ColumnType, type Row, type RowValue, type TableDef } from './fleet-schema.js';

type DuckApi = typeof import('@duckdb/node-api');
type Connection = import('@duckdb/node-api').DuckDBConnection;
type Instance = import('@duckdb/node-api').DuckDBInstance;
type Appender = import('@duckdb/node-api').DuckDBAppender;

export const DUCKDB_MISSING =
  'the fleet commands need DuckDB: run `npm install @duckdb/node-api` in the trace-probe directory (an optional dependency; its native library comes inside the npm package)';

async function duckdb(): Promise<DuckApi> {
  try {
    return await import('@duckdb/node-api');
  } catch {
    throw new InputError('@duckdb/node-api', null, DUCKDB_MISSING);
  }
}

/** SQL string literal. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

export interface OpenOptions {
  db?: string;
  parquet?: string;
  /** Open for reading only (report, query): the database must exist. */
  readOnly?: boolean;
}

/**
 * DuckDB's limits while ingesting. Its buffer pool defaults to 80 % of RAM and its allocator keeps up to 128 MB of
 * freed memory before returning it; ingest holds neither (it appends and moves on), so both are bounded, and the
 * database is closed and opened again between batches (`releaseMemory`), which returns what a batch used. The
 * close checkpoints the batch: when a table's last row group (122,880 rows) fills, that row group is compressed,
 * and with two threads two of them could be at once. One thread and a 64 MB pool cut the largest checkpoint rise
 * from ~150 MB to ~60 MB on a store of 100,000 boots, at no measured cost in boots/s: the workers, not DuckDB, use
 * the cores. Measured in docs/performance.md "Fleet ingest".
 */
const INGEST_SETTINGS = ["SET memory_limit = '64MB'", "SET threads = 1", "SET allocator_flush_threshold = '16MB'"];

export class FleetStore {
  private constructor(
    private readonly api: DuckApi,
    private instance: Instance,
    private connection: Connection,
    /** The database file; for a Parquet-only store, a temporary file removed by close(). */
    private readonly path: string,
    private readonly temporary: string | null,
    private readonly readOnly: boolean,
    private readonly parquetDir: string | null,
  ) {}

  static async open(options: OpenOptions): Promise<FleetStore> {
    if (!options.db && !options.parquet) throw new InputError('(fleet)', null, 'give --db FILE.duckdb, --parquet DIR, or both');
    const api = await duckdb();
    if (options.db && options.readOnly && !(await exists(options.db))) throw new InputError(options.db, null, 'no such fleet database');
    if (options.db && !options.readOnly) await mkdir(join(options.db, '..'), { recursive: true });
    // Without a database the Parquet dataset is the store, loaded into a temporary database file (not memory: a
    // fleet's rows would all stay in RAM).
    const temporary = options.db ? null : await mkdtemp(join(tmpdir(), 'trace-probe-fleet-store-'));
    const path = options.db ?? join(temporary!, 'fleet.duckdb');
    const readOnly = Boolean(options.readOnly && options.db);
    let instance: Instance;
    try {
      instance = await api.DuckDBInstance.create(path, readOnly ? { access_mode: 'READ_ONLY' } : {});
    } catch (err) {
      if (temporary) await rm(temporary, { recursive: true, force: true });
      throw new InputError(options.db ?? path, null, `cannot open the fleet database: ${firstLine(err)}`);
    }
    const connection = await instance.connect();
    const store = new FleetStore(api, instance, connection, path, temporary, readOnly, options.parquet ?? null);
    try {
      if (!readOnly) {
        for (const table of FLEET_TABLES) await connection.run(createTableSql(table));
        await connection.run('CREATE TABLE IF NOT EXISTS fleet_meta (key VARCHAR PRIMARY KEY, value VARCHAR)');
      }
      await store.checkSchema(options.db ?? options.parquet!);
      if (!options.db && options.parquet && (await exists(join(options.parquet, 'boots')))) await store.loadParquet(options.parquet);
    } catch (err) {
      store.close();
      throw err;
    }
    return store;
  }

  /** Bounds DuckDB's memory for an ingest (INGEST_SETTINGS); report and query keep its defaults. */
  async limitMemory(): Promise<void> {
    for (const sql of INGEST_SETTINGS) await this.connection.run(sql);
  }

  /**
   * Closes the database and opens it again: what DuckDB cached and allocated for the appends so far is returned,
   * so an ingest's memory does not grow with the rows written (fleet-ingest.ts calls it after each batch).
   */
  async releaseMemory(): Promise<void> {
    if (this.readOnly) return;
    this.connection.closeSync();
    this.instance.closeSync();
    this.instance = await this.api.DuckDBInstance.create(this.path);
    this.connection = await this.instance.connect();
    await this.limitMemory();
  }

  private async checkSchema(where: string): Promise<void> {
    const tables = await this.rows("SELECT table_name FROM information_schema.tables WHERE table_name = 'fleet_meta'");
    if (tables.length === 0) throw new InputError(where, null, `not a trace-probe fleet store (no fleet_meta table)`);
    const found = await this.rows("SELECT value FROM fleet_meta WHERE key = 'schema'");
    if (found.length === 0) {
      await this.connection.run(`INSERT INTO fleet_meta VALUES ('schema', ${sqlString(FLEET_SCHEMA)})`);
    } else if (found[0]![0] !== FLEET_SCHEMA) {
      throw new InputError(where, null, schemaMismatch(String(found[0]![0])));
    }
  }

  private async loadParquet(dir: string): Promise<void> {
    for (const table of FLEET_TABLES) {
      const glob = join(dir, table.name, '**', '*.parquet');
      // A dataset written under an older schema lacks columns (Parquet has no fleet_meta): say so, not a binder error.
      if (table.name === 'boots') {
        const have = new Set((await this.rows(`DESCRIBE SELECT * FROM read_parquet(${sqlString(glob)}, hive_partitioning = true)`)).map((r) => String(r[0])));
        const missing = table.columns.map((c) => c.name).filter((c) => !have.has(c));
        if (missing.length > 0) {
          throw new InputError(join(dir, 'boots'), null, `a Parquet dataset of an older fleet schema (no ${missing.join(', ')} columns); this trace-probe reads ${FLEET_SCHEMA}: ingest the inputs again into a new --parquet directory`);
        }
      }
      const cols = table.columns.map((c) => c.name).join(', ');
      // Datasets written apart (one per host or rack, docs/fleet.md "Scaling out") and copied under one directory
      // may hold the same boot twice: one row per boot id (and per seq) is kept.
      const key = table.name === 'boots' ? 'boot_id' : table.name === 'failures' ? 'input, boot_id' : 'boot_id, seq';
      try {
        await this.connection.run(`INSERT INTO ${table.name} SELECT ${cols} FROM read_parquet(${sqlString(glob)}, hive_partitioning = true)
          QUALIFY row_number() OVER (PARTITION BY ${key} ORDER BY ${table.name === 'failures' ? 'error' : table.name === 'boots' ? 'input' : 'seq'}) = 1`);
      } catch (err) {
        // A table with no rows was written as no files: nothing to load.
        if (!/No files found/i.test(firstLine(err))) throw new InputError(join(dir, table.name), null, `cannot read the Parquet dataset: ${firstLine(err)}`);
      }
    }
  }

  /**
   * Boot ids already stored, and those of inputs that failed before (ingest skips both), packed as DuckDB streams
   * them in order: 16 bytes per stored boot, with no array of a million id strings on the way (boot-identity.ts).
   */
  async knownIds(): Promise<{ boots: SharedArrayBuffer; failures: SharedArrayBuffer }> {
    return { boots: await this.packedIds('boots'), failures: await this.packedIds('failures') };
  }

  private async packedIds(table: 'boots' | 'failures'): Promise<SharedArrayBuffer> {
    const ids = `SELECT DISTINCT boot_id FROM ${table} WHERE boot_id IS NOT NULL`;
    const count = await this.rows(`SELECT count(*) FROM (${ids})`);
    const writer = new PackedIdWriter(Number(count[0]![0]));
    // VARCHAR order is byte order, the packed ids' order (boot ids are lower-case hex).
    const result = await this.connection.stream(`${ids} ORDER BY boot_id`);
    for (let chunk = await result.fetchChunk(); chunk !== null && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
      for (const id of chunk.getColumnValues(0)) writer.add(String(id));
    }
    return writer.finish();
  }

  /**
   * Appends a batch of rows to several tables in one transaction: a boot's row in `boots` is never stored without its
   * probes, findings, ... rows, so an ingest killed mid-write resumes without a half-stored boot (a stored boot id
   * is skipped by the next ingest).
   */
  async appendAll(batches: ReadonlyArray<readonly [TableDef, readonly Row[]]>): Promise<void> {
    await this.connection.run('BEGIN TRANSACTION');
    try {
      for (const [table, rows] of batches) await this.append(table, rows);
      await this.connection.run('COMMIT');
    } catch (err) {
      await this.connection.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  async append(table: TableDef, rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return;
    const appender = await this.connection.createAppender(table.name);
    try {
      for (const row of rows) {
        for (let i = 0; i < table.columns.length; i++) this.appendValue(appender, table.columns[i]!.type, row[i] ?? null);
        appender.endRow();
      }
    } catch (err) {
      // Discard what it holds: an appender closed (or finalized) later would flush the rows before the bad one.
      try {
        appender.clear();
        appender.closeSync();
      } catch {
        // It is gone either way.
      }
      throw err;
    }
    appender.closeSync();
  }

  async rows(sql: string): Promise<unknown[][]> {
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRowsJS() as unknown[][];
  }

  async query(sql: string): Promise<{ columns: string[]; rows: unknown[][] }> {
    const reader = await this.connection.runAndReadAll(sql);
    return { columns: reader.columnNames(), rows: reader.getRowsJS() as unknown[][] };
  }

  /** Rewrites the Parquet dataset from the store: one directory per table, hive-partitioned by kernel release. */
  async exportParquet(): Promise<string | null> {
    const dir = this.parquetDir;
    if (dir === null) return null;
    const staging = `${dir}.tmp-${process.pid}`;
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true });
    for (const table of FLEET_TABLES) {
      const cols = table.columns.map((c) => `t.${c.name}`).join(', ');
      const select = table.name === 'boots'
        ? `SELECT ${cols}, coalesce(t.kernel_release, 'unknown') AS release FROM boots t`
        : table.name === 'failures'
          ? `SELECT ${cols}, 'unknown' AS release FROM failures t`
          : `SELECT ${cols}, coalesce(b.kernel_release, 'unknown') AS release FROM ${table.name} t JOIN boots b USING (boot_id)`;
      const count = await this.rows(`SELECT count(*) FROM ${table.name}`);
      if (Number(count[0]![0]) === 0) continue;
      await this.connection.run(
        // Unique file names, so datasets written on different machines can be copied under one prefix.
        `COPY (${select} ORDER BY ALL) TO ${sqlString(join(staging, table.name))} (FORMAT parquet, PARTITION_BY (release), FILENAME_PATTERN 'part-{uuid}')`,
      );
    }
    await rm(dir, { recursive: true, force: true });
    await rename(staging, dir);
    return dir;
  }

  private appendValue(appender: Appender, type: ColumnType, value: RowValue): void {
    if (value === null) return appender.appendNull();
    switch (type) {
      case 'VARCHAR':
        return appender.appendVarchar(String(value));
      case 'BIGINT':
        return appender.appendBigInt(BigInt(Math.round(value as number)));
      case 'INTEGER':
        return appender.appendInteger(value as number);
      case 'DOUBLE':
        return appender.appendDouble(value as number);
      case 'BOOLEAN':
        return appender.appendBoolean(value as boolean);
      case 'VARCHAR[]':
        return appender.appendList(this.api.listValue([...(value as readonly string[])]), this.api.LIST(this.api.VARCHAR));
    }
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
    if (this.temporary) rmSync(this.temporary, { recursive: true, force: true });
  }
}

function schemaMismatch(found: string): string {
  const why = OLDER_FLEET_SCHEMAS[found];
  return why
    ? `a fleet store of schema ${found} (${why}); this trace-probe reads ${FLEET_SCHEMA}: ingest the inputs again into a new store`
    : `fleet store schema ${found}, this trace-probe reads ${FLEET_SCHEMA}`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0]!;
}
