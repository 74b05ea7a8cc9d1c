/**
 * The shape of the house (issue 12): the import graph of src/ has no cycle, and nothing outside
 * src/cli/ imports from it but the CLI's entry point. Read with test/house/import-graph.ts.
 */
import { describe, expect, it } from 'vitest';
import { cycles, importGraph, importSpecifiers } from './import-graph.js';

const ROOT = new URL('../..', import.meta.url).pathname;

/** Files outside src/cli/ that may import from it: the CLI's entry point (bundled as dist/cli.js). */
const CLI_ENTRY_POINTS = ['src/cli/main.ts'];

/**
 * Known edges that concurrent branches remove (issue 12). Delete each entry once its branch is
 * merged; the test fails on an entry that no longer matches any import, to say so.
 */
const KNOWN_CYCLE_EDGES: { from: string; to: string; removedBy: string }[] = [
];
/** Imports of src/cli/ from outside the CLI that a concurrent branch removes (none left). */
const KNOWN_CLI_IMPORTS: { to: string; removedBy: string }[] = [];

const graph = importGraph(ROOT, 'src');

describe('the import reader', () => {
  it('reads every form of relative import and re-export, and nothing in comments or strings', () => {
    const text = [
      "import { a, type B } from './a.js';",
      "import type { C } from '../c.js';",
      'import * as d from "./d.js";',
      "import e, { f } from './e.js';",
      "import {\n  g,\n  h,\n} from './gh.js';",
      "import './side.js';",
      "export { i } from './i.js';",
      "export * from './star.js';",
      "export type { J } from './j.js';",
      "const k = await import('./k.js');",
      "import { readFileSync } from 'node:fs';",
      "// import { x } from './commented.js';",
      "/** import { y } from './doc.js'; */",
      "const s = \"import { z } from './string.js'\";",
      "const url = new URL('file:///x//y.js'); export const from = 1;",
    ].join('\n');
    expect(importSpecifiers(text).sort()).toEqual(['../c.js', './a.js', './d.js', './e.js', './gh.js', './i.js', './j.js', './k.js', './side.js', './star.js'].sort());
  });

  it('finds the modules of src/ and resolves .js specifiers to the .ts sources', () => {
    expect(graph.size).toBeGreaterThan(50);
    const dangling = [...graph].flatMap(([file, deps]) => deps.filter((d) => !graph.has(d)).map((d) => `${file} -> ${d}`));
    expect(dangling).toEqual([]);
    expect(graph.get('src/cli/main.ts')).toContain('src/cli/commands.ts');
  });

  it('finds a cycle when there is one', () => {
    const g = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['d']], ['e', ['a']]]);
    expect(cycles(g)).toEqual([['a', 'b', 'c'], ['d']]);
  });
});

describe('the import graph of src/', () => {
  it('has no cycle (but the known edges that concurrent branches remove)', () => {
    const stale = KNOWN_CYCLE_EDGES.filter((k) => !graph.get(k.from)?.includes(k.to));
    expect(stale, 'known edges that no longer exist: delete them from KNOWN_CYCLE_EDGES').toEqual([]);
    const pruned = new Map([...graph].map(([f, deps]) => [f, deps.filter((d) => !KNOWN_CYCLE_EDGES.some((k) => k.from === f && k.to === d))]));
    expect(cycles(pruned)).toEqual([]);
  });

  it('has nothing outside src/cli/ importing from it but the entry point', () => {
    const outside = [...graph].flatMap(([file, deps]) => (file.startsWith('src/cli/') || CLI_ENTRY_POINTS.includes(file)
      ? []
      : deps.filter((d) => d.startsWith('src/cli/')).map((d) => ({ file, to: d }))));
    const stale = KNOWN_CLI_IMPORTS.filter((k) => !outside.some((o) => o.to === k.to));
    expect(stale, 'known imports that no longer exist: delete them from KNOWN_CLI_IMPORTS').toEqual([]);
    expect(outside.filter((o) => !KNOWN_CLI_IMPORTS.some((k) => k.to === o.to)).map((o) => `${o.file} -> ${o.to}`)).toEqual([]);
  });
});
