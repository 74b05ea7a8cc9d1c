/**
 * Sweeps beyond one machine, on BullMQ (a Redis-backed job queue): `ncsim sweep --queue URL`
 * adds one job per configuration not complete yet and collects the results into the sweep's
 * folder; `ncsim worker --queue URL` (any number, on any machines reaching the Redis server)
 * takes jobs and runs each in a child process, as the local pool does.
 *
 * What BullMQ does for us, with its own mechanisms: a job's id is the configuration's id, so a
 * configuration is queued once however often the sweep is started; a failed job is retried
 * with exponential backoff (`attempts`); a worker that dies mid-job loses its lock, and another
 * worker's stalled-job check puts the job back to wait (`lockDuration`, `stalledInterval`);
 * `concurrency` jobs per worker. The result travels back as the job's return value (the report's
 * JSON text), so workers need no shared file system; files the configuration names (net and
 * hardware-model files) travel in the job's data.
 *
 * The bullmq and ioredis packages are loaded only when a queue is used.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { InputError } from '../../io/errors.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { argvFor, type Configuration, type SweepValue } from './spec.js';
import { failedPath, isComplete, prepareFolder, runPath, writeTables, type FailedRecord, type ResultRow } from './results.js';
import { runConfiguration, type SweepProgress } from './pool.js';

export const QUEUE_NAME = 'ncsim-sweep';
/** Tries per job (the first run and two retries), with exponential backoff from 1 s. */
export const ATTEMPTS = 3;
/** How long a Redis server may take to answer before the URL is refused. */
const CONNECT_TIMEOUT_MS = 3000;
const POLL_MS = 300;

export interface QueueTarget { url: string; host: string; port: number; db: number }

/** redis://HOST:PORT[/DB] (no password, no TLS: a Redis on the sweep's own network). */
export function parseQueueUrl(url: string): QueueTarget {
  const m = /^redis:\/\/([A-Za-z0-9.\-]+|\[[0-9a-fA-F:]+\]):(\d{1,5})(?:\/(\d{1,2}))?\/?$/.exec(url);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) throw new InputError('--queue', 'redis://HOST:PORT or redis://HOST:PORT/DB (DB 0-15)', url, { kind: 'option' });
  const db = m[3] === undefined ? 0 : Number(m[3]);
  if (db > 15) throw new InputError('--queue', 'a database number 0-15 after the port', url, { kind: 'option' });
  return { url, host: m[1].replace(/^\[|\]$/g, ''), port, db };
}

/** The data of one job: enough for a worker anywhere to run the configuration. */
export interface JobData {
  command: string;
  id: string;
  index: number;
  given: Record<string, SweepValue>;
  /** Contents of the files the configuration names, by option key (base64). */
  files: Record<string, { name: string; base64: string }>;
}

const FILE_KEYS = ['net', 'hw', 'file'];

function jobData(command: string, c: Configuration): JobData {
  const files: JobData['files'] = {};
  for (const k of FILE_KEYS) {
    const v = c.given[k];
    if (typeof v !== 'string') continue;
    try {
      files[k] = { name: basename(v), base64: readFileSync(v).toString('base64') };
    } catch { /* a model name (`--hw loihi`), not a file */ }
  }
  return { command, id: c.id, index: c.index, given: c.given, files };
}

type BullMQ = typeof import('bullmq');

async function loadBullMQ(): Promise<BullMQ> {
  return import('bullmq');
}

function connection(t: QueueTarget) {
  // maxRetriesPerRequest null: BullMQ's workers block on Redis and must not give up.
  return { host: t.host, port: t.port, db: t.db, maxRetriesPerRequest: null, connectTimeout: CONNECT_TIMEOUT_MS };
}

/** Refuses (exit 2) a URL where no Redis answers within a few seconds, before anything is queued. */
export async function checkRedis(t: QueueTarget): Promise<void> {
  const { Redis } = await import('ioredis');
  const r = new Redis({ host: t.host, port: t.port, db: t.db, connectTimeout: CONNECT_TIMEOUT_MS, maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
  r.on('error', () => { /* reported below */ });
  try {
    await Promise.race([
      r.connect().then(() => r.ping()),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer in ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS)),
    ]);
  } catch (e) {
    throw new InputError('--queue', 'the URL of a Redis server that answers', t.url, { kind: 'option', note: (e as Error).message });
  } finally {
    r.disconnect();
  }
}

