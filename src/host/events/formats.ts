/**
 * Event-camera recordings read into one flat event stream: x, y (pixels, origin as stored),
 * t (microseconds, as stored: not shifted to start at 0), p (0 = OFF, 1 = ON).
 *
 * Formats (the facts below were checked against the sources named):
 *
 * N-MNIST / N-Caltech101 `.bin` (Orchard et al. 2015; their `Read_Ndataset.m`, also quoted in
 *   the Python port "bit 39-32: Xaddress, bit 31-24: Yaddress, bit 23: Polarity (0 for OFF,
 *   1 for ON), bit 22-0: Timestamp (in microseconds)"): 5 bytes per event, no header,
 *     byte0 = x, byte1 = y, byte2 bit 7 = polarity,
 *     t = (byte2 & 0x7f) << 16 | byte3 << 8 | byte4   (23 bits, big-endian).
 *   N-MNIST digits are 34 x 34 (`NMNIST_SIZE`); N-Caltech101 varies, so the size is inferred
 *   (largest coordinate + 1) unless given.
 *
 * AEDAT 2.0 (jAER): ASCII header lines starting with `#`, the first `#!AER-DAT2.0`; then
 *   big-endian records of a 32-bit address and a 32-bit timestamp (1 tick = 1 µs). AEDAT 1.0 is
 *   the same with a 16-bit address (6-byte records). DVS128 address layout, from jAER's
 *   `ch/unizh/ini/jaer/chip/retina/DVS128.java` (Extractor: XMASK 0xfe, XSHIFT 1, YMASK 0x7f00,
 *   YSHIFT 8, typemask 1) and jAER's `loadaerdat.py` (same masks):
 *     x = (addr >> 1) & 0x7f, y = (addr >> 8) & 0x7f, bit 0 = polarity bit.
 *   jAER's extractor then flips both x (x = 127 - x) and the polarity bit ("the ON events have
 *   raw polarity 0"); `loadaerdat.py` and most Python tools use the raw values. Option
 *   `dvs128: 'jaer'` (default) applies jAER's flips, so p = 1 is ON and frames look as jAER
 *   shows them; `dvs128: 'raw'` gives x and p = addr & 1 unchanged. Addresses with bit 15 (the
 *   DVS128 sync/external event) or bit 31 (jAER special event) set are skipped and counted in
 *   `skipped`; any other bit above 14 set means another chip's layout (DAVIS): refused.
 *   Timestamps are read unsigned; a drop of more than 2^31 µs is taken as a 32-bit wrap.
 *
 * AEDAT 3.1 (cAER / libcaer, e.g. DVS Gesture): header lines starting with `#`, the first
 *   `#!AER-DAT3.1`, the last `#!END-HEADER`; then packets, each a 28-byte little-endian header
 *   (libcaer `events/common.h`: int16 eventType, int16 eventSource, int32 eventSize,
 *   eventTSOffset, eventTSOverflow, eventCapacity, eventNumber, eventValid) and eventNumber
 *   events of eventSize bytes. Only polarity packets (type 1) are read; others are skipped.
 *   Polarity event (libcaer `events/polarity.h`): uint32 data, bit 0 = valid, bit 1 = polarity
 *   (1 = ON), y = bits 2..16, x = bits 17..31; int32 timestamp at eventTSOffset; the full time
 *   is eventTSOverflow * 2^31 + timestamp. Invalid events are skipped and counted. The sensor
 *   size comes from a `#Source N: NAME` header line for the chips in `CAER_SENSORS`, else it is
 *   inferred.
 *
 * CSV: one event per line `x,y,t,p` (t in µs unless `timeScale` says otherwise; p in {0, 1},
 *   or -1 for OFF). An optional header line naming the four columns in any order (x, y, t or ts
 *   or timestamp, p or pol or polarity); blank lines and text after `#` are ignored.
 *
 * Errors in the content are `DataFileError`s (an `InputError`, exit status 2) that name the
 * file and the byte offset or line: truncated records, bad headers, non-numeric fields,
 * coordinates outside the declared or inferred sensor size, and timestamps going backwards.
 *
 * Timestamps going backwards: each timestamp is compared with the largest one before it; a
 * step back of at most `timeTolerance` µs (default 1000 µs = 1 ms) is accepted as recorded
 * (real sensors reorder events slightly; binning does not need sorted events), a larger one
 * is refused. `timeTolerance: Infinity` turns the check off.
 *
 * Truncation: a binary body that does not end on a record boundary is refused, naming the byte
 * where the partial record starts; with `allowTruncated: true` the whole records are read and
 * the number of bytes dropped is reported in `truncatedBytes`.
 */
