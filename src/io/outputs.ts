/**
 * A command's output files, checked before any work and written together at the end.
 *
 * Preflight (`planOutputs`, before reading inputs or simulating): each path's folder exists, is a
 * folder and is writable; the path is not a folder nor anything but a regular file; no two
 * outputs, and no output and input, are the same file (after resolving symbolic links); `-`
 * means stdout where the option allows it. A bad path is an InputError naming the option (exit
 * status 2) raised before any work.
 *
 * Commit (`OutputSet.commit`): every output is first written to a temporary file beside its
 * target, then all are renamed over their targets. A failure while writing removes every
 * temporary file and leaves every existing target as it was; a replaced file keeps its mode.
 * (The renames themselves cannot fail for a checked path short of the folder changing under us.)
 */
import { accessSync, chmodSync, constants, realpathSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from './errors.js';

export interface OutputRequest {
  /** The option that named the path (`--out`, `-o`, `--report`), for messages. */
  option: string;
  path: string | undefined;
  /** `-` writes to stdout. */
  stdoutAllowed?: boolean;
}

interface Planned {
  option: string;
  /** Absolute target path, or null for stdout. */
  target: string | null;
  data?: string | Uint8Array;
}

let counter = 0;

/** Check every output path (see the header); `inputs` are files the command reads (an output may not replace one). */
export function planOutputs(requests: readonly OutputRequest[], inputs: readonly string[] = []): OutputSet {
  const planned: Planned[] = [];
  const seen = new Map<string, string>();
  for (const i of inputs) {
    if (typeof i === 'string' && i !== '' && i !== '-') seen.set(identity(resolve(i)), `the input ${i}`);
  }
  let stdoutBy: string | undefined;
  for (const r of requests) {
    if (r.path === undefined) continue;
    const opt = { kind: 'option' } as const;
    if (r.path === '-') {
      if (!r.stdoutAllowed) throw new InputError(r.option, 'a file path ("-" for stdout is not available for this option)', r.path, opt);
      if (stdoutBy) throw new InputError(r.option, `a file path (${stdoutBy} already writes to stdout)`, r.path, opt);
      stdoutBy = r.option;
      planned.push({ option: r.option, target: null });
      continue;
    }
    if (r.path === '') throw new InputError(r.option, 'a file path', r.path, opt);
    const target = resolve(r.path);
    const dir = dirname(target);
    let dirStat;
    try {
      dirStat = statSync(dir);
    } catch {
      throw new InputError(r.option, 'a path in an existing folder', r.path, { ...opt, note: `no folder ${dir}` });
    }
    if (!dirStat.isDirectory()) throw new InputError(r.option, 'a path in an existing folder', r.path, { ...opt, note: `${dir} is not a folder` });
    try {
      accessSync(dir, constants.W_OK | constants.X_OK);
    } catch {
      throw new InputError(r.option, 'a path in a folder you can write to', r.path, { ...opt, note: `${dir} is not writable` });
    }
    let st;
    try {
      st = statSync(target);
    } catch {
      st = undefined; // absent: will be created
    }
    if (st?.isDirectory()) throw new InputError(r.option, 'a file path, not a folder', r.path, opt);
    if (st && !st.isFile()) throw new InputError(r.option, 'a regular file path (it would be replaced by a file)', r.path, { ...opt, note: `${r.path} is not a regular file` });
    if (st) {
      try {
        accessSync(target, constants.W_OK);
      } catch {
        throw new InputError(r.option, 'a file you can write to', r.path, { ...opt, note: `${r.path} is read-only` });
      }
    }
    const id = identity(target);
    const other = seen.get(id);
    if (other) throw new InputError(r.option, `a file other than ${other}`, r.path, opt);
    seen.set(id, r.option);
    planned.push({ option: r.option, target });
  }
  return new OutputSet(planned);
}

/** One name per file: symbolic links and `..` resolved (of the folder when the file is absent). */
function identity(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    try {
      return join(realpathSync(dirname(path)), basename(path));
    } catch {
      return path;
    }
  }
}

export class OutputSet {
  constructor(private readonly planned: Planned[]) {}

  /** Whether `option` was given (a file or stdout). */
  has(option: string): boolean {
    return this.planned.some((p) => p.option === option);
  }

  /** Whether `option` writes to stdout (`-`). */
  isStdout(option: string): boolean {
    return this.planned.some((p) => p.option === option && p.target === null);
  }

  /** Keep `data` for `option` until commit (nothing is written yet); ignored if the option was not given. */
  set(option: string, data: string | Uint8Array): void {
    for (const p of this.planned) if (p.option === option) p.data = data;
  }

  /** Write every output: temporary files first, then all renamed; on failure no target has changed. */
  commit(stdout: (s: string | Uint8Array) => void = (s) => process.stdout.write(s)): void {
    const temps: { tmp: string; target: string }[] = [];
    try {
      for (const p of this.planned) {
        if (p.data === undefined || p.target === null) continue;
        const tmp = tempPathFor(p.target);
        temps.push({ tmp, target: p.target }); // before writing: a partial write (ENOSPC) is removed too
        writeFileSync(tmp, p.data, { flag: 'wx' });
        keepMode(p.target, tmp);
      }
    } catch (e) {
      for (const t of temps) removeQuietly(t.tmp);
      throw e;
    }
    for (let i = 0; i < temps.length; i++) {
      try {
        renameSync(temps[i].tmp, temps[i].target);
      } catch (e) {
        for (const t of temps.slice(i)) removeQuietly(t.tmp);
        throw e;
      }
    }
    for (const p of this.planned) if (p.target === null && p.data !== undefined) stdout(p.data);
  }
}

function tempPathFor(path: string): string {
  counter += 1;
  return join(dirname(path), `.${basename(path)}.${process.pid}.${counter}.tmp`);
}

/** A replaced file keeps its permission bits. */
export function keepMode(target: string, tmp: string): void {
  try {
    chmodSync(tmp, statSync(target).mode & 0o7777);
  } catch {
    // absent target: the new file gets the umask's mode
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
