/**
 * Loads the compiled kernels (build/ncsim.wasm; next to the bundle as dist/ncsim.wasm; in a
 * browser, the bytes the page fetched). The module is compiled once per process (per page);
 * each chip gets its own instance and memory.
 */
import { instantiateSync } from '@assemblyscript/loader';
import { platform } from '../platform.js';

export interface WasmExports {
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  gatherEvents(xPtr: number, n: number, idxPtr: number, valPtr: number): number;
  integrate(...a: number[]): void;
  neuronStep(...a: number[]): number;
  accumulate(...a: number[]): void;
  ltlOnlineSignal(...a: number[]): number;
  outerUpdate(...a: number[]): void;
  applyAccumulated(...a: number[]): void;
  storeState(...a: number[]): void;
  storeEvents(...a: number[]): void;
  loadEvents(...a: number[]): number;
  ltlOfflineError(...a: number[]): void;
  surrogateBackStep(...a: number[]): number;
  backpropError(...a: number[]): void;
  sgdApply(...a: number[]): void;
  sgdApplyClamped(...a: number[]): void;
  readoutError(...a: number[]): number;
  traceSynapses(...a: number[]): void;
  traceNeurons(...a: number[]): void;
  stopDelta(...a: number[]): number;
  stopGrad(...a: number[]): void;
  stopStep(...a: number[]): void;
  convIntegrate(...a: number[]): void;
  convOuterUpdate(...a: number[]): void;
  convBackpropError(...a: number[]): void;
  convTraceSynapses(...a: number[]): void;
  convStopGrad(...a: number[]): void;
  convStopStep(...a: number[]): void;
  integrateGain(...a: number[]): void;
  membraneNoise(...a: number[]): void;
  quantizeWeights(...a: number[]): void;
  deviceOuterUpdate(...a: number[]): void;
  deviceApply(...a: number[]): void;
  gatherEventsFixed(...a: number[]): number;
  integrateFixed(...a: number[]): void;
  neuronStepFixed(...a: number[]): number;
  membraneNoiseFixed(...a: number[]): void;
  ltlOnlineSignalFixed(...a: number[]): number;
  fixedOuterUpdate(...a: number[]): void;
  fixedApply(...a: number[]): void;
  loihiDendrite(...a: number[]): void;
  timingStep(ctx: number, ovLearning: number): number;
  timingSampleEnd(ctx: number, ovLearning: number): number;
  loihiNeuronStep(...a: number[]): number;
  // Only in the shared-memory build (build/ncsim-shared.wasm), for the chip's worker threads (src/chip/threads.ts)
  integrateSlice(...a: number[]): void;
  outerUpdateSlice(...a: number[]): void;
  setLearningScratch(ptr: number): void;
  LEARNING_SCRATCH_BYTES: WebAssembly.Global;
  CONV_SCRATCH_BYTES: WebAssembly.Global;
  /** A sample on several threads (assembly/threaded.ts): the main thread's share (0, or 1 when a thread failed), a worker's whole life. */
  threadSample(plan: number): number;
  threadLoop(plan: number, k: number): number;
  threadReplay(plan: number, t: number): void;
  PLAN_HEADER: WebAssembly.Global;
  PLAN_THREAD: WebAssembly.Global;
  PLAN_LAYER: WebAssembly.Global;
  PLAN_PER_THREAD: WebAssembly.Global;
  CTL_THREADS: WebAssembly.Global;
  STATE_ARRAYS: WebAssembly.Global;
}

let compiled: WebAssembly.Module | null = null;
let wasmBytes: Uint8Array | null = null;

/** Use these bytes instead of looking for the file (browsers, bundlers); null: back to the file. */
export function setWasmBytes(bytes: Uint8Array | null): void {
  wasmBytes = bytes;
  compiled = null;
}

function findWasm(): Uint8Array {
  // Node reads dist/ncsim.wasm (src/node/platform.ts); a page passes the bytes it fetched.
  return wasmBytes ?? platform().wasmBytes('ncsim.wasm');
}

export function instantiateKernels(): WasmExports {
  if (!compiled) compiled = new WebAssembly.Module(findWasm() as BufferSource);
  const inst = instantiateSync<Record<string, unknown>>(compiled, {});
  return inst.exports as unknown as WasmExports;
}

let compiledShared: WebAssembly.Module | null = null;

/**
 * The kernels built for shared memory (build/ncsim-shared.wasm: --sharedMemory --importMemory):
 * the same code, on a memory the host creates and every worker thread instantiates on too. The
 * module is posted to the workers, so they compile nothing.
 */
export function sharedKernelsModule(): WebAssembly.Module {
  if (!compiledShared) {
    compiledShared = new WebAssembly.Module(platform().wasmBytes('ncsim-shared.wasm') as BufferSource);
  }
  return compiledShared;
}

/** One instance of the shared-memory kernels on `memory` (shared: true). */
export function instantiateSharedKernels(module: WebAssembly.Module, memory: WebAssembly.Memory): WasmExports {
  const inst = instantiateSync<Record<string, unknown>>(module, { env: { memory } });
  return inst.exports as unknown as WasmExports;
}
