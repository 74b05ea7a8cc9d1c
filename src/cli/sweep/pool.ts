/**
 * Runs a sweep's configurations on this machine: a pool of `workers` child processes, each one
 * `ncsim COMMAND ... --out DIR/runs/ID.json`. A child process (not a thread) per configuration
 * isolates what a configuration can do wrong (a wasm abort, running out of memory) from the
 * sweep, and is what `ncsim worker` runs for a queued job too (runConfiguration).
 *
 * Nothing done twice: configurations whose report is already complete are skipped, so a sweep
 * interrupted at any point resumes where it stopped. Nothing lost: a failed configuration is
 * recorded in DIR/failed/ with its exit status and the end of its error text; the others go on.
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { CORES_ENV } from '../../node/cores.js';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../../io/atomic.js';
import type { Configuration } from './spec.js';
import { failedPath, isComplete, runPath, writeTables, type FailedRecord, type ResultRow } from './results.js';

/** dist/cli.js: beside this bundle, or (sources run by the tests) the built one. */
export function cliPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const beside = join(here, 'cli.js');
  return existsSync(beside) ? beside : join(here, '..', '..', '..', 'dist', 'cli.js');
}

export interface Outcome {
  ok: boolean;
  status: number | null;
  signal: string | null;
  error: string;
  seconds: number;
}

/** Keep the end of a child's error text (its message is the last thing it prints). */
const ERROR_TAIL = 4000;

/**
 * Runs one configuration in a child process; its report lands in runs/ID.json, or failed/ID.json
 * says why. `together`: how many configurations run at once on this machine; each child's
 * `--threads auto` and `--teacher-worker auto` count its share of the cores (NCSIM_CORES).
 */
export function runConfiguration(command: string, c: Configuration, dir: string, onSpawn?: (pid: number) => void, together = 1): Promise<Outcome> {
  const quiet = command === 'net' ? [] : ['--quiet'];
  const args = [cliPath(), command, ...c.argv, ...quiet, `--out=${runPath(dir, c.id)}`];
  const env = { ...process.env, [CORES_ENV]: String(Math.max(1, Math.floor(availableParallelism() / Math.max(1, together)))) };
  const t0 = performance.now();
  return new Promise((resolveOutcome) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
    if (child.pid !== undefined) onSpawn?.(child.pid);
    let err = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      err = (err + d).slice(-ERROR_TAIL);
    });
    const finish = (status: number | null, signal: string | null, spawnError?: Error) => {
      const seconds = (performance.now() - t0) / 1000;
      const ok = status === 0 && isComplete(dir, c.id);
      const error = spawnError ? spawnError.message : err.trim();
      if (ok) rmSync(failedPath(dir, c.id), { force: true });
      else {
        const rec: FailedRecord = { id: c.id, index: c.index, given: c.given, status, signal, error: error || `exit status ${status}${signal ? `, signal ${signal}` : ''}` };
        writeFileAtomic(failedPath(dir, c.id), JSON.stringify(rec, null, 2) + '\n');
      }
      resolveOutcome({ ok, status, signal, error, seconds });
    };
    child.on('error', (e) => finish(null, null, e));
    child.on('close', (status, signal) => finish(status, signal));
  });
}

export interface SweepProgress {
  total: number;
  skipped: number;
  done: number;
  failed: number;
  running: number;
  /** Seconds to go, from the mean time of the configurations finished so far; null before the first. */
  etaSeconds: number | null;
  last?: { config: Configuration; outcome: Outcome };
}

export interface LocalOptions {
  workers: number;
  onProgress?: (p: SweepProgress) => void;
}

/** Runs every configuration not complete yet, `workers` at a time; returns the tables' rows. */
export async function runLocal(command: string, configs: Configuration[], dir: string, opts: LocalOptions): Promise<ResultRow[]> {
  const todo = configs.filter((c) => !isComplete(dir, c.id));
  const p: SweepProgress = { total: configs.length, skipped: configs.length - todo.length, done: 0, failed: 0, running: 0, etaSeconds: null };
  const t0 = performance.now();
  opts.onProgress?.({ ...p });
  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const c = todo[next++];
      p.running++;
      opts.onProgress?.({ ...p });
      const outcome = await runConfiguration(command, c, dir, undefined, Math.min(opts.workers, todo.length));
      p.running--;
      if (outcome.ok) p.done++;
      else p.failed++;
      const finished = p.done + p.failed;
      const perConfig = (performance.now() - t0) / 1000 / finished;
      p.etaSeconds = (perConfig * (todo.length - finished));
      writeTables(dir, command, configs);
      opts.onProgress?.({ ...p, last: { config: c, outcome } });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.workers, todo.length)) }, worker));
  return writeTables(dir, command, configs);
}