import { readDocumentBytes } from '../../io/document.js';

/** Largest event file read (1 GiB): a minute of a busy DVS sensor; more would not fit the frames anyway. */
export const EVENT_FILE_MAX_BYTES = 1024 * 1024 * 1024;
import { extName } from '../../io/paths.js';
import { InputError, type InputErrorOptions } from '../../io/errors.js';

/** Side of the N-MNIST sensor crop, in pixels (34 x 34). */
export const NMNIST_SIZE = 34;
/** Side of the DVS128 sensor, in pixels. */
export const DVS128_SIZE = 128;
/** Default tolerance for timestamps going backwards, in µs. */
export const DEFAULT_TIME_TOLERANCE_US = 1000;

/** Sensor sizes [width, height] for `#Source N: NAME` lines of AEDAT 3.1 headers. */
export const CAER_SENSORS: Readonly<Record<string, readonly [number, number]>> = {
  DVS128: [128, 128],
  DAVIS240A: [240, 180],
  DAVIS240B: [240, 180],
  DAVIS240C: [240, 180],
  DAVIS128: [128, 128],
  DAVIS346: [346, 260],
  DAVIS346B: [346, 260],
  DAVIS640: [640, 480],
  DVXPLORER: [640, 480],
};

/** Events as parallel arrays; index i is one event. */
export interface EventStream {
  x: Uint16Array;
  y: Uint16Array;
  /** microseconds */
  t: Float64Array;
  /** 0 off, 1 on */
  p: Uint8Array;
  n: number;
}

export type EventFormat = 'nmnist' | 'aedat1' | 'aedat2' | 'aedat3' | 'csv';

export const EVENT_FORMATS: readonly EventFormat[] = ['nmnist', 'aedat1', 'aedat2', 'aedat3', 'csv'];

/** File extensions `readEventFile` and the folder loader treat as event files. */
export const EVENT_EXTENSIONS: readonly string[] = ['.bin', '.aedat', '.dat', '.csv', '.txt'];

export interface EventRecording {
  width: number;
  height: number;
  events: EventStream;
  format: EventFormat;
  /** records read but not returned as events (sync/special/invalid events) */
  skipped: number;
  /** bytes of a partial last record dropped under `allowTruncated` (0 otherwise) */
  truncatedBytes: number;
}

export interface ReadOptions {
  /** declared sensor width: an event with x >= width is refused (default: the format's, else inferred) */
  width?: number;
  /** declared sensor height: an event with y >= height is refused */
  height?: number;
  /** largest step back in time accepted, µs (default 1000; Infinity: no check) */
  timeTolerance?: number;
  /** read the whole records of a binary file that ends inside a record (default false: refuse) */
  allowTruncated?: boolean;
  /** skip detection and read as this format */
  format?: EventFormat;
  /** AEDAT 1.0/2.0 DVS128 addresses: 'jaer' (default) flips x and polarity as jAER does; 'raw' does not */
  dvs128?: 'jaer' | 'raw';
  /** CSV: multiply t by this to get µs (default 1, i.e. t already in µs; 1e6 for seconds) */
  timeScale?: number;
}

/**
 * An `InputError` about the content of a data file, naming the file and where in it:
 * `data file "x.bin" at byte 4093: expected ..., got ...`. `field` is `x.bin at byte 4093`.
 */
