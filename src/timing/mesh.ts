/**
 * The 2-D mesh of a hardware model, as the step timer sees it (CHIP-MODEL.md, "Time"): tiles on
 * an x-by-y grid, directed links between neighbouring tiles, XY (dimension-order) routing, and
 * the barrier's cost as a function of the tiles in use.
 *
 * Links are directed, one per tile and direction, indexed `tile x 4 + dir` (dir 0 east (+x),
 * 1 west (-x), 2 north (+y), 3 south (-y)); a link carries messages leaving its tile that way.
 * A route goes along X first, then along Y (the order Loihi's mesh and SANA-FE use); a message
 * between cores of one tile takes no link.
 */
import type { HwModel } from '../cost/hwmodel.js';

export const DIRS = ['east', 'west', 'north', 'south'] as const;

export class Mesh {
  readonly nx: number;
  readonly ny: number;
  readonly links: number;
  /** Latency of one hop along X / Y (cycles). */
  readonly hopX: number;
  readonly hopY: number;

  constructor(model: HwModel) {
    this.nx = model.noc.mesh.x.value;
    this.ny = model.noc.mesh.y.value;
    this.links = this.nx * this.ny * 4;
    this.hopX = model.noc.hopX.latency.value;
    this.hopY = model.noc.hopY.latency.value;
  }

  /** The links of the XY route from tile (ax, ay) to (bx, by), in order, written to `out`; returns how many. */
  route(ax: number, ay: number, bx: number, by: number, out: Int32Array, at = 0): number {
    let n = at, x = ax, y = ay;
    while (x !== bx) {
      const dir = bx > x ? 0 : 1;
      out[n++] = (y * this.nx + x) * 4 + dir;
      x += bx > x ? 1 : -1;
    }
    while (y !== by) {
      const dir = by > y ? 2 : 3;
      out[n++] = (y * this.nx + x) * 4 + dir;
      y += by > y ? 1 : -1;
    }
    return n - at;
  }

  /** Latency of one message crossing `link` (cycles). */
  linkLatency(link: number): number {
    return (link & 3) < 2 ? this.hopX : this.hopY;
  }

  /** The tile a link leaves and the one it enters. */
  linkEnds(link: number): { from: { x: number; y: number }; to: { x: number; y: number }; dir: typeof DIRS[number] } {
    const tile = link >> 2, dir = link & 3;
    const x = tile % this.nx, y = Math.floor(tile / this.nx);
    const to = { x: x + (dir === 0 ? 1 : dir === 1 ? -1 : 0), y: y + (dir === 2 ? 1 : dir === 3 ? -1 : 0) };
    return { from: { x, y }, to, dir: DIRS[dir] };
  }
}

/**
 * The barrier's latency (cycles) when `tiles` tiles hold neurons: the model's `barrier.byTiles`
 * entry with the most tiles not above `tiles` (a step table, as SANA-FE's `latency_sync` table),
 * else `barrier.latency`.
 */
export function barrierCycles(model: HwModel, tiles: number): number {
  let c = model.barrier.latency.value;
  for (const e of model.barrier.byTiles ?? []) if (e.tiles <= tiles) c = e.latency.value;
  return c;
}
