/**
 * The data sets `ncsim train --data` reads from folders, where Node runs (src/net/data.ts has
 * the built-in ones, which need no file):
 *
 *   events:FOLDER  a folder of event recordings (host/events/folder.ts), binned into T frames.
 *   idx:FOLDER     the four IDX files of an image data set (host/idx.ts), its own split.
 *   fashion-mnist  idx: of Debian's dataset-fashion-mnist package.
 *
 * Installed as a training extra (src/train/extras.ts) by src/node/platform.ts.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../io/errors.js';
import type { EventDataset } from '../host/events/frames.js';
import { loadEventFolder } from '../host/events/folder.js';
import { FASHION_MNIST_DIR, loadIdxFolder } from '../host/idx.js';
import type { Net } from '../net/file.js';
import { type DataSource, type EventSourceOptions, SparseFrames, imageSource, netKind, splitEvents } from '../net/data.js';

/** What --data accepts here besides mnist and mnist-events. */
export const FOLDER_DATA_NAMES = 'events:FOLDER, idx:FOLDER or fashion-mnist';

/** The folder data set `data` names, or undefined when it names none (the caller refuses it). */
export function folderDataSource(data: string, o: EventSourceOptions & { net?: Net }): DataSource | undefined {
  const net = o.net;
  if (data.startsWith('events:') && data.length > 'events:'.length) return eventFolderSource(data.slice('events:'.length), o);
  if (data === 'fashion-mnist' || (data.startsWith('idx:') && data.length > 'idx:'.length)) {
    const dir = data === 'fashion-mnist' ? FASHION_MNIST_DIR : data.slice('idx:'.length);
    if (data === 'fashion-mnist' && !existsSync(dir)) {
      throw new InputError('--data', `Debian's dataset-fashion-mnist package, whose files are in ${dir}`, data, { kind: 'option', note: 'install it with: apt-get install dataset-fashion-mnist; or give idx:FOLDER' });
    }
    const split = loadIdxFolder(dir, { trainSamples: o.samples, testSamples: o.testSamples });
    if (net && (net.input.channels !== 1 || net.input.height !== split.height || net.input.width !== split.width)) {
      throw new InputError('input', `channels 1, height ${split.height}, width ${split.width} for --data ${data}`, net.input, { kind: `net ${net.source} field` });
    }
    return imageSource(split, data, { height: split.height, width: split.width });
  }
  return undefined;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Labels of a folder: its labels file if there is one, else class sub-folders 0/, 1/, ... */
function labelsMode(dir: string): 'subfolders' | undefined {
  if (existsSync(join(dir, 'labels.csv')) || existsSync(join(dir, 'labels.txt'))) return undefined;
  const numeric = readdirSync(dir, { withFileTypes: true }).some((d) => d.isDirectory() && /^\d+$/.test(d.name));
  return numeric ? 'subfolders' : undefined;
}

/**
 * A folder of event recordings: FOLDER/train and FOLDER/test if both exist, else FOLDER split
 * 80/20 per label (seed 0). Labels: a labels.csv / labels.txt, else class sub-folders (N-MNIST).
 */
export function eventFolderSource(dir: string, o: EventSourceOptions): DataSource {
  if (!isDir(dir)) throw new InputError('--data', 'events:FOLDER with a readable folder of event recordings', `events:${dir}`, { kind: 'option' });
  const polarity = o.input?.channels === 1 ? 'merge' as const : 'split' as const;
  const load = (d: string): EventDataset => loadEventFolder(d, { steps: o.steps, polarity, labels: labelsMode(d) });
  let train: EventDataset, test: EventDataset;
  if (isDir(join(dir, 'train')) && isDir(join(dir, 'test'))) {
    train = load(join(dir, 'train'));
    test = load(join(dir, 'test'));
    if (train.size !== test.size) {
      throw new InputError('--data', 'train/ and test/ recordings of one sensor size', `events:${dir}`, { kind: 'option', note: `train frames ${train.channels} x ${train.height} x ${train.width}, test ${test.channels} x ${test.height} x ${test.width}` });
    }
  } else {
    [train, test] = splitEvents(load(dir));
  }
  const shape = { channels: train.channels, height: train.height, width: train.width };
  if (o.input && (o.input.channels !== shape.channels || o.input.height !== shape.height || o.input.width !== shape.width)) {
    throw new InputError('input', `the frames' shape ${shape.channels} x ${shape.height} x ${shape.width} of events:${dir}`, o.input, { kind: netKind(o) });
  }
  const take = (d: EventDataset, n: number, option: string): SparseFrames => {
    if (n > d.n) throw new InputError(option, `at most the ${d.n} recordings of the ${option === '--samples' ? 'train' : 'test'} set of events:${dir}`, n, { kind: 'option' });
    const set = new SparseFrames(n, d.size, d.steps, d.labels.slice(0, n));
    const per = d.steps * d.size;
    for (let i = 0; i < n; i++) set.set(i, d.frames.subarray(i * per, (i + 1) * per));
    return set;
  };
  const tr = take(train, Math.min(o.samples, train.n), '--samples');
  const te = take(test, Math.min(o.testSamples, test.n), '--test-samples');
  return {
    name: `events:${dir}`, shape, size: train.size, events: true, train: tr, test: te,
    inputBytesPerSample: tr.n ? (4 * tr.entries) / tr.n : 0,
  };
}