export class DataFileError extends InputError {
  constructor(
    readonly file: string,
    /** `byte 4093`, `line 12`, or '' for the file as a whole */
    readonly where: string,
    expected: string,
    got?: unknown,
    options: Omit<InputErrorOptions, 'kind'> = {},
  ) {
    const field = where ? `${file} at ${where}` : file;
    super(field, expected, got, { ...options, kind: 'data file' });
    const generic = `data file "${field}"`;
    const specific = where ? `data file "${file}" at ${where}` : generic;
    if (this.message.startsWith(generic)) this.message = specific + this.message.slice(generic.length);
  }
}

// ---------------------------------------------------------------------------------------------
// Building a stream

/** Grows parallel arrays as events are added; `finish` returns exact-length copies. */
class EventBuilder {
  n = 0;
  x: Uint16Array;
  y: Uint16Array;
  t: Float64Array;
  p: Uint8Array;

  constructor(capacity: number) {
    const c = Math.max(16, capacity);
    this.x = new Uint16Array(c);
    this.y = new Uint16Array(c);
    this.t = new Float64Array(c);
    this.p = new Uint8Array(c);
  }

  push(x: number, y: number, t: number, p: number): void {
    if (this.n === this.x.length) this.grow();
    const i = this.n++;
    this.x[i] = x;
    this.y[i] = y;
    this.t[i] = t;
    this.p[i] = p;
  }

  private grow(): void {
    const c = this.x.length * 2;
    const x = new Uint16Array(c);
    x.set(this.x);
    const y = new Uint16Array(c);
    y.set(this.y);
    const t = new Float64Array(c);
    t.set(this.t);
    const p = new Uint8Array(c);
    p.set(this.p);
    this.x = x;
    this.y = y;
    this.t = t;
    this.p = p;
  }

  finish(): EventStream {
    const n = this.n;
    return { x: this.x.slice(0, n), y: this.y.slice(0, n), t: this.t.slice(0, n), p: this.p.slice(0, n), n };
  }
}

/** The checks every reader applies per event: declared size and time order. */
class EventChecker {
  private latest = -Infinity;
  maxX = -1;
  maxY = -1;
  private readonly tolerance: number;
  private readonly width: number | undefined;
  private readonly height: number | undefined;

  constructor(
    private readonly file: string,
    opts: ReadOptions,
    declared?: readonly [number, number],
  ) {
    this.tolerance = checkTolerance(opts.timeTolerance);
    this.width = checkSide(opts.width, 'width') ?? declared?.[0];
    this.height = checkSide(opts.height, 'height') ?? declared?.[1];
  }

  check(x: number, y: number, t: number, where: () => string): void {
    if (this.width !== undefined && x >= this.width) {
      throw new DataFileError(this.file, where(), `x < ${this.width} (sensor width)`, x);
    }
    if (this.height !== undefined && y >= this.height) {
      throw new DataFileError(this.file, where(), `y < ${this.height} (sensor height)`, y);
    }
    if (t < this.latest - this.tolerance) {
      throw new DataFileError(
        this.file,
        where(),
        `a timestamp no more than ${this.tolerance} µs before the latest earlier one (${this.latest} µs)`,
        t,
        { note: `${this.latest - t} µs backwards` },
      );
    }
    if (t > this.latest) this.latest = t;
    if (x > this.maxX) this.maxX = x;
    if (y > this.maxY) this.maxY = y;
  }

  size(): [number, number] {
    return [this.width ?? this.maxX + 1, this.height ?? this.maxY + 1];
  }
}

function checkTolerance(v: number | undefined): number {
  if (v === undefined) return DEFAULT_TIME_TOLERANCE_US;
  if (Number.isNaN(v) || v < 0) throw new RangeError(`timeTolerance must be a non-negative number of µs, got ${v}`);
  return v;
}

function checkSide(v: number | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || v < 1 || v > 65536) throw new RangeError(`${name} must be an integer in [1, 65536], got ${v}`);
  return v;
}

function recording(
  b: EventBuilder,
  c: EventChecker,
  format: EventFormat,
  skipped = 0,
  truncatedBytes = 0,
): EventRecording {
  const [width, height] = c.size();
  return { width, height, events: b.finish(), format, skipped, truncatedBytes };
}

