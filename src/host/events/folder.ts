/**
 * A data set from a folder of event recordings: every file is read (`readEventFile`), binned
 * into T frames (`binEvents`) and stacked, with a label per file.
 *
 * Where the labels come from (`labels` option):
 *   - a labels file (default: `labels.csv` in the folder, else `labels.txt`):
 *       * CSV form, if any line holds a comma: `file,label` per line, `file` relative to the
 *         folder (it may name a sub-folder); an optional first line `file,label`; samples come in
 *         the order of the lines. An event file in the folder (not in sub-folders) that is not
 *         listed is refused as a missing label, unless `unlisted: 'ignore'`.
 *       * otherwise one label per line, for the event files of the folder sorted by name (plain
 *         UTF-16 code-unit order, as `Array.prototype.sort` does: zero-padded names such as
 *         `00002.bin` sort in number order); the counts must match.
 *     Blank lines and text after `#` are ignored. Labels are integers in [0, 255].
 *   - `'subfolders'`: the N-MNIST layout, `0/`, `1/`, ... each holding that class's files;
 *     samples come by label, then by file name. Other sub-folder names are refused (hidden ones,
 *     starting with `.`, are skipped).
 * Event files are those with the extensions in `EVENT_EXTENSIONS`; the labels file itself is
 * never one.
 *
 * Sensor size: `width` / `height` if given (events outside are refused by the readers), else
 * the largest size over the files (a format's declared size, or the largest coordinate + 1).
 * Time window: `window` (absolute µs) for every file if given, else each file's own earliest
 * to latest event.
 *
 * Errors (`DataFileError`, exit status 2) name the file: a missing labels file, a listed file
 * that does not exist, a file without a label, a label that is not an integer in [0, 255], and
 * any error in an event file's content.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, isAbsolute, join, relative, resolve } from 'node:path';
import { readDocumentText } from '../../io/document.js';
import { InputError } from '../../io/errors.js';

/** A labels file lists file names and labels: far below this cap. */
const LABELS_MAX_BYTES = 64 * 1024 * 1024;
import { DataFileError, EVENT_EXTENSIONS, readEventFile, type EventRecording, type ReadOptions } from './formats.js';
import { binEvents, frameShape, type EventDataset, type FrameMode, type PolarityMode } from './frames.js';

export interface EventFolderOptions extends ReadOptions {
  /** T, frames per sample */
  steps: number;
  /** default 'split' */
  polarity?: PolarityMode;
  /** default 'count' */
  mode?: FrameMode;
  /** sum-pooling factor (default 1) */
  pool?: number;
  /** [t0, t1] in µs for every file (default: each file's own range) */
  window?: readonly [number, number];
  /** path of the labels file, or 'subfolders' (default: labels.csv, else labels.txt in the folder) */
  labels?: string;
  /** CSV labels: what to do with event files of the folder not listed (default 'error') */
  unlisted?: 'error' | 'ignore';
}

export interface EventFolderDataset extends EventDataset {
  /** the files, in sample order (paths as joined from the folder) */
  files: string[];
  /** sensor size before pooling */
  sensorWidth: number;
  sensorHeight: number;
}

/** Loads and bins every labelled event file of `dir` (see the header comment). */
export function loadEventFolder(dir: string, opts: EventFolderOptions): EventFolderDataset {
  if (!isDir(dir)) throw new DataFileError(dir, '', 'a readable folder of event files', undefined, { showGot: false });
  const entries = opts.labels === 'subfolders' ? fromSubfolders(dir) : fromLabelsFile(dir, opts);

  const { steps } = opts;
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`steps must be a positive integer, got ${steps}`);
  const recordings: EventRecording[] = entries.map((e) => readEventFile(e.path, opts));
  if (recordings.length > 0 && recordings.every((r) => r.events.n === 0)) {
    // nothing to learn from: every sample would be all-zero frames (a "2-input" net at chance)
    throw new DataFileError(dir, '', 'event files with at least one event between them', undefined, { showGot: false, note: `all ${recordings.length} files are empty` });
  }
  let width = opts.width ?? 0;
  let height = opts.height ?? 0;
  if (opts.width === undefined) for (const r of recordings) width = Math.max(width, r.width);
  if (opts.height === undefined) for (const r of recordings) height = Math.max(height, r.height);
  width = Math.max(width, 1);
  height = Math.max(height, 1);

  const polarity = opts.polarity ?? 'split';
  const mode = opts.mode ?? 'count';
  const shape = frameShape({ width, height, polarity, pool: opts.pool });
  const n = entries.length;
  const per = steps * shape.size;
  const frames = new Float32Array(n * per);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    binEvents(
      recordings[i].events,
      { steps, width, height, polarity, mode, pool: opts.pool, window: opts.window },
      frames.subarray(i * per, (i + 1) * per),
    );
    labels[i] = entries[i].label;
  }
  return {
    n,
    size: shape.size,
    steps,
    frames,
    labels,
    channels: shape.channels,
    width: shape.width,
    height: shape.height,
    files: entries.map((e) => e.path),
    sensorWidth: width,
    sensorHeight: height,
  };
}

