/**
 * A row of a sweep's results table (results.jsonl), and the reader `ncsim report DIR` uses.
 * Kept apart from the sweep's runner so the report command does not import the option tables.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../io/errors.js';

export interface ResultRow {
  id: string;
  index: number;
  status: 'ok' | 'failed' | 'pending';
  /** The options the sweep gave this configuration (key as on the command line, without --). */
  options: Record<string, string | number | boolean | number[]>;
  figures: Record<string, number | null>;
  error?: string;
}

/** The rows of a sweep folder's results.jsonl, each checked (InputError naming line and field). */
export function readSweepRows(dir: string): ResultRow[] {
  const file = join(dir, 'results.jsonl');
  if (!existsSync(file)) throw new InputError(dir, 'a run file, or a sweep folder holding results.jsonl (written by `ncsim sweep`)', undefined, { kind: 'report input', showGot: false, note: 'it is a folder without results.jsonl' });
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
  return lines.map((line, i) => {
    const where = `${file} line ${i + 1}`;
    let r: unknown;
    try {
      r = JSON.parse(line);
    } catch (e) {
      throw new InputError(where, 'one JSON object per line', undefined, { kind: 'sweep results', showGot: false, note: (e as Error).message });
    }
    const o = r as Record<string, unknown>;
    const isObj = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
    if (!isObj(r)) throw new InputError(where, 'a JSON object', r, { kind: 'sweep results' });
    if (typeof o.id !== 'string') throw new InputError(`${where} field "id"`, 'a string', o.id, { kind: 'sweep results' });
    if (!['ok', 'failed', 'pending'].includes(o.status as string)) throw new InputError(`${where} field "status"`, 'ok, failed or pending', o.status, { kind: 'sweep results' });
    if (!isObj(o.options)) throw new InputError(`${where} field "options"`, 'an object', o.options, { kind: 'sweep results' });
    if (!isObj(o.figures) || !Object.values(o.figures as object).every((v) => v === null || (typeof v === 'number' && Number.isFinite(v)))) {
      throw new InputError(`${where} field "figures"`, 'an object of finite numbers or null', o.figures, { kind: 'sweep results' });
    }
    return r as ResultRow;
  });
}