// ---------------------------------------------------------------------------------------------
// N-MNIST / N-Caltech101

/** Reads the 40-bit records of an N-MNIST / N-Caltech101 `.bin` file. */
export function parseNmnist(bytes: Uint8Array, file: string, opts: ReadOptions = {}): EventRecording {
  const len = bytes.length;
  const extra = len % 5;
  if (extra !== 0 && !opts.allowTruncated) {
    throw new DataFileError(file, `byte ${len - extra}`, 'whole 5-byte N-MNIST records (the file is truncated)', `${extra} trailing byte${extra === 1 ? '' : 's'}`, {
      note: 'allowTruncated reads the whole records',
    });
  }
  const n = (len - extra) / 5;
  const b = new EventBuilder(n);
  const c = new EventChecker(file, opts);
  for (let i = 0, o = 0; i < n; i++, o += 5) {
    const x = bytes[o];
    const y = bytes[o + 1];
    const b2 = bytes[o + 2];
    const t = ((b2 & 0x7f) << 16) | (bytes[o + 3] << 8) | bytes[o + 4];
    const p = b2 >> 7;
    c.check(x, y, t, () => `byte ${o}`);
    b.push(x, y, t, p);
  }
  return recording(b, c, 'nmnist', 0, extra);
}

/** The N-MNIST bytes of a stream (x, y < 256; integer t in [0, 2^23); p in {0, 1}). */
export function encodeNmnist(ev: EventStream): Uint8Array {
  const out = new Uint8Array(ev.n * 5);
  for (let i = 0; i < ev.n; i++) {
    const x = ev.x[i], y = ev.y[i], t = ev.t[i], p = ev.p[i];
    if (x > 255 || y > 255) throw new RangeError(`encodeNmnist: event ${i} at (${x}, ${y}) does not fit 8-bit coordinates`);
    if (!Number.isInteger(t) || t < 0 || t >= 1 << 23) throw new RangeError(`encodeNmnist: event ${i} time ${t} is not an integer in [0, 2^23) µs`);
    if (p > 1) throw new RangeError(`encodeNmnist: event ${i} polarity ${p} is not 0 or 1`);
    const o = i * 5;
    out[o] = x;
    out[o + 1] = y;
    out[o + 2] = (p << 7) | (t >> 16);
    out[o + 3] = (t >> 8) & 0xff;
    out[o + 4] = t & 0xff;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// AEDAT headers

interface AedatHeader {
  /** '1.0', '2.0', '3.1', ... */
  version: string;
  lines: string[];
  /** byte offset of the first record */
  body: number;
}

const MAGIC = '#!AER-DAT';

function startsWithAscii(bytes: Uint8Array, s: string): boolean {
  if (bytes.length < s.length) return false;
  for (let i = 0; i < s.length; i++) if (bytes[i] !== s.charCodeAt(i)) return false;
  return true;
}

/** One header line from `start` (without CR LF), or undefined if no newline ends it. */
function headerLine(bytes: Uint8Array, start: number): { text: string; next: number } | undefined {
  const nl = bytes.indexOf(0x0a, start);
  if (nl < 0) return undefined;
  let end = nl;
  if (end > start && bytes[end - 1] === 0x0d) end--;
  let text = '';
  for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i]);
  return { text, next: nl + 1 };
}

/**
 * The `#` header of an AEDAT file. For 1.0/2.0 it ends at the first line not starting with
 * `#` (or after `#End Of ASCII Header`); for 3.x at the `#!END-HEADER` line, which must be there.
 */
