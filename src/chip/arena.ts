/**
 * Arena planning: every buffer a chip and its learning rule need is reserved before anything
 * runs, then allocated in one block, so nothing allocates on the hot path and typed-array
 * views of wasm memory are never detached by a later memory.grow.
 */
/**
 * Every buffer starts on a cache line (64 bytes; the arena's base too: src/chip/kernels.ts): a
 * chip on several threads cuts each layer into slices of 32 neurons (128 bytes of a weight row),
 * so a slice's part of every row is whole cache lines and two threads never write the same line
 * (src/chip/threads.ts).
 */
export const ARENA_ALIGN = 64;

export class ArenaPlan {
  private next = 0;
  private readonly owned = new Map<string, number>();
  /** Who the next reservations belong to ("chip", "rule"): learning memory is what the rule reserves. */
  owner = 'chip';
  /** The layer the next reservations belong to (-1: none); set by `forLayer`. */
  layer = -1;

  /** Run `fn` with reservations attributed to layer l. */
  forLayer<T>(l: number, fn: () => T): T {
    const prev = this.layer;
    this.layer = l;
    try { return fn(); } finally { this.layer = prev; }
  }

  /** Bytes reserved by `owner` for layer l (l = -1: not tied to a layer). */
  bytesOf(owner: string, l: number): number {
    return this.owned.get(`${owner}/${l}`) ?? 0;
  }

  /** Reserve `bytes` (on a cache line: ARENA_ALIGN); returns the offset from the arena base. */
  reserve(bytes: number): number {
    const at = this.next;
    this.next += Math.ceil(Math.max(bytes, 4) / ARENA_ALIGN) * ARENA_ALIGN;
    const key = `${this.owner}/${this.layer}`;
    this.owned.set(key, (this.owned.get(key) ?? 0) + bytes);
    return at;
  }

  f32(n: number): number { return this.reserve(n * 4); }
  i32(n: number): number { return this.reserve(n * 4); }
  f64(n: number): number { return this.reserve(n * 8); }

  get totalBytes(): number { return this.next; }
}
