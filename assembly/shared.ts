// The shared-memory build's entry (asconfig target `shared`, build/ncsim-shared.wasm): every
// kernel of the one-thread build, plus the threads' per-sample calls (threaded.ts), which need
// the threads feature (atomics) that the one-thread build does not enable.
export * from "./index";
export { threadSample, threadLoop, threadReplay, PLAN_HEADER, PLAN_THREAD, PLAN_LAYER, PLAN_PER_THREAD, CTL_THREADS, STATE_ARRAYS } from "./threaded";
