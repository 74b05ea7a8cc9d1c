/**
 * `ncsim sweep SPEC`: every configuration of a sweep file (src/cli/sweep/spec.ts) run on this
 * machine's cores (a pool of child processes) or through a BullMQ queue in Redis (`--queue`,
 * with `ncsim worker` processes on any machines), results collected in one folder.
 */
import { availableParallelism } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { CommandSpec } from './options.js';
import { parseArgs, formatHelp } from './options.js';
import { InputError } from '../io/errors.js';
import { readJsonDocument } from '../io/document.js';
import { expand, parseSweep, type Configuration } from './sweep/spec.js';
import { prepareFolder, writeTables, type ResultRow } from './sweep/results.js';
import { runLocal, type SweepProgress } from './sweep/pool.js';
import { runQueued, runWorker, parseQueueUrl } from './sweep/queue.js';

export const SWEEP: CommandSpec = {
  name: 'sweep',
  summary: 'Run every configuration of a sweep file (option axes over train, robustness or net) on this machine\'s cores or through a BullMQ queue, into one folder with results.csv and results.jsonl',
  usage: 'ncsim sweep SPEC.json [--out DIR] [--workers N | --queue redis://HOST:PORT/DB]',
  positionals: [{ name: 'SPEC', description: 'a sweep file (ncsim.sweep/1, sweeps/README.md)', required: true }],
  options: [
    { name: 'out', type: 'string', valueName: 'dir', description: 'results folder (default: SPEC without .json, plus .results, beside it); a sweep re-run into it skips the configurations already complete' },
    { name: 'workers', type: 'int', min: 1, max: 1024, description: 'configurations run at once on this machine (default: the number of cores)' },
    { name: 'queue', type: 'string', valueName: 'url', description: 'put the configurations on a BullMQ queue at redis://HOST:PORT/DB instead, for `ncsim worker --queue` processes, and collect their results' },
    { name: 'dry-run', type: 'boolean', default: false, description: 'list the configurations and their ids, run nothing' },
    { name: 'quiet', type: 'boolean', default: false, description: 'no progress output' },
  ],
};

/** A sweep file lists options and axes: a few kilobytes; anything near this cap is not one. */
const MAX_SPEC_BYTES = 1 << 20;

export function defaultOutDir(spec: string): string {
  return join(dirname(spec), `${basename(spec).replace(/\.json$/i, '')}.results`);
}

function fmtSeconds(s: number): string {
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.round((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** A progress line on a terminal, one line per finished configuration otherwise. */
function progressPrinter(): (p: SweepProgress) => void {
  const tty = process.stderr.isTTY;
  return (p) => {
    const finished = p.skipped + p.done + p.failed;
    if (tty) {
      const w = 30, fill = Math.round((finished / Math.max(1, p.total)) * w);
      const eta = p.etaSeconds === null ? '?' : fmtSeconds(p.etaSeconds);
      process.stderr.write(`\r\x1b[Ksweep [${'#'.repeat(fill)}${'.'.repeat(w - fill)}] ${finished}/${p.total} done (${p.skipped} already), ${p.running} running, ${p.failed} failed, ETA ${eta}`);
    } else if (p.last) {
      const { config, outcome } = p.last;
      process.stderr.write(`sweep: ${finished}/${p.total} ${config.id} ${outcome.ok ? 'ok' : 'FAILED'} (${outcome.seconds.toFixed(1)} s)\n`);
    }
  };
}

function summary(rows: ResultRow[], dir: string): string {
  const ok = rows.filter((r) => r.status === 'ok').length;
  const failed = rows.filter((r) => r.status === 'failed');
  const lines = [`sweep: ${ok} of ${rows.length} configurations complete, ${failed.length} failed; results in ${join(dir, 'results.csv')} and results.jsonl`];
  for (const f of failed.slice(0, 10)) lines.push(`  failed ${f.id} ${JSON.stringify(f.options)}: ${(f.error ?? '').split('\n').pop()}`);
  if (failed.length > 10) lines.push(`  ... ${failed.length - 10} more in ${join(dir, 'failed')}`);
  return lines.join('\n') + '\n';
}

export async function cmdSweep(argv: string[]): Promise<void> {
  const { options: o, positionals } = parseArgs(SWEEP, argv);
  if (o.help) {
    process.stdout.write(formatHelp(SWEEP) + '\n');
    return;
  }
  const file = positionals[0];
  const spec = parseSweep(readJsonDocument(file, { kind: 'sweep file', what: 'a sweep file (ncsim.sweep/1)', maxBytes: MAX_SPEC_BYTES }), file);
  const configs: Configuration[] = expand(spec);
  if (o.queue !== undefined && o.workers !== undefined) throw new InputError('--workers', 'no --workers with --queue (the workers are `ncsim worker` processes)', o.workers, { kind: 'option' });
  const queue = o.queue === undefined ? undefined : parseQueueUrl(o.queue as string);
  if (o.dryRun) {
    for (const c of configs) process.stdout.write(`${c.id}  ncsim ${spec.command} ${c.argv.join(' ')}\n`);
    return;
  }
  const dir = (o.out as string | undefined) ?? defaultOutDir(file);
  try {
    prepareFolder(dir);
  } catch (e) {
    throw new InputError('--out', 'a folder that can be created and written', dir, { kind: 'option', note: (e as NodeJS.ErrnoException).code });
  }
  writeTables(dir, spec.command, configs);
  const onProgress = o.quiet ? undefined : progressPrinter();
  const rows = queue
    ? await runQueued(spec.command, configs, dir, queue, { onProgress })
    : await runLocal(spec.command, configs, dir, { workers: (o.workers as number | undefined) ?? availableParallelism(), onProgress });
  if (onProgress && process.stderr.isTTY) process.stderr.write('\n');
  process.stdout.write(summary(rows, dir));
}

export const WORKER: CommandSpec = {
  name: 'worker',
  summary: 'Take sweep configurations from a BullMQ queue in Redis (put there by `ncsim sweep --queue`) and run them, until stopped (SIGINT, SIGTERM) or idle',
  usage: 'ncsim worker --queue redis://HOST:PORT/DB [--concurrency N]',
  options: [
    { name: 'queue', type: 'string', valueName: 'url', description: 'the Redis server of the sweep, redis://HOST:PORT or redis://HOST:PORT/DB' },
    { name: 'concurrency', type: 'int', min: 1, max: 256, default: 1, description: 'jobs run at once by this worker (each a child process)' },
    { name: 'lock-seconds', type: 'number', min: 1, max: 86400, default: 30, description: 'BullMQ lock duration: a job whose worker stops renewing its lock this long is handed to another worker' },
    { name: 'idle-exit', type: 'number', min: 0, max: 1e6, valueName: 'seconds', description: 'exit after this many seconds without a job (default: run until stopped)' },
    { name: 'quiet', type: 'boolean', default: false, description: 'no log line per job' },
  ],
};

export async function cmdWorker(argv: string[]): Promise<void> {
  const { options: o } = parseArgs(WORKER, argv);
  if (o.help) {
    process.stdout.write(formatHelp(WORKER) + '\n');
    return;
  }
  if (o.queue === undefined) throw new InputError('--queue', 'the URL of the sweep\'s Redis server, redis://HOST:PORT/DB', undefined, { kind: 'option' });
  const t = parseQueueUrl(o.queue as string);
  await runWorker(t, {
    concurrency: o.concurrency as number, lockSeconds: o.lockSeconds as number, idleExitSeconds: o.idleExit as number | undefined,
    log: o.quiet ? undefined : (line) => process.stderr.write(line + '\n'),
  });
}