function parseAedatHeader(bytes: Uint8Array, file: string): AedatHeader {
  if (!startsWithAscii(bytes, MAGIC)) {
    let shown = '';
    for (let i = 0; i < Math.min(bytes.length, 16); i++) shown += bytes[i] >= 0x20 && bytes[i] < 0x7f ? String.fromCharCode(bytes[i]) : '.';
    throw new DataFileError(file, 'byte 0', 'an AEDAT header starting "#!AER-DAT2.0" (or 1.0, 3.1)', shown);
  }
  const first = headerLine(bytes, 0);
  if (!first) throw new DataFileError(file, 'byte 0', 'an AEDAT header line ending in a newline', undefined, { showGot: false });
  const version = first.text.slice(MAGIC.length).trim();
  const lines = [first.text];
  let pos = first.next;
  const v3 = version.startsWith('3');
  for (;;) {
    if (pos >= bytes.length || bytes[pos] !== 0x23 /* # */) {
      if (v3) throw new DataFileError(file, `byte ${pos}`, 'an AEDAT 3 header ending with a "#!END-HEADER" line', undefined, { showGot: false });
      break;
    }
    const line = headerLine(bytes, pos);
    if (!line) throw new DataFileError(file, `byte ${pos}`, 'an AEDAT header line ending in a newline', undefined, { showGot: false });
    lines.push(line.text);
    pos = line.next;
    if (v3 && line.text.trim() === '#!END-HEADER') break;
    if (!v3 && line.text.trim() === '#End Of ASCII Header') break;
  }
  return { version, lines, body: pos };
}

/** Parses an AEDAT file of any supported version (1.0, 2.0, 3.1). */
export function parseAedat(bytes: Uint8Array, file: string, opts: ReadOptions = {}): EventRecording {
  const header = parseAedatHeader(bytes, file);
  switch (header.version) {
    case '1.0':
      return parseAedatDvs128(bytes, file, opts, header, 6);
    case '2.0':
      return parseAedatDvs128(bytes, file, opts, header, 8);
    case '3.1':
      return parseAedat3(bytes, file, opts, header);
    default:
      throw new DataFileError(file, 'byte 0', 'AEDAT version 1.0, 2.0 or 3.1', header.version, {
        note: 'AEDAT 4 can be converted to 2.0 with SensorsINI/aedat4to2',
      });
  }
}

const DVS128_SYNC = 0x8000;
const JAER_SPECIAL = 0x80000000;
/** bits of a DVS128 address that must be zero (15..30) once sync and special are set aside */
const DVS128_FOREIGN = 0x7fff0000;

function parseAedatDvs128(bytes: Uint8Array, file: string, opts: ReadOptions, header: AedatHeader, recordBytes: 6 | 8): EventRecording {
  const chip = header.lines.map((l) => /AEChip:\s*(\S+)/.exec(l)?.[1]).find((c) => c !== undefined);
  if (chip !== undefined && !/(DVS128|Tmpdiff128)$/.test(chip)) {
    throw new DataFileError(file, 'byte 0', 'a recording of a DVS128 (the only AEDAT 1.0/2.0 address layout read here)', chip);
  }
  const convention = opts.dvs128 ?? 'jaer';
  if (convention !== 'jaer' && convention !== 'raw') throw new RangeError(`dvs128 must be 'jaer' or 'raw', got ${String(convention)}`);
  const flip = convention === 'jaer';
  const bodyLen = bytes.length - header.body;
  const extra = bodyLen % recordBytes;
  if (extra !== 0 && !opts.allowTruncated) {
    throw new DataFileError(file, `byte ${bytes.length - extra}`, `whole ${recordBytes}-byte AEDAT records (the file is truncated)`, `${extra} trailing byte${extra === 1 ? '' : 's'}`, {
      note: 'allowTruncated reads the whole records',
    });
  }
  const n = (bodyLen - extra) / recordBytes;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const b = new EventBuilder(n);
  const c = new EventChecker(file, opts, [DVS128_SIZE, DVS128_SIZE]);
  let skipped = 0;
  let wraps = 0;
  let prevRaw = -1;
  for (let i = 0, o = header.body; i < n; i++, o += recordBytes) {
    const addr = recordBytes === 8 ? view.getUint32(o, false) : view.getUint16(o, false);
    const raw = view.getUint32(o + recordBytes - 4, false);
    if (prevRaw >= 0 && prevRaw - raw > 0x80000000) wraps++;
    prevRaw = raw;
    if ((addr & DVS128_SYNC) !== 0 || (addr & JAER_SPECIAL) !== 0) {
      skipped++;
      continue;
    }
    if ((addr & DVS128_FOREIGN) !== 0) {
      throw new DataFileError(file, `byte ${o}`, 'a DVS128 address (bits 16-30 clear)', `0x${(addr >>> 0).toString(16)}`);
    }
    let x = (addr >>> 1) & 0x7f;
    const y = (addr >>> 8) & 0x7f;
    let p = addr & 1;
    if (flip) {
      x = DVS128_SIZE - 1 - x;
      p = 1 - p;
    }
    const t = raw + wraps * 4294967296;
    c.check(x, y, t, () => `byte ${o}`);
    b.push(x, y, t, p);
  }
  return recording(b, c, recordBytes === 8 ? 'aedat2' : 'aedat1', skipped, extra);
}

