/**
 * `ncsim cases`: write N random but valid golden cases (src/trace/random-cases.ts) with their
 * traces (`ncsim trace`'s), `case-0000.case.json` + `case-0000.trace.json`, ..., into a folder:
 * the replayable stimuli of an RTL test bench (docs/rtl.md).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandSpec } from './options.js';
import { parseArgs, formatHelp } from './options.js';
import { InputError } from '../io/errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { loadModel } from '../cost/hwmodel.js';
import { RULES } from '../rules/table.js';
import type { RuleName } from '../model/types.js';
import { parseCase } from '../trace/case.js';
import { runTrace } from '../trace/trace.js';
import { randomCaseStream, RandomCaseOptions, CaseJson } from '../trace/random-cases.js';

export const CASES: CommandSpec = {
  name: 'cases',
  summary: 'Write N random valid golden cases (ncsim.case/1) with their traces, float or in a hardware model\'s fixed-point format, for RTL test benches',
  usage: 'ncsim cases --rule R --count N --seed S --out DIR [--fixed-point MODEL]',
  options: [
    { name: 'rule', type: 'enum', choices: [...RULES], default: 'ltl-online', description: 'learning rule of every case' },
    { name: 'count', type: 'int', min: 1, max: 100000, default: 10, description: 'number of cases' },
    { name: 'seed', type: 'int', min: 0, max: 4294967295, default: 1, description: 'seed of the set: case k is the same for the same seed and options' },
    { name: 'out', type: 'string', valueName: 'dir', description: 'folder to write case-NNNN.case.json and case-NNNN.trace.json into (created)' },
    { name: 'fixed-point', type: 'string', valueName: 'model', description: 'run the cases on the bit-accurate fixed-point chip of this hardware model (its weight, state and counter bits; ltl-online only); absent: the f32 chip' },
    { name: 'error', type: 'enum', choices: ['any', 'exact', 'sign'], default: 'any', description: 'online LTL error circuit of every case (any: drawn per case)' },
    { name: 'update-at', type: 'enum', choices: ['any', 'step', 'sample'], default: 'any', description: 'when online LTL writes (any: drawn per case)' },
    { name: 'input', type: 'enum', choices: ['any', 'spikes', 'analog'], default: 'any', description: 'input rows: 0/1 spikes, analog currents in [0, 1], or drawn per case' },
  ],
};

export function cmdCases(argv: string[]): void {
  const { options: o } = parseArgs(CASES, argv);
  if (o.help) {
    process.stdout.write(formatHelp(CASES) + '\n');
    return;
  }
  const dir = o.out as string | undefined;
  if (!dir) throw new InputError('--out', 'a folder to write the cases into', undefined, { kind: 'option', showGot: false });
  const rule = o.rule as RuleName;
  const fp = o.fixedPoint as string | undefined;
  if (fp !== undefined && rule !== 'ltl-online') {
    throw new InputError('--fixed-point', `no fixed point for rule "${rule}" (the fixed-point chip runs ltl-online only)`, fp, { kind: 'option' });
  }
  const opts: RandomCaseOptions = {
    rule, seed: o.seed as number, ...(fp !== undefined ? { fixedPoint: loadModel(fp) } : {}),
    error: o.error as RandomCaseOptions['error'], updateAt: o.updateAt as RandomCaseOptions['updateAt'], input: o.input as RandomCaseOptions['input'],
  };
  const count = o.count as number;
  mkdirSync(dir, { recursive: true });
  const stream = randomCaseStream(opts);
  for (let k = 0; k < count; k++) {
    const doc = stream.next().value as CaseJson;
    const name = `case-${String(k).padStart(4, '0')}`;
    // The trace is ncsim's replay of the document as written (parsed back, as `ncsim trace` reads it).
    const trace = runTrace(parseCase(JSON.parse(JSON.stringify(doc))));
    writeFileAtomic(join(dir, `${name}.case.json`), JSON.stringify(doc, null, 1) + '\n');
    writeFileAtomic(join(dir, `${name}.trace.json`), JSON.stringify(trace) + '\n');
  }
  process.stdout.write(`wrote ${count} cases (${rule}${fp ? `, fixed point of ${fp}` : ''}) to ${dir}\n`);
}
