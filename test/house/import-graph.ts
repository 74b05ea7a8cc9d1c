/**
 * The import graph of src/, read with a small parser of its own (no dependency): every
 * `import ... from './x.js'`, `import './x.js'`, `export ... from './x.js'` and `import('./x.js')`
 * with a relative specifier, type-only imports included (a layer that needs another's type
 * depends on it). `.js` specifiers name the `.ts` source beside them, as NodeNext resolution does.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** The relative module specifiers a TypeScript source imports or re-exports. */
export function importSpecifiers(text: string): string[] {
  // Comments go first, so that an example in a doc comment is not read as an import; a string
  // holding "//" (a URL) is kept by matching strings before comments.
  const code = text.replace(/'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`|\/\*[\s\S]*?\*\/|\/\/[^\n]*/g,
    (m) => (m.startsWith('/') ? ' ' : m));
  const out: string[] = [];
  const patterns = [
    /(?:^|[;\n])\s*import\s+(?:type\s+)?[\w$*{][^;]*?\bfrom\s*(['"])([^'"]+)\1/g, // import x / { } / * as x from
    /(?:^|[;\n])\s*import\s*(['"])([^'"]+)\1/g, // import './side-effect.js'
    /(?:^|[;\n])\s*export\s+(?:type\s+)?(?:\*|\{)[^;]*?\bfrom\s*(['"])([^'"]+)\1/g, // export { } / * from
    /\bimport\s*\(\s*(['"])([^'"]+)\1\s*\)/g, // import('./x.js')
  ];
  // JSON data the core bundles (src/cost/shipped-models.ts) is not a module of the graph.
  for (const re of patterns) for (const m of code.matchAll(re)) if (m[2].startsWith('.') && !m[2].endsWith('.json')) out.push(m[2]);
  return out;
}

/** Every .ts file under dir, as paths relative to root ('src/chip/chip.ts'). */
export function sourceFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir)).sort()) {
    const p = join(dir, name);
    if (statSync(join(root, p)).isDirectory()) out.push(...sourceFiles(root, p));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** file -> the files it imports (relative to root), for every .ts file under root/dir. */
export function importGraph(root: string, dir: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(root, dir)) {
    const deps = importSpecifiers(readFileSync(join(root, file), 'utf8')).map((spec) => {
      const target = relative(root, resolve(root, dirname(file), spec)).replace(/\.js$/, '.ts');
      return target.split('\\').join('/');
    });
    graph.set(file, [...new Set(deps)]);
  }
  return graph;
}

/** The cycles of a graph: each strongly connected component of more than one file, or a file importing itself (Tarjan). */
export function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [], onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next); low.set(v, next); next++;
    stack.push(v); onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do { w = stack.pop()!; onStack.delete(w); scc.push(w); } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}