/** AEDAT 2.0 bytes of a DVS128 stream (x, y < 128; integer t in [0, 2^32)), same convention as reading. */
export function encodeAedat2(ev: EventStream, dvs128: 'jaer' | 'raw' = 'jaer'): Uint8Array {
  const head = `${MAGIC}2.0\r\n# This is a raw AE data file created by ncsim\r\n# Data format is int32 address, int32 timestamp (8 bytes total), repeated for each event\r\n# Timestamps tick is 1 us\r\n# AEChip: ch.unizh.ini.jaer.chip.retina.DVS128\r\n`;
  const out = new Uint8Array(head.length + ev.n * 8);
  for (let i = 0; i < head.length; i++) out[i] = head.charCodeAt(i);
  const view = new DataView(out.buffer);
  for (let i = 0; i < ev.n; i++) {
    let x = ev.x[i];
    const y = ev.y[i], t = ev.t[i];
    let p = ev.p[i];
    if (x >= DVS128_SIZE || y >= DVS128_SIZE) throw new RangeError(`encodeAedat2: event ${i} at (${x}, ${y}) is outside the 128 x 128 DVS128`);
    if (!Number.isInteger(t) || t < 0 || t > 0xffffffff) throw new RangeError(`encodeAedat2: event ${i} time ${t} is not an integer in [0, 2^32) µs`);
    if (p > 1) throw new RangeError(`encodeAedat2: event ${i} polarity ${p} is not 0 or 1`);
    if (dvs128 === 'jaer') {
      x = DVS128_SIZE - 1 - x;
      p = 1 - p;
    }
    const o = head.length + i * 8;
    view.setUint32(o, (y << 8) | (x << 1) | p, false);
    view.setUint32(o + 4, t, false);
  }
  return out;
}

const CAER_HEADER_BYTES = 28;
const CAER_POLARITY_EVENT = 1;

