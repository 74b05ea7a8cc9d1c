/**
 * Node's side of the one document reader (src/io/document.ts): the bytes of a regular file.
 *
 * - Only regular files are read: a folder, a FIFO, a socket or a device (`/dev/zero`) is
 *   refused after `fstat`, before any byte is read. The file is opened non-blocking so that
 *   opening a FIFO with no writer cannot hang.
 * - At most `max` bytes are read; a larger file is refused with its size, and a file that grows
 *   while read is cut at the cap and refused, never read on.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { InputError } from '../io/errors.js';

export function readRegularFile(path: string, max: number, refuse: (note: string) => never): Buffer {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO that no one writes to returns at once instead of waiting.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    return refuse((e as Error).message); // Node's message starts with the code (ENOENT: ...)
  }
  let refusal: unknown;
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) refuse(`${path} is ${fileTypeName(st)}, not a regular file`);
    if (st.size > max) refuse(`${st.size} bytes, more than the limit of ${max} bytes`);
    const buf = Buffer.allocUnsafe(Math.min(st.size, max) + 1);
    let n = 0;
    for (;;) {
      if (n === buf.length) {
        // the file grew past its fstat size: read at most one byte beyond the cap
        if (n > max) refuse(`more than the limit of ${max} bytes (the file grew while read)`);
        break;
      }
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
    }
    if (n > max) refuse(`more than the limit of ${max} bytes (the file grew while read)`);
    return buf.subarray(0, n);
  } catch (e) {
    refusal = e;
  } finally {
    closeSync(fd);
  }
  // A refusal is the caller's error as it is; anything else (EISDIR on read, EIO) becomes one.
  if (refusal instanceof InputError) throw refusal;
  return refuse((refusal as Error).message);
}

function fileTypeName(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}
