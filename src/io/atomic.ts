/**
 * Whole-file writes that never leave a half-written output: the data goes to a temporary file
 * in the target's directory (same file system, so the rename is atomic on POSIX), which is then
 * renamed over the target. On any error the temporary file is removed and the error rethrown;
 * the target is then either untouched or absent, never partial.
 *
 * By default no fsync: this protects against our own crashes and refusals, not against power
 * loss. `durable` (checkpoints) also flushes the file before the rename and the folder after it,
 * so that after a crash of the machine the target is the old file or the new one, whole.
 * A symbolic link at `path` is replaced by a regular file (rename semantics); a replaced file keeps
 * its mode. Several outputs that must change together go through src/io/outputs.ts.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { keepMode } from './outputs.js';

let counter = 0;

/** Name of the temporary file used for `path`: `.<name>.<pid>.<n>.tmp` beside it. */
function tempPathFor(path: string): string {
  counter += 1;
  return join(dirname(path), `.${basename(path)}.${process.pid}.${counter}.tmp`);
}

export function writeFileAtomic(path: string, data: string | Uint8Array, options: { durable?: boolean } = {}): void {
  let tmp = tempPathFor(path);
  // 'wx': never write through a file that already exists (a stale temp of a dead process
  // with our pid); take the next name instead.
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(tmp, data, { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
        // not ours: leave it alone
        if (attempt < 100) {
          tmp = tempPathFor(path);
          continue;
        }
        throw err;
      }
      removeQuietly(tmp); // a partial write (e.g. ENOSPC) leaves a file we created
      throw err;
    }
  }
  try {
    keepMode(path, tmp);
    if (options.durable) fsyncPath(tmp, 'r+');
    renameSync(tmp, path);
  } catch (err) {
    removeQuietly(tmp);
    throw err;
  }
  if (options.durable) fsyncPath(dirname(path), 'r');
}

/** Flush a file's (or a folder's: its entries') data to the disk. */
export function fsyncPath(path: string, flags: 'r' | 'r+'): void {
  const fd = openSync(path, flags);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // absent already (the write never created it), or not ours to report
  }
}