function parseAedat3(bytes: Uint8Array, file: string, opts: ReadOptions, header: AedatHeader): EventRecording {
  let declared: readonly [number, number] | undefined;
  for (const l of header.lines) {
    const m = /^#Source\s+\d+:\s*(\S+)/.exec(l);
    if (m && CAER_SENSORS[m[1].toUpperCase()]) declared = CAER_SENSORS[m[1].toUpperCase()];
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const b = new EventBuilder(Math.floor((bytes.length - header.body) / 8));
  const c = new EventChecker(file, opts, declared);
  let skipped = 0;
  let pos = header.body;
  let truncatedBytes = 0;
  while (pos < bytes.length) {
    const left = bytes.length - pos;
    if (left < CAER_HEADER_BYTES) {
      if (!opts.allowTruncated) {
        throw new DataFileError(file, `byte ${pos}`, `a whole ${CAER_HEADER_BYTES}-byte AEDAT 3 packet header (the file is truncated)`, `${left} byte${left === 1 ? '' : 's'}`, {
          note: 'allowTruncated reads the whole packets',
        });
      }
      truncatedBytes = left;
      break;
    }
    const type = view.getInt16(pos, true);
    const size = view.getInt32(pos + 4, true);
    const tsOffset = view.getInt32(pos + 8, true);
    const overflow = view.getInt32(pos + 12, true);
    const number = view.getInt32(pos + 20, true);
    if (size < 1 || number < 0 || overflow < 0) {
      throw new DataFileError(file, `byte ${pos}`, 'an AEDAT 3 packet header with eventSize >= 1, eventNumber >= 0, eventTSOverflow >= 0', { eventSize: size, eventNumber: number, eventTSOverflow: overflow });
    }
    if (type === CAER_POLARITY_EVENT && (size < 8 || tsOffset < 0 || tsOffset > size - 4)) {
      throw new DataFileError(file, `byte ${pos}`, 'a polarity packet with eventSize >= 8 and the timestamp inside the event', { eventSize: size, eventTSOffset: tsOffset });
    }
    const start = pos + CAER_HEADER_BYTES;
    const payload = size * number;
    if (payload > bytes.length - start) {
      if (!opts.allowTruncated) {
        throw new DataFileError(file, `byte ${pos}`, `a packet of ${number} events of ${size} bytes inside the file (the file is truncated)`, `${bytes.length - start} bytes left`, {
          note: 'allowTruncated reads the whole packets',
        });
      }
      truncatedBytes = bytes.length - pos;
      break;
    }
    if (type === CAER_POLARITY_EVENT) {
      const base = overflow * 2147483648;
      for (let k = 0, o = start; k < number; k++, o += size) {
        const data = view.getUint32(o, true);
        if ((data & 1) === 0) {
          skipped++;
          continue;
        }
        const ts = view.getInt32(o + tsOffset, true);
        if (ts < 0) throw new DataFileError(file, `byte ${o + tsOffset}`, 'a non-negative 32-bit timestamp', ts);
        const p = (data >>> 1) & 1;
        const y = (data >>> 2) & 0x7fff;
        const x = (data >>> 17) & 0x7fff;
        const t = base + ts;
        c.check(x, y, t, () => `byte ${o}`);
        b.push(x, y, t, p);
      }
    }
    pos = start + payload;
  }
  return recording(b, c, 'aedat3', skipped, truncatedBytes);
}

// ---------------------------------------------------------------------------------------------
// CSV

const CSV_NAMES: Record<string, 'x' | 'y' | 't' | 'p'> = {
  x: 'x',
  y: 'y',
  t: 't',
  ts: 't',
  time: 't',
  timestamp: 't',
  p: 'p',
  pol: 'p',
  polarity: 'p',
};

/** Reads `x,y,t,p` lines (see the header comment). */
export function parseCsv(text: string, file: string, opts: ReadOptions = {}): EventRecording {
  const scale = opts.timeScale ?? 1;
  if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`timeScale must be a positive finite number, got ${scale}`);
  const c = new EventChecker(file, opts);
  const b = new EventBuilder(1024);
  // column of x, y, t, p; set by the first non-blank line (a header or the identity)
  let cols: [number, number, number, number] | undefined;
  const lines = text.split('\n');
  for (let li = 0; li < lines.length; li++) {
    let line = lines[li];
    const hash = line.indexOf('#');
    if (hash >= 0) line = line.slice(0, hash);
    line = line.trim();
    if (line === '') continue;
    const fields = line.split(',').map((f) => f.trim());
    const where = `line ${li + 1}`;
    if (cols === undefined) {
      cols = [0, 1, 2, 3];
      if (fields.some((f) => f !== '' && Number.isNaN(Number(f)))) {
        const names = fields.map((f) => CSV_NAMES[f.toLowerCase()]);
        const order = (['x', 'y', 't', 'p'] as const).map((k) => names.indexOf(k));
        if (fields.length !== 4 || order.some((i) => i < 0)) {
          throw new DataFileError(file, where, 'a header naming the columns x, y, t, p or an event "x,y,t,p"', line);
        }
        cols = order as [number, number, number, number];
        continue;
      }
    }
    if (fields.length !== 4) throw new DataFileError(file, where, '4 comma-separated fields x,y,t,p', line);
    const x = csvNumber(fields[cols[0]], file, where, 'x');
    const y = csvNumber(fields[cols[1]], file, where, 'y');
    const t = csvNumber(fields[cols[2]], file, where, 't') * scale;
    const pv = csvNumber(fields[cols[3]], file, where, 'p');
    if (!Number.isInteger(x) || x < 0 || x > 65535) throw new DataFileError(file, where, 'x an integer in [0, 65535]', fields[cols[0]]);
    if (!Number.isInteger(y) || y < 0 || y > 65535) throw new DataFileError(file, where, 'y an integer in [0, 65535]', fields[cols[1]]);
    if (!Number.isFinite(t)) throw new DataFileError(file, where, 't a finite number of µs', fields[cols[2]]);
    if (pv !== 0 && pv !== 1 && pv !== -1) throw new DataFileError(file, where, 'p one of 0, 1 (or -1 for OFF)', fields[cols[3]]);
    c.check(x, y, t, () => where);
    b.push(x, y, t, pv === 1 ? 1 : 0);
  }
  return recording(b, c, 'csv');
}