/** Queues the configurations not complete in `dir`, waits for them, writes their results there. */
export async function runQueued(command: string, configs: Configuration[], dir: string, t: QueueTarget, opts: { onProgress?: (p: SweepProgress) => void }): Promise<ResultRow[]> {
  await checkRedis(t);
  const { Queue } = await loadBullMQ();
  const queue = new Queue<JobData, string>(QUEUE_NAME, { connection: connection(t) });
  try {
    const todo = configs.filter((c) => !isComplete(dir, c.id));
    const p: SweepProgress = { total: configs.length, skipped: configs.length - todo.length, done: 0, failed: 0, running: 0, etaSeconds: null };
    opts.onProgress?.({ ...p });
    for (const c of todo) {
      const existing = await queue.getJob(c.id);
      // A job that failed in an earlier sweep is tried again; one still queued or done is reused.
      if (existing && (await existing.getState()) === 'failed') await existing.remove();
      await queue.add('run', jobData(command, c), {
        jobId: c.id, attempts: ATTEMPTS, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: false, removeOnFail: false,
      });
    }
    const t0 = performance.now();
    const pending = new Set(todo.map((c) => c.id));
    const byId = new Map(todo.map((c) => [c.id, c]));
    while (pending.size > 0) {
      let running = 0;
      for (const id of [...pending]) {
        const job = await queue.getJob(id);
        const state = job ? await job.getState() : 'unknown';
        const c = byId.get(id)!;
        if (state === 'completed' && job) {
          writeFileAtomic(runPath(dir, id), String(job.returnvalue));
          rmSync(failedPath(dir, id), { force: true });
          pending.delete(id);
          p.done++;
        } else if (state === 'failed' && job) {
          const rec: FailedRecord = { id, index: c.index, given: c.given, status: null, signal: null, error: job.failedReason || 'failed' };
          writeFileAtomic(failedPath(dir, id), JSON.stringify(rec, null, 2) + '\n');
          pending.delete(id);
          p.failed++;
        } else if (state === 'unknown') {
          // Removed by someone else (e.g. a queue drained by hand): queue it again.
          await queue.add('run', jobData(command, c), { jobId: id, attempts: ATTEMPTS, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: false, removeOnFail: false });
        } else if (state === 'active') running++;
        if (!pending.has(id)) {
          const finished = p.done + p.failed;
          p.etaSeconds = ((performance.now() - t0) / 1000 / finished) * pending.size;
          writeTables(dir, command, configs);
          opts.onProgress?.({ ...p, running, last: { config: c, outcome: { ok: state === 'completed', status: null, signal: null, error: '', seconds: 0 } } });
        }
      }
      p.running = running;
      opts.onProgress?.({ ...p });
      if (pending.size > 0) await new Promise((r) => setTimeout(r, POLL_MS));
    }
    return writeTables(dir, command, configs);
  } finally {
    await queue.close();
  }
}

export interface WorkerOptions {
  concurrency: number;
  lockSeconds: number;
  /** Exit after this many seconds with no job (undefined: run until stopped). */
  idleExitSeconds?: number;
  log?: (line: string) => void;
}

/** `ncsim worker`: takes jobs until stopped (SIGINT/SIGTERM close it cleanly) or idle. */
export async function runWorker(t: QueueTarget, opts: WorkerOptions): Promise<void> {
  await checkRedis(t);
  const { Worker } = await loadBullMQ();
  let lastActivity = performance.now();
  let active = 0;
  const worker = new Worker<JobData, string>(QUEUE_NAME, async (job) => {
    active++;
    const d = job.data;
    const work = mkdtempSync(join(tmpdir(), 'ncsim-job-'));
    try {
      prepareFolder(work);
      const given: Record<string, SweepValue> = { ...d.given };
      for (const [k, f] of Object.entries(d.files ?? {})) {
        const path = join(work, `${k}-${f.name}`);
        writeFileSync(path, Buffer.from(f.base64, 'base64'));
        given[k] = path;
      }
      const c: Configuration = { index: d.index, id: d.id, given, argv: argvFor(d.command, given), options: {} };
      opts.log?.(`worker: job ${d.id} (attempt ${job.attemptsMade + 1} of ${ATTEMPTS})`);
      const outcome = await runConfiguration(d.command, c, work, undefined, opts.concurrency);
      if (!outcome.ok) throw new Error(outcome.error.split('\n').slice(-3).join('\n') || `exit status ${outcome.status}`);
      return readFileSync(runPath(work, d.id), 'utf8');
    } finally {
      rmSync(work, { recursive: true, force: true });
      active--;
      lastActivity = performance.now();
    }
  }, {
    connection: connection(t), concurrency: opts.concurrency,
    lockDuration: opts.lockSeconds * 1000, stalledInterval: Math.max(1000, (opts.lockSeconds * 1000) / 2), maxStalledCount: ATTEMPTS,
  });
  worker.on('error', (e) => opts.log?.(`worker: ${e.message}`));
  const stop = () => void worker.close();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const idle = opts.idleExitSeconds;
  if (idle !== undefined) {
    const timer = setInterval(() => {
      if (active === 0 && performance.now() - lastActivity > idle * 1000) {
        clearInterval(timer);
        stop();
      }
    }, 250);
    worker.on('closed', () => clearInterval(timer));
  }
  await new Promise<void>((resolve) => worker.on('closed', () => resolve()));
}
