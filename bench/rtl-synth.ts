/**
 * `npm run rtl:synth` (docs/rtl.md): synthesizes the exact-error and the sign()/boxcar()
 * variants of rtl/ltl_learn.v with Yosys (generic cells: `synth -top ltl_learn; stat`) and
 * prints cells, flip-flops and an area estimate side by side, next to what the shipped hardware
 * models charge for learn.error, learn.boxcar, learn.sign and learn.update.
 *
 * Area assumption: NAND2 gate equivalents (GE), each generic cell weighted by the area of the
 * matching NanGate 45 nm Open Cell Library X1 cell over NAND2_X1's (INV 0.67, NAND2/NOR2 1,
 * AND2/OR2 1.33, XOR2/XNOR2 2, MUX2 2.33, DFF 5.67); ANDNOT/ORNOT as AND2/OR2; a flip-flop's
 * enable and its synchronous reset one MUX2 each.
 *   node dist/bench-rtl-synth.js [--n 4] [--m 4]
 */
import '../src/node/platform.js';
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listModels, loadModel } from '../src/cost/hwmodel.js';

const RTL = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'rtl');

const GE: Record<string, number> = {
  NOT: 0.67, NAND: 1, NOR: 1, AND: 1.33, OR: 1.33, ANDNOT: 1.33, ORNOT: 1.33, XOR: 2, XNOR: 2, MUX: 2.33,
};
const DFF_GE = 5.67;
const MUX_GE = 2.33;

interface Synth { cells: number; flipFlops: number; area: number; byType: Record<string, number> }

/** Area of one generic cell type ($_DFFE_PP_, $_SDFFCE_PN0P_, $_XOR_, ...) in GE. */
export function cellArea(type: string): number {
  const name = type.replace(/^\$_/, '').replace(/_.*$/, '');
  if (/^S?DFF/.test(name) || /^DFF/.test(name)) {
    const extras = (name.startsWith('S') ? 1 : 0) + (name.includes('E') ? 1 : 0);
    return DFF_GE + MUX_GE * extras;
  }
  const ge = GE[name];
  if (ge === undefined) throw new Error(`no area for cell ${type}`);
  return ge;
}

/** Cells of a Yosys `stat` listing. */
export function parseStat(text: string): Synth {
  const byType: Record<string, number> = {};
  for (const m of text.matchAll(/^\s+(\$_\w+)\s+(\d+)\s*$/gm)) byType[m[1]] = (byType[m[1]] ?? 0) + Number(m[2]);
  let cells = 0, flipFlops = 0, area = 0;
  for (const [type, n] of Object.entries(byType)) {
    cells += n;
    if (/DFF/.test(type)) flipFlops += n;
    area += n * cellArea(type);
  }
  return { cells, flipFlops, area, byType };
}

function yosysScript(sign: boolean, n: number, m: number): string {
  return `read_verilog -I${RTL} ${join(RTL, 'ltl_learn.v')}; chparam -set ERROR_SIGN ${sign ? 1 : 0} -set N ${n} -set M ${m} ltl_learn; synth -top ltl_learn; stat`;
}

function synth(sign: boolean, n: number, m: number): Synth {
  const out = execFileSync('yosys', ['-p', yosysScript(sign, n, m)], { encoding: 'utf8', maxBuffer: 256 << 20 });
  const last = out.lastIndexOf('Printing statistics');
  return parseStat(out.slice(last));
}

function arg(name: string, dflt: number): number {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 ? Number(process.argv[k + 1]) : dflt;
}

function main(): void {
  const n = arg('n', 4), m = arg('m', 4);
  const version = execFileSync('yosys', ['-V'], { encoding: 'utf8' }).trim();
  const exact = synth(false, n, m), sign = synth(true, n, m);
  const fmt = (x: number): string => x.toLocaleString('en-US', { maximumFractionDigits: 0 });
  const lines = [
    `${version}; N = ${n} neurons, M = ${m} inputs, 8-bit weights, 24-bit membrane, 8-bit counters (loihi's format)`,
    `command: yosys -p "${yosysScript(false, n, m).replaceAll(RTL, 'rtl')}"   (ERROR_SIGN 1 for sign)`,
    `area: NAND2 gate equivalents, NanGate 45 nm X1 cell areas / NAND2_X1 (bench/rtl-synth.ts)`,
    '',
    '| circuit | cells | flip-flops | area (GE) |',
    '| --- | ---: | ---: | ---: |',
    `| exact error (f32 divider, adder, multiplier) | ${fmt(exact.cells)} | ${fmt(exact.flipFlops)} | ${fmt(exact.area)} |`,
    `| sign() / boxcar() | ${fmt(sign.cells)} | ${fmt(sign.flipFlops)} | ${fmt(sign.area)} |`,
    `| exact / sign | ${(exact.cells / sign.cells).toFixed(2)}x | ${(exact.flipFlops / sign.flipFlops).toFixed(2)}x | ${(exact.area / sign.area).toFixed(2)}x |`,
    '',
    'What the hardware models charge per action (pJ):',
    '',
    '| model | learn.error | learn.boxcar | learn.sign | learn.update |',
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  for (const s of listModels()) {
    const model = loadModel(s.name);
    const e = (a: string): string => String(model.actions[a]?.energy.value ?? '-');
    lines.push(`| ${s.name} | ${e('learn.error')} | ${e('learn.boxcar')} | ${e('learn.sign')} | ${e('learn.update')} |`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}

main();
