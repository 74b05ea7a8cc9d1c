// `ncsim train --checkpoint DIR` stopped by a real SIGTERM / SIGINT (dist/cli.js, built by
// `npm test` before the suite): the child writes its checkpoint at the next sample, says how to
// resume and exits 143 / 130; `--resume DIR` then prints the report of the uninterrupted run
// (wall-clock figures aside). Bad resumes exit 2 naming what differs.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Checkpoint, MANIFEST } from '../../src/train/checkpoint.js';
import { parseArgsGiven } from '../../src/cli/options.js';
import { TRAIN } from '../../src/cli/commands.js';

const root = join(import.meta.dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const RUN = ['train', '--samples', '1000', '--test-samples', '100', '--hidden', '32', '--teacher-epochs', '1', '--json'];
const WALL_CLOCK = new Set(['wallSeconds', 'samplesPerSecond', 'seconds', 'throughput']);
const timeless = (json: string) => JSON.parse(json, (k, v) => (WALL_CLOCK.has(k) ? undefined : v));
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: root });

beforeAll(() => {
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run "npm run build" (npm test does it)');
});

/** Start a checkpointing run, send `signal` once its first checkpoint (after the test before learning) is there, and wait for it. */
async function interrupted(dir: string, signal: 'SIGTERM' | 'SIGINT'): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(process.execPath, [cli, ...RUN, '--checkpoint', dir, '--checkpoint-every', '0'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const done = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  while (!existsSync(join(dir, MANIFEST))) {
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  child.kill(signal);
  const status = await done;
  return { status, stderr };
}

describe('ncsim train --checkpoint, stopped by a signal', () => {
  it('SIGTERM: checkpoint written, resume hint, exit 143; --resume ends with the uninterrupted run\'s report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ncsim-ckpt-cli-'));
    const stopped = await interrupted(dir, 'SIGTERM');
    expect(stopped.status, stopped.stderr).toBe(143);
    expect(stopped.stderr).toMatch(/SIGTERM: checkpoint written to .* \(epoch 1 of 2, after sample \d+ of 1000\); resume with: ncsim train --resume /);
    const resumed = run('train', '--resume', dir, '--json');
    expect(resumed.status, resumed.stderr).toBe(0);
    const whole = run(...RUN);
    expect(whole.status, whole.stderr).toBe(0);
    // The same JSON text, key order included (wall-clock figures left out).
    expect(JSON.stringify(timeless(resumed.stdout))).toBe(JSON.stringify(timeless(whole.stdout)));
  });

  it('SIGINT: exit 130, and the checkpoint refuses options that change the run, naming each', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ncsim-ckpt-cli-'));
    const stopped = await interrupted(dir, 'SIGINT');
    expect(stopped.status, stopped.stderr).toBe(130);
    expect(stopped.stderr).toMatch(/SIGINT: checkpoint written/);
    const bad = run('train', '--resume', dir, '--rule', 'stop-wtl', '--hidden', '64', '--quiet');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/"--rule, --hidden": expected the checkpoint's --rule ltl-online, --hidden 32/);
    const again = run(...RUN, '--checkpoint', dir);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/holds one: continue it with --resume/);
  });

  it('SIGKILL while it writes a checkpoint after every sample: the folder always holds a whole checkpoint', async () => {
    for (const delay of [37]) {
      const dir = mkdtempSync(join(tmpdir(), 'ncsim-ckpt-cli-'));
      const child = spawn(process.execPath, [cli, ...RUN, '--checkpoint', dir, '--checkpoint-every', '1'], { cwd: root, stdio: 'ignore' });
      const done = new Promise((resolve) => child.on('exit', resolve));
      while (!existsSync(join(dir, MANIFEST)) && child.exitCode === null) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, delay));
      child.kill('SIGKILL');
      await done;
      const c = Checkpoint.load(dir);
      expect(c.info.position.epoch).toBeGreaterThanOrEqual(0);
      expect(c.runState().arena.length).toBeGreaterThan(0);
    }
  });

  it('a resumed run is checked against the options the command line gave, not the defaults', () => {
    const p = parseArgsGiven(TRAIN, ['--resume', 'd', '--rule=stop-wtl', '--no-teacher-worker', '--epochs', '3']);
    expect(p.given.sort()).toEqual(['epochs', 'resume', 'rule', 'teacherWorker']);
    expect(p.options.seed).toBe(1);
  });
});