interface Entry {
  path: string;
  label: number;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isEventFile(name: string): boolean {
  return EVENT_EXTENSIONS.includes(extname(name).toLowerCase());
}

/** Event files directly in `dir`, sorted by name, leaving out `exclude` (the labels file). */
function eventFiles(dir: string, exclude?: string): string[] {
  const ex = exclude === undefined ? undefined : resolve(exclude);
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile() && !d.name.startsWith('.') && isEventFile(d.name) && resolve(dir, d.name) !== ex)
    .map((d) => d.name)
    .sort();
}

function parseLabel(s: string, file: string, where: string): number {
  const v = s === '' ? NaN : Number(s);
  if (!Number.isInteger(v) || v < 0 || v > 255) throw new DataFileError(file, where, 'a label, an integer in [0, 255]', s);
  return v;
}

function fromLabelsFile(dir: string, opts: EventFolderOptions): Entry[] {
  let labelsPath = opts.labels;
  if (labelsPath === undefined) {
    labelsPath = [join(dir, 'labels.csv'), join(dir, 'labels.txt')].find((p) => existsSync(p));
    if (labelsPath === undefined) {
      throw new DataFileError(join(dir, 'labels.csv'), '', 'a labels file (labels.csv or labels.txt in the folder, or the labels option)', undefined, {
        showGot: false,
      });
    }
  }
  let text: string;
  try {
    text = readDocumentText(labelsPath, { kind: 'data file', what: 'a readable labels file', maxBytes: LABELS_MAX_BYTES });
  } catch (e) {
    if (e instanceof InputError) throw new DataFileError(labelsPath, '', 'a readable labels file', undefined, { showGot: false, note: e.note });
    throw e;
  }
  const lines: { no: number; text: string }[] = [];
  text.split('\n').forEach((raw, i) => {
    const hash = raw.indexOf('#');
    const line = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    if (line !== '') lines.push({ no: i + 1, text: line });
  });

  if (lines.some((l) => l.text.includes(','))) {
    // CSV form: file,label
    const entries: Entry[] = [];
    const seen = new Set<string>();
    for (let k = 0; k < lines.length; k++) {
      const { no, text: line } = lines[k];
      const where = `line ${no}`;
      const comma = line.lastIndexOf(',');
      if (comma < 0) throw new DataFileError(labelsPath, where, 'a line "file,label"', line);
      const name = line.slice(0, comma).trim();
      const labelText = line.slice(comma + 1).trim();
      if (k === 0 && Number.isNaN(Number(labelText)) && /^(file|filename|name|path)$/i.test(name)) continue; // header
      const label = parseLabel(labelText, labelsPath, where);
      const path = join(dir, name);
      const key = resolve(path);
      const rel = relative(resolve(dir), key);
      if (name === '' || rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
        throw new DataFileError(labelsPath, where, `the name of an event file inside ${dir} (no path leading out of the folder)`, name);
      }
      if (seen.has(key)) throw new DataFileError(labelsPath, where, 'each file listed once', name);
      seen.add(key);
      if (!existsSync(path) || isDir(path)) throw new DataFileError(labelsPath, where, 'the name of an event file in the folder', name, { note: `${path} does not exist` });
      entries.push({ path, label });
    }
    if ((opts.unlisted ?? 'error') === 'error') {
      for (const name of eventFiles(dir, labelsPath)) {
        if (!seen.has(resolve(dir, name))) {
          throw new DataFileError(join(dir, name), '', `a label in ${labelsPath}`, undefined, { showGot: false, note: "unlisted: 'ignore' skips unlisted files" });
        }
      }
    }
    return entries;
  }

  // one label per line, files sorted by name
  const files = eventFiles(dir, labelsPath);
  if (lines.length < files.length) {
    throw new DataFileError(join(dir, files[lines.length]), '', `a label in ${labelsPath} (line ${lines.length + 1} of its labels; ${files.length} files, ${lines.length} labels)`, undefined, {
      showGot: false,
    });
  }
  if (lines.length > files.length) {
    const extra = lines[files.length];
    throw new DataFileError(labelsPath, `line ${extra.no}`, `at most ${files.length} labels, one per event file in ${dir}`, extra.text, {
      note: `${lines.length} labels for ${files.length} files`,
    });
  }
  return files.map((name, i) => ({ path: join(dir, name), label: parseLabel(lines[i].text, labelsPath!, `line ${lines[i].no}`) }));
}

function fromSubfolders(dir: string): Entry[] {
  const classes: { label: number; name: string }[] = [];
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    if (!d.isDirectory() || d.name.startsWith('.')) continue;
    const label = /^\d+$/.test(d.name) ? Number(d.name) : NaN;
    if (!(label >= 0 && label <= 255)) {
      throw new DataFileError(join(dir, d.name), '', 'a class folder named by its label, an integer in [0, 255]', d.name);
    }
    classes.push({ label, name: d.name });
  }
  if (classes.length === 0) throw new DataFileError(dir, '', 'class sub-folders 0/, 1/, ... (labels: subfolders)', undefined, { showGot: false });
  classes.sort((a, b) => a.label - b.label || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const entries: Entry[] = [];
  for (const c of classes) {
    const sub = join(dir, c.name);
    for (const name of eventFiles(sub)) entries.push({ path: join(sub, name), label: c.label });
  }
  return entries;
}
