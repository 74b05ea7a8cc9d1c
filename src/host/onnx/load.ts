/**
 * `loadOnnxTeacher`: an ONNX model (a file, or its bytes) as ncsim's teacher, with the sha256
 * of its bytes so that a report says which file taught the chip. The file is read through the
 * one document reader (regular files, size cap); decoding and conversion are convert.ts's
 * (which needs no Node: a browser hands it the bytes).
 */
import { createHash } from 'node:crypto';
import { readDocumentBytes } from '../../io/document.js';
import type { Net } from '../../net/file.js';
import { alignOnnxTeacher } from './align.js';
import { type OnnxTeacher, onnxTeacherFromBytes } from './convert.js';
import { ONNX_KIND } from './decode.js';

/** Largest ONNX file read (256 MiB: a teacher ncsim can run is far smaller). */
export const ONNX_MAX_BYTES = 256 * 1024 * 1024;

export interface LoadedOnnxTeacher extends OnnxTeacher {
  /** The file's path, or "bytes" when bytes were given. */
  source: string;
  /** sha256 of the model's bytes, hex. */
  sha256: string;
}

export interface LoadOnnxOptions {
  /** Check the teacher's layers against this network's (align.ts): a mismatch is refused naming both shapes. */
  net?: Net;
  /** The name used in messages when bytes are given (default "bytes"). */
  name?: string;
}

/**
 * Reads an ONNX model exported by PyTorch (torch.onnx.export) or any other tool, made of Gemm,
 * MatMul, Add, Conv, Relu, Clip, AveragePool, Flatten, Reshape nodes (and the Pad, Constant,
 * Shape, Gather, Unsqueeze and Concat nodes PyTorch writes around them), as ncsim's
 * teacher (docs/onnx.md). Bad input is an InputError (exit status 2 in the CLI) naming the node,
 * tensor or field.
 */
export function loadOnnxTeacher(input: Uint8Array | string, options: LoadOnnxOptions = {}): LoadedOnnxTeacher {
  const source = typeof input === 'string' ? input : (options.name ?? 'bytes');
  const bytes = typeof input === 'string' ? readDocumentBytes(input, { kind: ONNX_KIND, what: 'an ONNX model file', maxBytes: ONNX_MAX_BYTES }) : input;
  const t = onnxTeacherFromBytes(bytes, source);
  if (options.net) alignOnnxTeacher(t, options.net, source);
  return { ...t, source, sha256: createHash('sha256').update(bytes).digest('hex') };
}