function csvNumber(s: string, file: string, where: string, name: string): number {
  const v = s === '' ? NaN : Number(s);
  if (Number.isNaN(v)) throw new DataFileError(file, where, `${name} a number`, s);
  return v;
}

/** CSV text of a stream with an `x,y,t,p` header line. */
export function encodeCsv(ev: EventStream): string {
  const lines = ['x,y,t,p'];
  for (let i = 0; i < ev.n; i++) lines.push(`${ev.x[i]},${ev.y[i]},${ev.t[i]},${ev.p[i]}`);
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// Detection

/**
 * The format of a file: an AEDAT magic line wins; else by extension (`.bin` N-MNIST, `.csv`
 * / `.txt` CSV); an `.aedat` / `.dat` file without the magic line is refused as a bad header.
 */
export function detectFormat(bytes: Uint8Array, file: string): EventFormat {
  if (startsWithAscii(bytes, MAGIC)) {
    const v = headerLine(bytes, 0)?.text.slice(MAGIC.length).trim() ?? '';
    return v === '1.0' ? 'aedat1' : v.startsWith('3') ? 'aedat3' : 'aedat2';
  }
  const ext = extName(file).toLowerCase();
  switch (ext) {
    case '.bin':
      return 'nmnist';
    case '.csv':
    case '.txt':
      return 'csv';
    case '.aedat':
    case '.aedat2':
    case '.aedat3':
    case '.dat':
      return 'aedat2'; // parseAedatHeader refuses it with the bad header shown
    default:
      throw new DataFileError(file, '', `an event file: ${EVENT_EXTENSIONS.join(', ')} or an AEDAT header`, ext || 'no extension');
  }
}

/** Parses bytes of a known or detected format; `file` names it in errors and drives detection. */
export function parseEvents(bytes: Uint8Array, file: string, opts: ReadOptions = {}): EventRecording {
  const format = opts.format ?? detectFormat(bytes, file);
  switch (format) {
    case 'nmnist':
      return parseNmnist(bytes, file, opts);
    case 'aedat1':
    case 'aedat2':
    case 'aedat3':
      return parseAedat(bytes, file, opts);
    case 'csv':
      return parseCsv(new TextDecoder('utf-8').decode(bytes), file, opts);
    default:
      throw new RangeError(`format must be one of ${EVENT_FORMATS.join(', ')}, got ${String(format)}`);
  }
}

/** Reads an event file, detecting its format (see `detectFormat`). */
export function readEventFile(path: string, opts: ReadOptions = {}): EventRecording {
  let bytes: Uint8Array;
  try {
    bytes = readDocumentBytes(path, { kind: 'data file', what: 'a readable file', maxBytes: EVENT_FILE_MAX_BYTES });
  } catch (e) {
    if (e instanceof InputError) throw new DataFileError(path, '', 'a readable file', undefined, { showGot: false, note: e.note });
    throw e;
  }
  return parseEvents(bytes, path, opts);
}
