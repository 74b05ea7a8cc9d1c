import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/io/errors.js';
import {
  DataFileError,
  detectFormat,
  encodeAedat2,
  encodeCsv,
  encodeNmnist,
  parseAedat,
  parseCsv,
  parseEvents,
  parseNmnist,
  readEventFile,
  type EventStream,
} from '../../src/host/events/formats.js';

const dir = mkdtempSync(join(tmpdir(), 'ncsim-events-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Ev {
  x: number;
  y: number;
  t: number;
  p: number;
}

const known: Ev[] = [
  { x: 0, y: 0, t: 0, p: 1 },
  { x: 33, y: 1, t: 17, p: 0 },
  { x: 5, y: 33, t: 1000, p: 1 },
  { x: 12, y: 20, t: 65_536, p: 0 },
  { x: 33, y: 33, t: (1 << 23) - 1, p: 1 },
];

function stream(evs: Ev[]): EventStream {
  return {
    x: Uint16Array.from(evs.map((e) => e.x)),
    y: Uint16Array.from(evs.map((e) => e.y)),
    t: Float64Array.from(evs.map((e) => e.t)),
    p: Uint8Array.from(evs.map((e) => e.p)),
    n: evs.length,
  };
}

function list(ev: EventStream): Ev[] {
  return Array.from({ length: ev.n }, (_, i) => ({ x: ev.x[i], y: ev.y[i], t: ev.t[i], p: ev.p[i] }));
}

/** N-MNIST bytes written by hand from the format description (not by encodeNmnist). */
function nmnistBytes(evs: Ev[]): Uint8Array {
  const out: number[] = [];
  for (const e of evs) out.push(e.x, e.y, (e.p ? 0x80 : 0) | ((e.t >>> 16) & 0x7f), (e.t >>> 8) & 0xff, e.t & 0xff);
  return Uint8Array.from(out);
}

function ascii(s: string): number[] {
  return Array.from(s, (c) => c.charCodeAt(0));
}

function be32(v: number): number[] {
  return [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}

function le16(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff];
}

function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

const AEDAT2_HEAD = '#!AER-DAT2.0\r\n# This is a raw AE data file - do not edit\r\n# AEChip: ch.unizh.ini.jaer.chip.retina.DVS128\r\n';

/** AEDAT 2.0 bytes from raw DVS128 (x, y, polarity bit, t). */
function aedat2Bytes(records: { addr: number; t: number }[], head = AEDAT2_HEAD): Uint8Array {
  const out = ascii(head);
  for (const r of records) out.push(...be32(r.addr), ...be32(r.t));
  return Uint8Array.from(out);
}

function dvsAddr(x: number, y: number, bit: number): number {
  return (y << 8) | (x << 1) | bit;
}

/** An AEDAT 3.1 packet: 28-byte header then events of `size` bytes. */
function caerPacket(type: number, size: number, tsOffset: number, overflow: number, events: number[][]): number[] {
  const out = [...le16(type), ...le16(1), ...le32(size), ...le32(tsOffset), ...le32(overflow), ...le32(events.length), ...le32(events.length), ...le32(events.length)];
  for (const e of events) out.push(...e);
  return out;
}

function polarityEvent(x: number, y: number, p: number, ts: number, valid = 1): number[] {
  return [...le32(((x << 17) | (y << 2) | (p << 1) | valid) >>> 0), ...le32(ts)];
}

const AEDAT3_HEAD = '#!AER-DAT3.1\r\n#Format: RAW\r\n#Source 1: DVS128\r\n#Start-Time: 2017-01-01\r\n#!END-HEADER\r\n';

function expectDataError(f: () => unknown, file: string, where: string, words?: RegExp): DataFileError {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(DataFileError);
  const e = err as DataFileError;
  expect(e).toBeInstanceOf(InputError);
  expect(e.kind).toBe('data file');
  expect(e.file).toBe(file);
  expect(e.where).toBe(where);
  expect(e.message.startsWith(where ? `data file "${file}" at ${where}: expected` : `data file "${file}": expected`)).toBe(true);
  if (words) expect(e.message).toMatch(words);
  return e;
}

describe('N-MNIST binary', () => {
  it('reads hand-written records back exactly (file on disk, detected by extension)', () => {
    const path = join(dir, 'known.bin');
    writeFileSync(path, nmnistBytes(known));
    const rec = readEventFile(path);
    expect(rec.format).toBe('nmnist');
    expect(list(rec.events)).toEqual(known);
    expect([rec.width, rec.height]).toEqual([34, 34]); // inferred: largest coordinate + 1
    expect(rec.events.x).toBeInstanceOf(Uint16Array);
    expect(rec.events.t).toBeInstanceOf(Float64Array);
  });

  it('encodeNmnist writes the same bytes as the format description', () => {
    expect(Array.from(encodeNmnist(stream(known)))).toEqual(Array.from(nmnistBytes(known)));
  });

  it('an empty file is an empty recording', () => {
    const rec = parseNmnist(new Uint8Array(0), 'e.bin');
    expect(rec.events.n).toBe(0);
  });

  it('refuses a truncated file naming the byte where the partial record starts', () => {
    const bytes = nmnistBytes(known).subarray(0, 23);
    const e = expectDataError(() => parseNmnist(bytes, 'x.bin'), 'x.bin', 'byte 20', /5-byte/);
    expect(e.message).toContain('3 trailing bytes');
    const rec = parseNmnist(bytes, 'x.bin', { allowTruncated: true });
    expect(list(rec.events)).toEqual(known.slice(0, 4));
    expect(rec.truncatedBytes).toBe(3);
  });

  it('refuses coordinates outside the declared sensor size', () => {
    expectDataError(() => parseNmnist(nmnistBytes(known), 'x.bin', { width: 34, height: 33 }), 'x.bin', 'byte 10', /y < 33/);
    expectDataError(() => parseNmnist(nmnistBytes(known), 'x.bin', { width: 30 }), 'x.bin', 'byte 5', /x < 30/);
  });

  it('timestamps may step back within the tolerance, not beyond', () => {
    const evs = [
      { x: 1, y: 1, t: 5000, p: 1 },
      { x: 1, y: 1, t: 4500, p: 1 },
      { x: 1, y: 1, t: 3999, p: 1 },
    ];
    expectDataError(() => parseNmnist(nmnistBytes(evs), 'b.bin'), 'b.bin', 'byte 10', /backwards/);
    expect(parseNmnist(nmnistBytes(evs.slice(0, 2)), 'b.bin').events.n).toBe(2);
    expect(parseNmnist(nmnistBytes(evs), 'b.bin', { timeTolerance: 1001 }).events.n).toBe(3);
    expect(parseNmnist(nmnistBytes(evs), 'b.bin', { timeTolerance: Infinity }).events.n).toBe(3);
    expectDataError(() => parseNmnist(nmnistBytes(evs), 'b.bin', { timeTolerance: 0 }), 'b.bin', 'byte 5');
  });
});

describe('AEDAT 2.0', () => {
  const raw = [
    { x: 0, y: 0, bit: 0, t: 10 },
    { x: 127, y: 5, bit: 1, t: 20 },
    { x: 64, y: 127, bit: 0, t: 4_000_000_000 },
  ];
  const records = raw.map((r) => ({ addr: dvsAddr(r.x, r.y, r.bit), t: r.t }));

  it("reads DVS128 addresses with jAER's flips by default (x = 127 - x, ON = raw bit 0)", () => {
    const path = join(dir, 'rec.aedat');
    writeFileSync(path, aedat2Bytes(records));
    const rec = readEventFile(path);
    expect(rec.format).toBe('aedat2');
    expect([rec.width, rec.height]).toEqual([128, 128]);
    expect(list(rec.events)).toEqual(raw.map((r) => ({ x: 127 - r.x, y: r.y, t: r.t, p: 1 - r.bit })));
  });

  it("dvs128: 'raw' keeps x and p = addr & 1 (loadaerdat.py)", () => {
    const rec = parseAedat(aedat2Bytes(records), 'r.aedat', { dvs128: 'raw' });
    expect(list(rec.events)).toEqual(raw.map((r) => ({ x: r.x, y: r.y, t: r.t, p: r.bit })));
  });

  it('encodeAedat2 round-trips in both conventions', () => {
    const ev = stream([
      { x: 3, y: 4, t: 1, p: 1 },
      { x: 127, y: 0, t: 2, p: 0 },
    ]);
    for (const c of ['jaer', 'raw'] as const) expect(list(parseAedat(encodeAedat2(ev, c), 'e.aedat', { dvs128: c }).events)).toEqual(list(ev));
  });

  it('skips sync and special events, counting them', () => {
    const rec = parseAedat(aedat2Bytes([{ addr: 0x8000, t: 1 }, records[0], { addr: 0x80000000, t: 2 }]), 's.aedat');
    expect(rec.events.n).toBe(1);
    expect(rec.skipped).toBe(2);
  });

  it('takes a 32-bit timestamp wrap as a wrap', () => {
    const rec = parseAedat(aedat2Bytes([{ addr: 0, t: 0xffffff00 }, { addr: 0, t: 0x10 }]), 'w.aedat');
    expect(Array.from(rec.events.t)).toEqual([0xffffff00, 2 ** 32 + 0x10]);
  });

  it('refuses a bad header, naming byte 0', () => {
    expectDataError(() => parseEvents(Uint8Array.from(ascii('garbage\n')), 'g.aedat'), 'g.aedat', 'byte 0', /AER-DAT2\.0/);
    expectDataError(() => parseAedat(Uint8Array.from(ascii('#!AER-DAT4.0\r\n')), 'v4.aedat'), 'v4.aedat', 'byte 0', /version/);
    expectDataError(() => parseAedat(Uint8Array.from(ascii('#!AER-DAT2.0')), 'nl.aedat'), 'nl.aedat', 'byte 0', /newline/);
    const davis = aedat2Bytes(records, '#!AER-DAT2.0\r\n# AEChip: eu.seebetter.ini.chips.davis.DAVIS240C\r\n');
    expectDataError(() => parseAedat(davis, 'd.aedat'), 'd.aedat', 'byte 0', /DVS128/);
  });

  it('refuses an address of another layout and a truncated record, with byte offsets', () => {
    const head = ascii(AEDAT2_HEAD).length;
    expectDataError(() => parseAedat(aedat2Bytes([records[0], { addr: 0x00400000, t: 30 }]), 'f.aedat'), 'f.aedat', `byte ${head + 8}`, /DVS128 address/);
    const bytes = aedat2Bytes(records).subarray(0, head + 8 * 2 + 5);
    expectDataError(() => parseAedat(bytes, 't.aedat'), 't.aedat', `byte ${head + 16}`, /8-byte/);
    expect(parseAedat(bytes, 't.aedat', { allowTruncated: true }).events.n).toBe(2);
  });

  it('reads AEDAT 1.0 (16-bit addresses)', () => {
    const out = ascii('#!AER-DAT1.0\r\n');
    out.push(0x05, 0x06, ...be32(99)); // y = 5, x = 3, bit 0
    const rec = parseEvents(Uint8Array.from(out), 'old.dat');
    expect(rec.format).toBe('aedat1');
    expect(list(rec.events)).toEqual([{ x: 127 - 3, y: 5, t: 99, p: 1 }]);
  });
});

describe('AEDAT 3.1', () => {
  it('reads polarity packets, skips other packets and invalid events, takes the size from #Source', () => {
    const bytes = [
      ...ascii(AEDAT3_HEAD),
      ...caerPacket(1, 8, 4, 0, [polarityEvent(3, 4, 1, 100), polarityEvent(127, 0, 0, 200), polarityEvent(9, 9, 1, 250, 0)]),
      ...caerPacket(0, 8, 4, 0, [[1, 2, 3, 4, 5, 6, 7, 8]]), // special events: skipped whole
      ...caerPacket(1, 8, 4, 1, [polarityEvent(0, 127, 1, 5)]),
    ];
    const path = join(dir, 'gesture.aedat');
    writeFileSync(path, Uint8Array.from(bytes));
    const rec = readEventFile(path);
    expect(rec.format).toBe('aedat3');
    expect([rec.width, rec.height]).toEqual([128, 128]);
    expect(rec.skipped).toBe(1);
    expect(list(rec.events)).toEqual([
      { x: 3, y: 4, t: 100, p: 1 },
      { x: 127, y: 0, t: 200, p: 0 },
      { x: 0, y: 127, t: 2 ** 31 + 5, p: 1 },
    ]);
  });

  it('refuses a header without #!END-HEADER and a truncated packet, with byte offsets', () => {
    expectDataError(() => parseAedat(Uint8Array.from(ascii('#!AER-DAT3.1\r\n#Format: RAW\r\n')), 'h.aedat'), 'h.aedat', 'byte 28', /END-HEADER/);
    const head = ascii(AEDAT3_HEAD).length;
    const bytes = Uint8Array.from([...ascii(AEDAT3_HEAD), ...caerPacket(1, 8, 4, 0, [polarityEvent(1, 1, 1, 1), polarityEvent(1, 1, 1, 2)])]);
    expectDataError(() => parseAedat(bytes.subarray(0, bytes.length - 3), 't3.aedat'), 't3.aedat', `byte ${head}`, /truncated/);
    expectDataError(() => parseAedat(bytes.subarray(0, head + 10), 't3.aedat'), 't3.aedat', `byte ${head}`, /28-byte/);
    expect(parseAedat(bytes.subarray(0, bytes.length - 3), 't3.aedat', { allowTruncated: true }).events.n).toBe(0);
  });
});

describe('CSV', () => {
  it('reads x,y,t,p with a header, comments and blank lines back exactly', () => {
    const path = join(dir, 'ev.csv');
    writeFileSync(path, '# exported events\nx,y,t,p\n' + known.map((e) => `${e.x},${e.y},${e.t},${e.p}`).join('\r\n') + '\n\n# end\n');
    const rec = readEventFile(path);
    expect(rec.format).toBe('csv');
    expect(list(rec.events)).toEqual(known);
  });

  it('reads without a header, columns in header order, -1 as OFF, a time scale', () => {
    expect(list(parseCsv('1,2,3,1\n4,5,6,-1', 'a.csv').events)).toEqual([
      { x: 1, y: 2, t: 3, p: 1 },
      { x: 4, y: 5, t: 6, p: 0 },
    ]);
    expect(list(parseCsv('t,x,y,polarity\n0.5,7,8,1\n', 'b.csv', { timeScale: 1e6 }).events)).toEqual([{ x: 7, y: 8, t: 500000, p: 1 }]);
  });

  it('encodeCsv round-trips', () => {
    expect(list(parseCsv(encodeCsv(stream(known)), 'r.csv').events)).toEqual(known);
  });

  it('names the line of a non-numeric field, a wrong field count, a bad polarity, a bad header', () => {
    expectDataError(() => parseCsv('x,y,t,p\n1,2,3,1\n1,2,abc,0\n', 'n.csv'), 'n.csv', 'line 3', /t a number, got "abc"/);
    expectDataError(() => parseCsv('1,2,3\n', 'n.csv'), 'n.csv', 'line 1', /4 comma-separated/);
    expectDataError(() => parseCsv('1,2,3,2\n', 'n.csv'), 'n.csv', 'line 1', /p one of/);
    expectDataError(() => parseCsv('1.5,2,3,1\n', 'n.csv'), 'n.csv', 'line 1', /x an integer/);
    expectDataError(() => parseCsv('a,b,c,d\n', 'n.csv'), 'n.csv', 'line 1', /header/);
    expectDataError(() => parseCsv('1,1,100,1\n1,1,50,1\n1,1,-5000,1\n', 'n.csv'), 'n.csv', 'line 3', /backwards/);
    expectDataError(() => parseCsv('1,40,3,1\n', 'n.csv', { height: 34 }), 'n.csv', 'line 1', /y < 34/);
  });
});

describe('detection', () => {
  it('by magic first, then by extension; unknown extensions and missing files are refused', () => {
    const aedat = aedat2Bytes([]);
    expect(detectFormat(aedat, 'whatever.bin')).toBe('aedat2');
    expect(detectFormat(new Uint8Array(5), 'a.bin')).toBe('nmnist');
    expect(detectFormat(new Uint8Array(0), 'a.CSV')).toBe('csv');
    expectDataError(() => detectFormat(new Uint8Array(0), 'a.png'), 'a.png', '', /event file/);
    expectDataError(() => readEventFile(join(dir, 'missing.bin')), join(dir, 'missing.bin'), '', /readable/);
    expect(parseEvents(nmnistBytes(known), 'noext', { format: 'nmnist' }).events.n).toBe(known.length);
  });
});
