// Sweeps run for real: the local pool of child processes, and BullMQ on a real Redis (Debian's
// redis-server, started here on a free loopback port and stopped after; CI installs it, and there
// its absence fails). Configurations are tiny trainings (a few seconds each).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cli = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');
const TINY = { samples: 40, 'test-samples': 10, epochs: 1, 'teacher-epochs': 1, hidden: [8], 'teacher-worker': false };

function specFile(o: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ncsim-sweep-'));
  const f = join(dir, 'sweep.json');
  writeFileSync(f, JSON.stringify({ schema: 'ncsim.sweep/1', command: 'train', ...o }));
  return f;
}

/** results.csv without the wall-time column (the only figure that differs between runs). */
function table(dir: string): string[][] {
  const [head, ...rows] = readFileSync(join(dir, 'results.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
  const drop = head.indexOf('wall_s');
  return [head, ...rows].map((r) => r.filter((_, i) => i !== drop));
}

const sweep = (...args: string[]) => spawnSync(process.execPath, [cli, 'sweep', ...args], { encoding: 'utf8' });

describe('ncsim sweep, local pool', () => {
  it('runs every configuration once, records a failing one without stopping, resumes what is missing', () => {
    // stop-w refuses --delay 1: that configuration fails, the others complete.
    const spec = specFile({ fixed: TINY, grid: { rule: ['ltl-online', 'stop-w'], delay: [0, 1] } });
    const out = join(mkdtempSync(join(tmpdir(), 'ncsim-sweep-out-')), 'r');
    const r = sweep(spec, '--out', out, '--workers', '2');
    expect(r.status, r.stderr).toBe(0);
    const t = table(out);
    expect(t.length).toBe(5);
    const status = t[0].indexOf('status'), rule = t[0].indexOf('rule'), delay = t[0].indexOf('delay');
    expect(t.slice(1).map((row) => `${row[rule]}/${row[delay]}/${row[status]}`)).toEqual(['ltl-online/0/ok', 'ltl-online/1/ok', 'stop-w/0/ok', 'stop-w/1/failed']);
    const failed = readdirSync(join(out, 'failed'));
    expect(failed.length).toBe(1);
    expect(JSON.parse(readFileSync(join(out, 'failed', failed[0]), 'utf8')).error).toMatch(/--delay/);
    expect(readdirSync(join(out, 'runs')).length).toBe(3);
    const jsonl = readFileSync(join(out, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(jsonl[0].figures.snn_accuracy).toBeGreaterThanOrEqual(0);

    // Resume: complete reports are kept as they are; a missing one is run again, to the same figures.
    const runs = readdirSync(join(out, 'runs')).sort();
    const mtimes = runs.map((f) => statSync(join(out, 'runs', f)).mtimeMs);
    unlinkSync(join(out, 'runs', runs[0]));
    const again = sweep(spec, '--out', out, '--workers', '2');
    expect(again.status, again.stderr).toBe(0);
    expect(readdirSync(join(out, 'runs')).sort()).toEqual(runs);
    expect(runs.slice(1).map((f) => statSync(join(out, 'runs', f)).mtimeMs)).toEqual(mtimes.slice(1));
    expect(table(out)).toEqual(t);

    // The folder drawn as a page: accuracy vs energy with its Pareto front, the table of rows.
    const page = spawnSync(process.execPath, [cli, 'report', out], { encoding: 'utf8' });
    expect(page.status, page.stderr).toBe(0);
    const html = readFileSync(join(out, 'sweep.html'), 'utf8');
    expect(html).toContain('data-chart="pareto-energy"');
    expect(html).toContain('Pareto front');
    expect((html.match(/<tr><td>/g) ?? []).length).toBe(4);
  });

  it('bad input exits 2 naming the key or the URL, before running anything', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'ncsim-sweep-out-')), 'r');
    const bad = sweep(specFile({ grid: { lr: [] } }), '--out', out);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/"grid\.lr": expected a non-empty list/);
    expect(existsSync(out)).toBe(false);
    const url = sweep(specFile({ fixed: TINY }), '--out', out, '--queue', 'http://127.0.0.1:6379');
    expect(url.status).toBe(2);
    expect(url.stderr).toMatch(/option "--queue": expected redis:\/\/HOST:PORT/);
    expect(sweep(join(tmpdir()), '--out', out).stderr).toMatch(/regular file/);
  });
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

const REDIS = ['/usr/bin/redis-server', '/usr/sbin/redis-server'].find((p) => existsSync(p));
const NEED_REDIS = REDIS !== undefined || process.env.CI === 'true';

describe.runIf(NEED_REDIS)('ncsim sweep --queue with ncsim worker, on a real Redis', () => {
  let redis: ChildProcess | undefined;
  let url = '';
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    expect(REDIS, 'redis-server missing: apt-get install redis-server').toBeDefined();
    const port = await freePort();
    url = `redis://127.0.0.1:${port}/0`;
    redis = spawn(REDIS!, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      let text = '';
      redis!.stdout!.on('data', (d) => {
        text += d;
        if (/Ready to accept connections/.test(text)) resolve();
      });
      redis!.once('exit', (c) => reject(new Error(`redis-server exited ${c}`)));
    });
  });

  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
    redis?.kill('SIGTERM');
  });

  it('two workers, one killed mid-job: every configuration appears once, the table equals the local run', async () => {
    const spec = specFile({ fixed: TINY, grid: { rule: ['ltl-online', 'stop-w'] }, zip: { seed: [1, 2, 3] } });
    const local = join(mkdtempSync(join(tmpdir(), 'ncsim-sweep-out-')), 'local');
    expect(sweep(spec, '--out', local, '--workers', '2').status).toBe(0);

    const out = join(mkdtempSync(join(tmpdir(), 'ncsim-sweep-out-')), 'queued');
    const worker = () => {
      const w = spawn(process.execPath, [cli, 'worker', '--queue', url, '--lock-seconds', '2'], { stdio: ['ignore', 'ignore', 'pipe'] });
      children.push(w);
      return w;
    };
    const victim = worker();
    const survivor = worker();
    // Kill the first worker once it has taken a job (its child is then mid-run).
    const killed = new Promise<void>((resolve) => {
      let text = '';
      victim.stderr!.on('data', (d) => {
        text += d;
        if (/worker: job/.test(text)) {
          victim.kill('SIGKILL');
          resolve();
        }
      });
    });
    const s = spawn(process.execPath, [cli, 'sweep', spec, '--out', out, '--queue', url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    s.stderr!.on('data', (d) => (err += d));
    const status = await new Promise<number | null>((resolve) => s.on('close', resolve));
    await killed;
    expect(status, err).toBe(0);
    expect(victim.signalCode).toBe('SIGKILL');
    expect(survivor.exitCode).toBe(null);
    expect(table(out)).toEqual(table(local));
    expect(readdirSync(join(out, 'runs')).length).toBe(6);
    expect(readdirSync(join(out, 'failed')).length).toBe(0);
  }, 240_000);

  it('a URL where nothing answers is refused within a few seconds (exit 2 naming the URL)', async () => {
    const port = await freePort();
    const r = sweep(specFile({ fixed: TINY }), '--out', join(mkdtempSync(join(tmpdir(), 'ncsim-sweep-out-')), 'r'), '--queue', `redis://127.0.0.1:${port}`);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`option "--queue": expected the URL of a Redis server that answers, got "redis://127.0.0.1:${port}"`));
  });
});
