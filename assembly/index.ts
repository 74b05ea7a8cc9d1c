// The chip's circuits, exported for the TypeScript host (src/chip/wasm.ts).
export { gatherEvents, integrate, integrateSlice } from "./synapse";
export { neuronStep } from "./neuron";
export { accumulate } from "./accumulator";
export { ltlOnlineSignal, outerUpdate, outerUpdateSlice, applyAccumulated, setLearningScratch, LEARNING_SCRATCH_BYTES } from "./learning";
export { storeState, storeEvents, loadEvents } from "./state";
export { ltlOfflineError, surrogateBackStep, backpropError, sgdApply, sgdApplyClamped } from "./backprop";
export { readoutError } from "./readout";
export { traceSynapses, traceNeurons, stopDelta, stopGrad, stopStep } from "./traces";
export { convIntegrate, convOuterUpdate, convBackpropError, convTraceSynapses, convStopGrad, convStopStep, CONV_SCRATCH_BYTES } from "./conv";
export { loihiDendrite, loihiNeuronStep } from "./loihi";
export { timingStep, timingSampleEnd } from "./timing";

/** Arenas are allocated once, up front, by the host (no allocation on hot paths). */
export function alloc(bytes: usize): usize {
  return heap.alloc(bytes);
}
export {
  integrateGain, membraneNoise, quantizeWeights, deviceOuterUpdate, deviceApply,
  gatherEventsFixed, integrateFixed, neuronStepFixed, membraneNoiseFixed, ltlOnlineSignalFixed, fixedOuterUpdate, fixedApply,
} from "./device";
