// `ncsim cases` (src/cli/cases-command.ts, src/trace/random-cases.ts): random valid golden cases
// with their traces, deterministic from the seed; the fixed-point extension of ncsim.case/1.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCase, readCaseFile } from '../../src/trace/case.js';
import { runTrace } from '../../src/trace/trace.js';
import { randomCase } from '../../src/trace/random-cases.js';
import { loadModel } from '../../src/cost/hwmodel.js';
import { RULES } from '../../src/rules/table.js';
import Ajv2020 from 'ajv/dist/2020.js';

const schema = (name: string) => JSON.parse(readFileSync(join(root, 'docs', 'schemas', `ncsim.${name}.schema.json`), 'utf8'));

const root = join(import.meta.dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: root });

beforeAll(() => {
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run "npm run build" (npm test does it)');
});

describe('ncsim cases', () => {
  it('writes N cases and their traces; the same seed writes the same files, another seed others', () => {
    const a = mkdtempSync(join(tmpdir(), 'ncsim-cases-')), b = mkdtempSync(join(tmpdir(), 'ncsim-cases-')), c = mkdtempSync(join(tmpdir(), 'ncsim-cases-'));
    for (const [dir, seed] of [[a, '4'], [b, '4'], [c, '5']]) {
      const r = run('cases', '--rule', 'ltl-online', '--count', '6', '--seed', seed, '--out', dir, '--fixed-point', 'loihi');
      expect(r.status, r.stderr).toBe(0);
    }
    const files = readdirSync(a).sort();
    expect(files).toHaveLength(12);
    expect(readdirSync(b).sort()).toEqual(files);
    for (const f of files) expect(readFileSync(join(b, f), 'utf8')).toBe(readFileSync(join(a, f), 'utf8'));
    expect(readFileSync(join(c, files[0]), 'utf8')).not.toBe(readFileSync(join(a, files[0]), 'utf8'));
    // case k of the CLI's stream is the library's randomCase(options, k)
    const third = randomCase({ rule: 'ltl-online', seed: 4, fixedPoint: loadModel('loihi'), error: 'any', updateAt: 'any', input: 'any' }, 3);
    expect(JSON.parse(readFileSync(join(a, 'case-0003.case.json'), 'utf8'))).toEqual(third);
    // each trace is what `ncsim trace` writes for its case
    for (const f of files.filter((x) => x.endsWith('.case.json'))) {
      const tr = JSON.parse(readFileSync(join(a, f.replace('.case.json', '.trace.json')), 'utf8'));
      expect(tr).toEqual(JSON.parse(JSON.stringify(runTrace(readCaseFile(join(a, f))))));
      expect(Object.keys(tr.fixedPoint)).toEqual(Object.keys(tr.layers));
    }
  });

  it('draws valid cases of every rule, float, and fixed point for ltl-online', () => {
    for (const rule of RULES) {
      for (let k = 0; k < 15; k++) {
        const doc = randomCase({ rule, seed: 11 }, k);
        const tr = runTrace(parseCase(doc));
        expect(tr.steps).toBe((doc.input as unknown[]).length);
      }
    }
    const fx = randomCase({ rule: 'ltl-online', seed: 11, fixedPoint: loadModel('xylo'), error: 'sign', updateAt: 'sample', input: 'analog' }, 3);
    expect(fx.rule).toMatchObject({ error: 'sign', updateAt: 'sample' });
    expect(fx.fixedPoint).toMatchObject({ weightBits: 8, stateBits: 16, leak: 'bit-shift', counterBits: 16 });
    const tr = runTrace(parseCase(fx));
    const f = tr.fixedPoint![(fx.layers as { name: string }[])[0].name];
    // the trace's integers are the real-valued trace in LSBs
    expect(tr.layers.h1.u.map((row) => row.map((v) => Math.round(v / f.membraneLsb)))).toEqual(f.u);
  });

  it('refuses bad options with exit 2 and a message naming the option', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ncsim-cases-'));
    const bad: [string[], RegExp][] = [
      [['--count', '0', '--out', dir], /--count/],
      [['--rule', 'hebb', '--out', dir], /--rule/],
      [['--count', '2'], /--out/],
      [['--rule', 'bptt', '--fixed-point', 'loihi', '--out', dir], /--fixed-point/],
      [['--fixed-point', 'no-such-chip', '--out', dir], /no-such-chip/],
      [['--error', 'maybe', '--out', dir], /--error/],
    ];
    for (const [args, msg] of bad) {
      const r = run('cases', ...args);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('fixed-point cases and traces are valid under docs/schemas (ncsim.case, ncsim.trace)', () => {
    const ajv = new Ajv2020({ strict: true, strictTypes: false, strictRequired: false, allErrors: true });
    const caseOk = ajv.compile(schema('case')), traceOk = ajv.compile(schema('trace'));
    for (let k = 0; k < 10; k++) {
      const doc = randomCase({ rule: 'ltl-online', seed: 9, fixedPoint: loadModel(k % 2 ? 'loihi' : 'xylo') }, k);
      expect(caseOk(doc), JSON.stringify(caseOk.errors)).toBe(true);
      const tr = JSON.parse(JSON.stringify(runTrace(parseCase(doc))));
      expect(traceOk(tr), JSON.stringify(traceOk.errors)).toBe(true);
    }
    const stop = randomCase({ rule: 'stop-w', seed: 9 }, 0);
    expect(caseOk({ ...stop, fixedPoint: randomCase({ rule: 'ltl-online', seed: 9, fixedPoint: loadModel('loihi') }, 0).fixedPoint })).toBe(false);
  });

  it('refuses a bad fixedPoint field of a case, naming it', () => {
    const doc = randomCase({ rule: 'ltl-online', seed: 2, fixedPoint: loadModel('loihi') }, 0);
    const fp = doc.fixedPoint as Record<string, unknown>;
    expect(() => parseCase({ ...doc, fixedPoint: { ...fp, weightBits: 40 } })).toThrow(/fixedPoint\.weightBits/);
    expect(() => parseCase({ ...doc, fixedPoint: { ...fp, range: [1] .concat(fp.range as number[]) } })).toThrow(/fixedPoint\.range/);
    expect(() => parseCase({ ...doc, fixedPoint: { ...fp, leak: 'log' } })).toThrow(/fixedPoint\.leak/);
    const stop = randomCase({ rule: 'stop-w', seed: 2 }, 0);
    expect(() => parseCase({ ...stop, fixedPoint: fp })).toThrow(/fixedPoint/);
  });
});
