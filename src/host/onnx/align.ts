/**
 * An ONNX teacher against the SNN it teaches: layer l of the teacher gives the targets of chip
 * layer l (ALGORITHMS §5), so the two must have the same layers in the same order — the same
 * input size, then for each layer the same kind (dense, conv, pool), the same widths and, for a
 * conv or pool, the same geometry. The teacher's layers are the outputs of its Relu/Clip nodes,
 * of its AveragePools and its final output (convert.ts). A mismatch is refused naming both.
 */
import type { Net, NetLayer } from '../../net/file.js';
import type { ConvGeometry } from '../../model/types.js';
import { InputError } from '../../io/errors.js';
import type { OnnxLayer, OnnxTeacher } from './convert.js';

const GEOMETRY_KEYS: (keyof ConvGeometry)[] = [
  'inChannels', 'inHeight', 'inWidth', 'channels', 'height', 'width', 'kernelHeight', 'kernelWidth', 'stride', 'padding', 'depthwise',
];

function geometryText(g: ConvGeometry): string {
  return `${g.kernelHeight}x${g.kernelWidth}/${g.stride}${g.padding ? ` pad ${g.padding}` : ''}`;
}

/** `dense 784 -> 128`, `conv 1x28x28 -> 8x14x14 (5x5/2 pad 2)`, `pool 8x14x14 -> 8x7x7 (2x2/2)`. */
function netLayerText(l: NetLayer): string {
  if (!l.conv) return `dense ${l.nIn} -> ${l.nOut}`;
  const g = l.conv;
  return `${l.type} ${g.inChannels}x${g.inHeight}x${g.inWidth} -> ${g.channels}x${g.height}x${g.width} (${geometryText(g)})`;
}

function onnxLayerText(l: OnnxLayer, g: ConvGeometry | undefined): string {
  const n = (s: number[]) => s.reduce((a, b) => a * b, 1);
  if (l.type === 'dense') return `dense ${n(l.in)} -> ${n(l.out)}`;
  return `${l.type} ${l.in.join('x')} -> ${l.out.join('x')}${g ? ` (${geometryText(g)})` : ''}`;
}

/** Refuses (exit 2) a teacher whose layers are not the SNN's, naming both shapes. */
export function alignOnnxTeacher(t: OnnxTeacher, net: Net, source: string): void {
  const kind = `ONNX teacher ${source}`;
  const inSize = net.input.channels * net.input.height * net.input.width;
  const shape = t.input.shape;
  const netIn = `${net.input.channels}x${net.input.height}x${net.input.width}`;
  if (shape.length === 3 ? shape.join('x') !== netIn : shape[0] !== inSize) {
    throw new InputError(`input ${quoted(t.input.name)}`, `the SNN's input, ${shape.length === 3 ? netIn : `${inSize} values`} (${net.source})`, undefined, { kind, showGot: false, note: `the teacher's input is ${shape.join('x')}` });
  }
  const tl = t.layers, nl = net.layers;
  const ours = tl.map((l, i) => onnxLayerText(l, t.teacher.layers[i].conv));
  if (tl.length !== nl.length) {
    throw new InputError('layers', `the SNN's ${nl.length} layers (${nl.map(netLayerText).join(', ')})`, undefined, {
      kind, showGot: false, note: `the teacher has ${tl.length}: ${ours.join(', ')}; a teacher layer is the output of each Relu/Clip, each AveragePool, and the final output`,
    });
  }
  for (let i = 0; i < tl.length; i++) {
    const a = t.teacher.layers[i], b = nl[i];
    const same = tl[i].type === b.type && a.nIn === b.nIn && a.nOut === b.nOut
      && (!a.conv === !b.conv) && (!a.conv || !b.conv || GEOMETRY_KEYS.every((k) => a.conv?.[k] === b.conv?.[k]));
    if (!same) {
      throw new InputError(`layer ${i + 1}, ${tl[i].node}`, `the SNN's layer ${b.name}: ${netLayerText(b)}`, undefined, { kind, showGot: false, note: `the teacher's layer is ${ours[i]}` });
    }
  }
}

/** A name inside a field label, quoted (as decode.ts quotes them; not imported from there: it loads protobufjs, which the browser core does without). */
const quoted = (name: string | undefined): string => `'${name ?? ''}'`;
