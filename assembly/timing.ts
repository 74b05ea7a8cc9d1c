// One time step of the per-step, per-core timing on the mesh (docs/timing.md, "The model of
// one step"), over a timer arena the host lays out once (src/timing/step-timer.ts): the step's
// event lists and count deltas in, the step's cycles and the phase's per-core and per-link
// totals out. Work linear in the step's activity; no allocation. Twin: src/reference/timing.ts
// (same operations in the same order, all in f64; the header layout is mirrored there).

// Header, at byte pointer ctx: i32 words (counts and byte pointers) ...
const H_NC = 0, H_NL = 1, H_NT = 2, H_NX = 3, H_NY = 4, H_BOXX = 5, H_BOXY = 6, H_LINKS_TIMED = 7;
const H_NBOXLINKS = 8, H_BOXLINKS = 9, H_INPUTCORE = 10, H_TILEOF = 11, H_TILEREP = 12;
const H_PAIRCNT = 13, H_PAIRLAST = 14, H_PAIRRLAST = 15, H_PAIRHOP = 16, H_PAIRDX = 17, H_PAIRDY = 18;
const H_ROUTESTART = 19, H_ROUTELINKS = 20, H_TOUCHED = 21, H_TILEREACH = 22, H_TILEHX = 23, H_TILEHY = 24;
const H_SRCCNT = 25, H_SRCLAST = 26, H_SRCTOUCHED = 27, H_CORECNT = 28, H_CORELASTPOS = 29, H_NUSED = 30;
const H_ROWACC = 31, H_PATINDEX = 32, H_PATDX = 33, H_PATDY = 34, H_LINKLOAD = 35, H_USEDSLOT = 36;
const H_SPIKES = 37, H_MSGS = 38, H_RECV = 39, H_A0 = 40, H_AEND = 41, H_EXTRA = 42, H_LEARN = 43, H_GENBASE = 44;
const H_NEXTRA = 45, H_EXTRASLOT = 46, H_EXTRACYCLES = 47, H_NLEARN = 48, H_LEARNSLOT = 49, H_LEARNCYCLES = 50;
const H_COREBUSY = 51, H_CRITICAL = 52, H_LINKTOTAL = 53, H_LINKMAX = 54, H_LAYERS = 55, H_EVENTS = 56, H_NTOUCHED = 57;
// ... then f64 words from byte ctx + 256: the model's figures, and the step's results.
const HEADER_F64: usize = 256;
const F_LUPD = 0, F_LSPK = 1, F_LSEND = 2, F_LRECV = 3, F_OVFORWARD = 4, F_BARRIER = 5, F_HOPX = 6, F_HOPY = 7;
const F_TOTAL = 8, F_FORWARD = 9, F_LEARNMAX = 10, F_CRIT = 11, F_MESHLIMITED = 12;
const F_MESSAGES = 13, F_FROMINPUT = 14, F_HOPSX = 15, F_HOPSY = 16, F_PORTT = 17;
// One record per layer (what layer L receives), LAYER_BYTES each.
const L_DENSE = 0, L_D = 1, L_DCORES = 2, L_DSYN = 3, L_START = 4, L_NDTILES = 5, L_DTILES = 6, L_DTILEOF = 7;
const L_EWCOEF = 8, L_NSCOEF = 9, L_DRC = 10, L_DSEND = 11, L_NSLICES = 12, L_SLICECORE = 13, L_SLICESHARE = 14;
const L_COREOF = 15, L_LOCALPOS = 16, L_MONOTONE = 17, L_DELTA = 18, L_SCORES = 19, L_STSTART = 20, L_STILE = 21, L_NST = 22, L_DFIRST = 23, L_SLICEFIRST = 24, L_CNT = 25, L_PREV = 26, L_STPAIRS = 27;
const L_F64: usize = 128, LF_LROW = 0, LF_LSYN = 1;
const LAYER_BYTES: usize = 160;

// @ts-ignore: decorator
@inline function hw(ctx: usize, k: i32): i32 { return load<i32>(ctx + (<usize>k << 2)); }
// @ts-ignore: decorator
@inline function hp(ctx: usize, k: i32): usize { return <usize>load<i32>(ctx + (<usize>k << 2)); }
// @ts-ignore: decorator
@inline function fig(ctx: usize, k: i32): f64 { return load<f64>(ctx + HEADER_F64 + (<usize>k << 3)); }
// @ts-ignore: decorator
@inline function setFig(ctx: usize, k: i32, v: f64): void { store<f64>(ctx + HEADER_F64 + (<usize>k << 3), v); }
// @ts-ignore: decorator
@inline function rec(ctx: usize, L: i32): usize { return hp(ctx, H_LAYERS) + <usize>L * LAYER_BYTES; }
// @ts-ignore: decorator
@inline function lw(ctx: usize, L: i32, k: i32): i32 { return load<i32>(rec(ctx, L) + (<usize>k << 2)); }
// @ts-ignore: decorator
@inline function lp_(ctx: usize, L: i32, k: i32): usize { return <usize>load<i32>(rec(ctx, L) + (<usize>k << 2)); }
// @ts-ignore: decorator
@inline function lf(ctx: usize, L: i32, k: i32): f64 { return load<f64>(rec(ctx, L) + L_F64 + (<usize>k << 3)); }
// @ts-ignore: decorator
@inline function gi(p: usize, k: i32): i32 { return load<i32>(p + (<usize>k << 2)); }
// @ts-ignore: decorator
@inline function si(p: usize, k: i32, v: i32): void { store<i32>(p + (<usize>k << 2), v); }
// @ts-ignore: decorator
@inline function gf(p: usize, k: i32): f64 { return load<f64>(p + (<usize>k << 3)); }
// @ts-ignore: decorator
@inline function sf(p: usize, k: i32, v: f64): void { store<f64>(p + (<usize>k << 3), v); }
// @ts-ignore: decorator
@inline function zero(p: usize, n: i32): void {
  // A store loop: memory.fill is a call out of the module, dearer than these few stores.
  const z = f64x2.splat(0), end = p + (<usize>n << 3);
  let q = p;
  for (; q + 16 <= end; q += 16) v128.store(q, z);
  if (q < end) store<f64>(q, 0);
}

/** Each layer's count deltas since the last call (only the slots the timing reads), from its counters where the host pointed. */
function countDeltas(ctx: usize): void {
  const used = hp(ctx, H_USEDSLOT), nU = hw(ctx, H_NUSED);
  for (let l = 0, nL = hw(ctx, H_NL); l < nL; l++) {
    const cnt = lp_(ctx, l, L_CNT), prev = lp_(ctx, l, L_PREV), d = lp_(ctx, l, L_DELTA);
    for (let q = 0; q < nU; q++) { const s = gi(used, q), c = gf(cnt, s); sf(d, s, c - gf(prev, s)); sf(prev, s, c); }
  }
}

/** Time one step from the events and counters the host pointed to; returns its cycles (the results are in the header). */
export function timingStep(ctx: usize, ovL: f64): f64 {
  const nL = hw(ctx, H_NL);
  countDeltas(ctx);
  // spikes, msgs, recv, extra and aEnd are zero here: finishStep clears them as it reads them.
  si(ctx, H_NTOUCHED, 0);
  setFig(ctx, F_PORTT, 0); setFig(ctx, F_FROMINPUT, 0); setFig(ctx, F_MESSAGES, 0); setFig(ctx, F_HOPSX, 0); setFig(ctx, F_HOPSY, 0);
  for (let L = 0; L < nL; L++) {
    if (lw(ctx, L, L_DENSE) != 0) denseLayer(ctx, L);
    else convLayer(ctx, L);
  }
  convFlows(ctx);
  // The last layer's spikes go nowhere but take their soma time.
  const ev = hp(ctx, H_EVENTS) + (<usize>(2 * nL) << 2), evBuf = <usize>load<i32>(ev), evN = load<i32>(ev + 4);
  const co = lp_(ctx, nL - 1, L_COREOF), spikes = hp(ctx, H_SPIKES);
  for (let e = 0; e < evN; e++) { const c = gi(co, gi(evBuf, e)); sf(spikes, c, gf(spikes, c) + 1); }
  neuronExtras(ctx);
  const meshBound = meshBoundOf(ctx);
  learningPhase(ctx, false, 0); // the learning overhead and the slowest core: in finishStep's pass
  return finishStep(ctx, meshBound, ovL);
}

/** The end-of-sample learning: a learning phase, each core's learning time added to its busy time; returns the slowest core's. */
export function timingSampleEnd(ctx: usize, ovL: f64): f64 {
  countDeltas(ctx);
  const learnMax = learningPhase(ctx, true, ovL);
  if (learnMax == 0) return 0;
  const busy = hp(ctx, H_COREBUSY), learn = hp(ctx, H_LEARN);
  for (let c = 0, nC = hw(ctx, H_NC); c < nC; c++) sf(busy, c, gf(busy, c) + gf(learn, c));
  return learnMax;
}

/**
 * A source tile's events of this layer: its count, and the latest start among them (the tile
 * entered in the touched list once). Without branches (which tile comes first is data): the
 * list's next slot is always written and kept only for a new tile.
 */
// @ts-ignore: decorator
@inline function gather(srcCnt: usize, srcLast: usize, srcTouched: usize, nSrc: i32, tl: i32, t: f64, k: i32): i32 {
  const kt = gi(srcCnt, tl), first = kt == 0;
  si(srcTouched, nSrc, tl);
  sf(srcLast, tl, select<f64>(t, max(gf(srcLast, tl), t), first));
  si(srcCnt, tl, kt + k);
  return nSrc + <i32>first;
}

/**
 * Layer L's source cores tile by tile (their counts in the core-count table, zeroed here): each
 * core's spikes and messages so far, its last event's start (the count and the latest start of
 * the tile in registers: the starts are >= 0, so their bits order as integers and the maximum
 * is a select), and the tiles with events in the touched list; returns how many.
 */
function sourceTiles(ctx: usize, L: i32, hasCo: bool, Df: f64): i32 {
  const srcCnt = hp(ctx, H_SRCCNT), srcLast = hp(ctx, H_SRCLAST), srcTouched = hp(ctx, H_SRCTOUCHED), msgs = hp(ctx, H_MSGS), spikes = hp(ctx, H_SPIKES);
  const coreCnt = hp(ctx, H_CORECNT), coreLastPos = hp(ctx, H_CORELASTPOS);
  const cores = lp_(ctx, L, L_SCORES), start = lp_(ctx, L, L_STSTART), tiles = lp_(ctx, L, L_STILE), nST = lw(ctx, L, L_NST);
  const lSend0 = fig(ctx, F_LSEND), lUpd = fig(ctx, F_LUPD), lSpk = fig(ctx, F_LSPK);
  let nSrc = 0;
  // Each tile's cores consecutive (the usual placement): two cores at a time, in f64x2 and i64x2
  // lanes (the same operations per core; the lanes' counts and latest starts joined per tile).
  const pairs = lw(ctx, L, L_STPAIRS) != 0;
  const vD = f64x2.splat(Df), vSend = f64x2.splat(lSend0), vUpd = f64x2.splat(lUpd), vSpk = f64x2.splat(lSpk);
  const vNone = i64x2.splat(-1), vOne = i32x4.splat(1), vZero = i32x4.splat(0);
  for (let u = 0; u < nST; u++) {
    let cnt = 0, last: i64 = -1;
    let q = gi(start, u);
    const q1 = gi(start, u + 1);
    if (pairs) {
      let vCnt = vZero, vLast = vNone;
      for (; q + 2 <= q1; q += 2) {
        const c = <usize>gi(cores, q), kk = v128.load64_zero(coreCnt + (c << 2)), kf = f64x2.convert_low_i32x4_s(kk);
        store<i64>(coreCnt + (c << 2), 0);
        const m = f64x2.add(v128.load(msgs + (c << 3)), f64x2.mul(kf, vD));
        v128.store(msgs + (c << 3), m);
        let t = f64x2.mul(f64x2.sub(m, vD), vSend);
        if (hasCo) {
          const sp = f64x2.add(v128.load(spikes + (c << 3)), kf);
          v128.store(spikes + (c << 3), sp);
          const lpv = f64x2.convert_low_i32x4_s(i32x4.add(v128.load64_zero(coreLastPos + (c << 2)), vOne));
          t = f64x2.add(f64x2.add(f64x2.mul(lpv, vUpd), f64x2.mul(sp, vSpk)), t);
        }
        const tb = v128.bitselect(t, vNone, i64x2.extend_low_i32x4_s(i32x4.gt_s(kk, vZero)));
        vLast = v128.bitselect(tb, vLast, i64x2.gt_s(tb, vLast));
        vCnt = i32x4.add(vCnt, kk);
      }
      cnt = i32x4.extract_lane(vCnt, 0) + i32x4.extract_lane(vCnt, 1);
      last = max<i64>(i64x2.extract_lane(vLast, 0), i64x2.extract_lane(vLast, 1));
    }
    for (; q < q1; q++) {
      const c = gi(cores, q), k = gi(coreCnt, c), m = gf(msgs, c) + <f64>k * Df;
      si(coreCnt, c, 0);
      sf(msgs, c, m);
      // The last event's messages start after the (k - 1) x D before it (integer counts: exact).
      let t = (m - Df) * lSend0;
      if (hasCo) {
        const sp = gf(spikes, c) + <f64>k;
        sf(spikes, c, sp);
        t = <f64>(gi(coreLastPos, c) + 1) * lUpd + sp * lSpk + t;
      }
      cnt += k;
      last = max<i64>(last, select<i64>(reinterpret<i64>(t), -1, k > 0));
    }
    const tl = gi(tiles, u);
    si(srcCnt, tl, cnt);
    store<i64>(srcLast + (<usize>tl << 3), select<i64>(last, 0, cnt > 0));
    si(srcTouched, nSrc, tl);
    nSrc += <i32>(cnt > 0);
  }
  return nSrc;
}

/**
 * Layer L's inputs when it is dense: every event goes to every core of L. Aggregated per source
 * tile (its cores and the port share their routes): the tile's events and the latest start
 * among them; a tile's last event's message to core j leaves at (its start) + (j + 1) sends.
 */
function denseLayer(ctx: usize, L: i32): void {
  const nC = hw(ctx, H_NC), D = lw(ctx, L, L_D), Df = <f64>D;
  const srcCnt = hp(ctx, H_SRCCNT), srcLast = hp(ctx, H_SRCLAST), srcTouched = hp(ctx, H_SRCTOUCHED), tileOf = hp(ctx, H_TILEOF), msgs = hp(ctx, H_MSGS);
  const hasCo = L > 0;
  const co: usize = hasCo ? lp_(ctx, L - 1, L_COREOF) : 0, lp: usize = hasCo ? lp_(ctx, L - 1, L_LOCALPOS) : 0;
  const hasIc = L == 0 && hw(ctx, H_INPUTCORE) != 0, ic = hp(ctx, H_INPUTCORE);
  const ev = hp(ctx, H_EVENTS) + (<usize>(2 * L) << 2), buf = <usize>load<i32>(ev), n = load<i32>(ev + 4);
  const lSend0 = fig(ctx, F_LSEND), lUpd = fig(ctx, F_LUPD), lSpk = fig(ctx, F_LSPK), spikes = hp(ctx, H_SPIKES);
  let nSrc = 0, portT = fig(ctx, F_PORTT);
  // Spikes in neuron order, each core's neurons in update order: counted per source core (and
  // its last spike, which starts latest: a core's spikes start later and later), then the
  // layer's source cores visited tile by tile, each tile's count and latest start kept in
  // registers. Otherwise every spike is timed (as the twin says).
  const coreCnt = hp(ctx, H_CORECNT), coreLastPos = hp(ctx, H_CORELASTPOS);
  // Counted and checked for order in one pass; out of order, the counts are undone.
  let counted = false;
  if (hasCo && lw(ctx, L - 1, L_MONOTONE) != 0 && n > 0) {
    let bad = 0, prev = -1;
    for (let e = 0; e < n; e++) {
      const i = gi(buf, e), c = gi(co, i);
      bad |= <i32>(i <= prev);
      prev = i;
      si(coreCnt, c, gi(coreCnt, c) + 1);
      si(coreLastPos, c, gi(lp, i));
    }
    counted = bad == 0;
    if (!counted) for (let e = 0; e < n; e++) si(coreCnt, gi(co, gi(buf, e)), 0);
  }
  if (hasCo && !counted) {
    for (let e = 0; e < n; e++) {
      const i = gi(buf, e), c = gi(co, i), sp = gf(spikes, c) + 1, m = gf(msgs, c);
      sf(spikes, c, sp);
      const t = <f64>(gi(lp, i) + 1) * lUpd + sp * lSpk + m * lSend0;
      sf(msgs, c, m + Df);
      nSrc = gather(srcCnt, srcLast, srcTouched, nSrc, gi(tileOf, c), t, 1);
    }
  } else if (hasCo) {
    nSrc = sourceTiles(ctx, L, true, Df);
  } else if (hasIc && n > 0) {
    for (let e = 0; e < n; e++) { const c = gi(ic, gi(buf, e)); si(coreCnt, c, gi(coreCnt, c) + 1); }
    nSrc = sourceTiles(ctx, L, false, Df);
  } else if (n > 0) {
    // The port: its events leave back to back, each after the previous one's D messages.
    const tl = gi(tileOf, nC);
    si(srcTouched, nSrc++, tl);
    si(srcCnt, tl, n);
    let t = portT;
    const step = Df * lSend0;
    for (let e = 0; e < n; e++) { t = portT; portT = t + step; }
    sf(srcLast, tl, t);
  }
  setFig(ctx, F_PORTT, portT);
  if (!hasCo) setFig(ctx, F_FROMINPUT, fig(ctx, F_FROMINPUT) + <f64>n * Df);
  if (n == 0) return;
  const recv = hp(ctx, H_RECV), aEnd = hp(ctx, H_AEND), dCores = lp_(ctx, L, L_DCORES), nT = hw(ctx, H_NT);
  const dTiles = lp_(ctx, L, L_DTILES), nDT = lw(ctx, L, L_NDTILES), dTileOf = lp_(ctx, L, L_DTILEOF), reach = hp(ctx, H_TILEREACH);
  // max over sources of (start + hx |sx - dx| + hy |sy - dy|), from four maxima over the sources.
  const tHX = hp(ctx, H_TILEHX), tHY = hp(ctx, H_TILEHY);
  // Lanes (mpp, mpm) and (mmp, mmm); x + (-Y) is x - Y exactly, and no value is NaN or -0 (pmax is max).
  let vp = f64x2.splat(-Infinity), vm = vp;
  for (let k = 0; k < nSrc; k++) {
    const tl = gi(srcTouched, k), v = gf(srcLast, tl), X = gf(tHX, tl), Y = gf(tHY, tl);
    const pm = f64x2.replace_lane(f64x2.splat(Y), 1, -Y);
    vp = f64x2.pmax(vp, f64x2.add(f64x2.splat(v + X), pm));
    vm = f64x2.pmax(vm, f64x2.add(f64x2.splat(v - X), pm));
  }
  for (let u = 0; u < nDT; u++) {
    const tl = gi(dTiles, u), X = gf(tHX, tl), Y = gf(tHY, tl), vX = f64x2.splat(X);
    const mp = f64x2.replace_lane(f64x2.splat(-Y), 1, Y);
    const r = f64x2.pmax(f64x2.add(f64x2.sub(vp, vX), mp), f64x2.add(f64x2.add(vm, vX), mp));
    sf(reach, u, max(f64x2.extract_lane(r, 0), f64x2.extract_lane(r, 1)));
  }
  const rcs = lp_(ctx, L, L_DRC), sends = lp_(ctx, L, L_DSEND), nf = <f64>n;
  let j0 = 0;
  // Destination cores d0, d0 + 1, ... (the usual placement): two at a time.
  const dFirst = lw(ctx, L, L_DFIRST);
  if (dFirst > 0) {
    const vn = f64x2.splat(nf), r0 = recv + (<usize>(dFirst - 1) << 3), e0 = aEnd + (<usize>(dFirst - 1) << 3);
    for (; j0 + 2 <= D; j0 += 2) {
      const o = <usize>j0 << 3, rc = v128.load(rcs + o);
      const reachv = f64x2.replace_lane(f64x2.splat(gf(reach, gi(dTileOf, j0))), 1, gf(reach, gi(dTileOf, j0 + 1)));
      v128.store(r0 + o, f64x2.add(v128.load(r0 + o), f64x2.mul(vn, rc)));
      v128.store(e0 + o, f64x2.pmax(v128.load(e0 + o), f64x2.add(f64x2.add(reachv, v128.load(sends + o)), rc)));
    }
  }
  for (let j = j0; j < D; j++) {
    const d = gi(dCores, j), rc = gf(rcs, j);
    sf(recv, d, gf(recv, d) + nf * rc);
    sf(aEnd, d, max(gf(aEnd, d), gf(reach, gi(dTileOf, j)) + gf(sends, j) + rc));
  }
  denseLinkLoads(ctx, L);
  const patIndex = hp(ctx, H_PATINDEX), patDx = hp(ctx, H_PATDX), patDy = hp(ctx, H_PATDY);
  let messages = fig(ctx, F_MESSAGES), hopsX = fig(ctx, F_HOPSX), hopsY = fig(ctx, F_HOPSY);
  for (let k = 0; k < nSrc; k++) {
    const tl = gi(srcTouched, k), ns = <f64>gi(srcCnt, tl);
    si(srcCnt, tl, 0);
    const pat = gi(patIndex, L * nT + tl);
    messages += ns * Df;
    hopsX += ns * gf(patDx, pat);
    hopsY += ns * gf(patDy, pat);
  }
  setFig(ctx, F_MESSAGES, messages); setFig(ctx, F_HOPSX, hopsX); setFig(ctx, F_HOPSY, hopsY);
}

/**
 * Link loads of a dense layer's messages from the step's per-tile event counts, in O(tiles) (the
 * twin says how): a tile's four links (east, west, north, south) in two f64x2 lanes, each the
 * events that cross it times the destinations beyond it (coefficients laid out by the host; a
 * link nothing crosses gets + 0).
 */
function denseLinkLoads(ctx: usize, L: i32): void {
  const nx = hw(ctx, H_NX), S = hp(ctx, H_SRCCNT), load = hp(ctx, H_LINKLOAD), bx = hw(ctx, H_BOXX), by = hw(ctx, H_BOXY);
  const ew = lp_(ctx, L, L_EWCOEF), ns = lp_(ctx, L, L_NSCOEF), rowBelow = hp(ctx, H_ROWACC);
  let acc: f64 = 0;
  for (let y = 0; y < by; y++) {
    let rowTotal: f64 = 0;
    for (let x = 0; x < bx; x++) rowTotal += <f64>gi(S, y * nx + x);
    acc += rowTotal;
    sf(rowBelow, y, acc);
  }
  const total = acc;
  let below: f64 = 0;
  for (let y = 0; y < by; y++) {
    const prev = below, rowTotal = gf(rowBelow, y) - prev;
    below = gf(rowBelow, y);
    const vNS = f64x2.replace_lane(f64x2.splat(below), 1, total - prev);
    let left: f64 = 0;
    for (let x = 0; x < bx; x++) {
      const t = y * nx + x, n = <f64>gi(S, t), p = load + (<usize>t << 5);
      left += n;
      const vEW = f64x2.replace_lane(f64x2.splat(left), 1, rowTotal - left + n);
      v128.store(p, f64x2.add(v128.load(p), f64x2.mul(vEW, v128.load(ew + (<usize>x << 4)))));
      v128.store(p, f64x2.add(v128.load(p, 16), f64x2.mul(vNS, v128.load(ns + (<usize>t << 4)))), 16);
    }
  }
}

/** Layer L's inputs when it is a convolution: each event to the cores its receptive fields reach, per (source tile, destination core) flow. */
function convLayer(ctx: usize, L: i32): void {
  const nC = hw(ctx, H_NC), start = lp_(ctx, L, L_START), dCores = lp_(ctx, L, L_DCORES), dSyn = lp_(ctx, L, L_DSYN);
  const pairCnt = hp(ctx, H_PAIRCNT), pairLast = hp(ctx, H_PAIRLAST), pairRLast = hp(ctx, H_PAIRRLAST), touched = hp(ctx, H_TOUCHED);
  const recv = hp(ctx, H_RECV), msgs = hp(ctx, H_MSGS), spikes = hp(ctx, H_SPIKES), tileRep = hp(ctx, H_TILEREP);
  const hasCo = L > 0;
  const co: usize = hasCo ? lp_(ctx, L - 1, L_COREOF) : 0, lp: usize = hasCo ? lp_(ctx, L - 1, L_LOCALPOS) : 0;
  const hasIc = L == 0 && hw(ctx, H_INPUTCORE) != 0, ic = hp(ctx, H_INPUTCORE);
  const ev = hp(ctx, H_EVENTS) + (<usize>(2 * L) << 2), buf = <usize>load<i32>(ev), n = load<i32>(ev + 4);
  const rcBase = fig(ctx, F_LRECV) + lf(ctx, L, LF_LROW), lSyn = lf(ctx, L, LF_LSYN), lSend = fig(ctx, F_LSEND);
  const lUpd = fig(ctx, F_LUPD), lSpk = fig(ctx, F_LSPK);
  let portT = fig(ctx, F_PORTT), fromInput = fig(ctx, F_FROMINPUT), nTouched = hw(ctx, H_NTOUCHED);
  for (let e = 0; e < n; e++) {
    const i = gi(buf, e);
    let c = nC, t = portT;
    if (hasCo) {
      c = gi(co, i);
      const sp = gf(spikes, c) + 1;
      sf(spikes, c, sp);
      t = <f64>(gi(lp, i) + 1) * lUpd + sp * lSpk + gf(msgs, c) * lSend;
    } else if (hasIc) { c = gi(ic, i); t = gf(msgs, c) * lSend; }
    const j0 = gi(start, i), j1 = gi(start, i + 1), rep = gi(tileRep, c);
    for (let j = j0; j < j1; j++) {
      const d = gi(dCores, j);
      t += lSend;
      const rc = rcBase + gf(dSyn, j) * lSyn;
      sf(recv, d, gf(recv, d) + rc);
      const p = rep * nC + d;
      const k = gi(pairCnt, p);
      if (k == 0) { si(touched, nTouched++, p); sf(pairRLast, p, 0); sf(pairLast, p, t); }
      si(pairCnt, p, k + 1);
      if (t > gf(pairLast, p)) sf(pairLast, p, t);
      if (rc > gf(pairRLast, p)) sf(pairRLast, p, rc);
    }
    const sent = <f64>(j1 - j0);
    if (hasCo) sf(msgs, c, gf(msgs, c) + sent);
    else if (hasIc) { sf(msgs, c, gf(msgs, c) + sent); fromInput += sent; }
    else { portT = t; fromInput += sent; }
  }
  setFig(ctx, F_PORTT, portT);
  setFig(ctx, F_FROMINPUT, fromInput);
  si(ctx, H_NTOUCHED, nTouched);
}

/** The convolution flows' link loads and last arrivals. */
function convFlows(ctx: usize): void {
  const nC = hw(ctx, H_NC), nTouched = hw(ctx, H_NTOUCHED);
  if (nTouched == 0) return;
  const pairCnt = hp(ctx, H_PAIRCNT), pairLast = hp(ctx, H_PAIRLAST), pairRLast = hp(ctx, H_PAIRRLAST), pairHop = hp(ctx, H_PAIRHOP);
  const pairDx = hp(ctx, H_PAIRDX), pairDy = hp(ctx, H_PAIRDY), touched = hp(ctx, H_TOUCHED);
  const routeStart = hp(ctx, H_ROUTESTART), routeLinks = hp(ctx, H_ROUTELINKS), linkLoad = hp(ctx, H_LINKLOAD), aEnd = hp(ctx, H_AEND);
  let messages = fig(ctx, F_MESSAGES), hopsX = fig(ctx, F_HOPSX), hopsY = fig(ctx, F_HOPSY);
  for (let q = 0; q < nTouched; q++) {
    const p = gi(touched, q), ni = gi(pairCnt, p), n = <f64>ni, d = p % nC;
    for (let k = gi(routeStart, p), k1 = gi(routeStart, p + 1); k < k1; k++) { const l = gi(routeLinks, k); sf(linkLoad, l, gf(linkLoad, l) + n); }
    const a = gf(pairLast, p) + gf(pairHop, p) + gf(pairRLast, p);
    if (a > gf(aEnd, d)) sf(aEnd, d, a);
    hopsX += n * <f64>gi(pairDx, p);
    hopsY += n * <f64>gi(pairDy, p);
    messages += n;
    si(pairCnt, p, 0);
  }
  setFig(ctx, F_MESSAGES, messages); setFig(ctx, F_HOPSX, hopsX); setFig(ctx, F_HOPSY, hopsY);
}

/** Per layer, this step's count deltas x cycles per count, split over the layer's cores by neurons held into `into`; returns whether any layer had work. */
function splitByNeurons(ctx: usize, nSlot: i32, slot: usize, cycles: usize, into: usize): bool {
  let any = false;
  for (let l = 0, nL = hw(ctx, H_NL); l < nL; l++) {
    const d = lp_(ctx, l, L_DELTA);
    let w: f64 = 0;
    for (let k = 0; k < nSlot; k++) w += gf(d, gi(slot, k)) * gf(cycles, k);
    if (w == 0) continue;
    any = true;
    const cores = lp_(ctx, l, L_SLICECORE), share = lp_(ctx, l, L_SLICESHARE), nS = lw(ctx, l, L_NSLICES), first = lw(ctx, l, L_SLICEFIRST);
    let j = 0;
    if (first > 0) {
      // The slices on cores c0, c0 + 1, ... (the usual placement): two at a time.
      const vw = f64x2.splat(w), at = into + (<usize>(first - 1) << 3);
      for (; j + 2 <= nS; j += 2) { const o = <usize>j << 3; v128.store(at + o, f64x2.add(v128.load(at + o), f64x2.mul(vw, v128.load(share + o)))); }
    }
    for (; j < nS; j++) { const c = gi(cores, j); sf(into, c, gf(into, c) + w * gf(share, j)); }
  }
  return any;
}

/** The step's other neuron-phase actions (leaks, resets, accumulators), split by neurons held. */
function neuronExtras(ctx: usize): void {
  const nE = hw(ctx, H_NEXTRA);
  if (nE == 0) return;
  splitByNeurons(ctx, nE, hp(ctx, H_EXTRASLOT), hp(ctx, H_EXTRACYCLES), hp(ctx, H_EXTRA));
}

/** Learning cycles per core from this step's deltas into `learn`; returns the slowest (with the overhead ov), or 0 when not asked. */
function learningPhase(ctx: usize, withOverhead: bool, ov: f64): f64 {
  const nC = hw(ctx, H_NC), learn = hp(ctx, H_LEARN);
  zero(learn, nC);
  const any = splitByNeurons(ctx, hw(ctx, H_NLEARN), hp(ctx, H_LEARNSLOT), hp(ctx, H_LEARNCYCLES), learn);
  if (!withOverhead || (!any && ov == 0)) return 0;
  let mx: f64 = 0;
  for (let c = 0; c < nC; c++) { const v = gf(learn, c) + ov; sf(learn, c, v); if (v > mx) mx = v; }
  return mx;
}

/** Links serialize their messages: the busiest needs load x hop latency, then one receive (+ overheads); the loads go to the phase's totals (the twin says when). */
function meshBoundOf(ctx: usize): f64 {
  const load = hp(ctx, H_LINKLOAD), box = hp(ctx, H_BOXLINKS), nBox = hw(ctx, H_NBOXLINKS);
  const total = hp(ctx, H_LINKTOTAL), mx = hp(ctx, H_LINKMAX);
  const tail = fig(ctx, F_LRECV), ov = fig(ctx, F_OVFORWARD), hopX = fig(ctx, F_HOPX), hopY = fig(ctx, F_HOPY);
  let bound: f64 = 0;
  if (hw(ctx, H_LINKS_TIMED) != 0) {
    // No branch on which links are loaded: an unloaded one adds 0 and changes nothing. The box's
    // links row by row, two at a time: a tile's links are east, west (hopX), north, south (hopY).
    const nx = hw(ctx, H_NX), bx = hw(ctx, H_BOXX), by = hw(ctx, H_BOXY);
    const vX = f64x2.splat(hopX), vY = f64x2.splat(hopY), z = f64x2.splat(0);
    let vb = z;
    for (let y = 0; y < by; y++) {
      for (let o = <usize>(y * nx) << 5, o1 = o + (<usize>bx << 5); o < o1; o += 32) {
        const v0 = v128.load(load + o), v1 = v128.load(load + o, 16);
        vb = f64x2.pmax(vb, f64x2.pmax(f64x2.mul(v0, vX), f64x2.mul(v1, vY)));
        v128.store(total + o, f64x2.add(v128.load(total + o), v0));
        v128.store(total + o, f64x2.add(v128.load(total + o, 16), v1), 16);
        v128.store(mx + o, f64x2.pmax(v128.load(mx + o), v0));
        v128.store(mx + o, f64x2.pmax(v128.load(mx + o, 16), v1), 16);
        v128.store(load + o, z);
        v128.store(load + o, z, 16);
      }
    }
    bound = max(f64x2.extract_lane(vb, 0), f64x2.extract_lane(vb, 1));
    return bound == 0 ? 0 : bound + tail + ov;
  }
  for (let k = 0; k < nBox; k++) {
    const l = gi(box, k), b = gf(load, l) * ((l & 3) < 2 ? hopX : hopY);
    if (b > bound) bound = b;
  }
  if (bound == 0) return 0;
  for (let k = 0; k < nBox; k++) {
    const l = gi(box, k), v = gf(load, l);
    sf(total, l, gf(total, l) + v);
    if (v > gf(mx, l)) sf(mx, l, v);
    sf(load, l, 0);
  }
  return bound + tail + ov;
}

/**
 * Each core's forward time, the critical core (longest forward + learning, lowest index on ties),
 * the step's cycles. Two cores at a time (f64x2: the same operations in the same order per core
 * as the twin's, so the same values; the per-core tables are 16-byte aligned): each lane keeps
 * its own first maximum, and the lanes are joined so that the lowest index wins a tie.
 */
function finishStep(ctx: usize, meshBound: f64, ovL: f64): f64 {
  const nC = hw(ctx, H_NC);
  const spikes = hp(ctx, H_SPIKES), msgs = hp(ctx, H_MSGS), recv = hp(ctx, H_RECV), aEnd = hp(ctx, H_AEND), extra = hp(ctx, H_EXTRA);
  const genBase = hp(ctx, H_GENBASE), a0 = hp(ctx, H_A0), learn = hp(ctx, H_LEARN), busy = hp(ctx, H_COREBUSY);
  const lSpk = fig(ctx, F_LSPK), lSend = fig(ctx, F_LSEND), ov = fig(ctx, F_OVFORWARD);
  const vSpk = f64x2.splat(lSpk), vSend = f64x2.splat(lSend), vOv = f64x2.splat(ov), vOvL = f64x2.splat(ovL), vZero = f64x2.splat(0);
  let vFwd = vZero, vLearn = vZero, vCritT = f64x2.splat(-1), vCrit = i64x2(0, 1), vIdx = i64x2(0, 1);
  const vTwo = i64x2.splat(2);
  const nPair = nC >> 1;
  for (let q = 0; q < nPair; q++) {
    const o = <usize>q << 4;
    const lc = f64x2.add(v128.load(learn + o), vOvL);
    v128.store(learn + o, lc);
    vLearn = f64x2.pmax(vLearn, lc);
    const send = f64x2.add(f64x2.add(f64x2.add(v128.load(genBase + o), f64x2.mul(v128.load(spikes + o), vSpk)), f64x2.mul(v128.load(msgs + o), vSend)), v128.load(extra + o));
    const r = v128.load(recv + o);
    const fin = v128.and(f64x2.pmax(f64x2.add(v128.load(a0 + o), r), v128.load(aEnd + o)), f64x2.gt(r, vZero));
    v128.store(spikes + o, vZero); v128.store(msgs + o, vZero); v128.store(extra + o, vZero); v128.store(recv + o, vZero); v128.store(aEnd + o, vZero);
    const t = f64x2.add(f64x2.pmax(send, fin), vOv), tl = f64x2.add(t, lc), later = f64x2.gt(tl, vCritT);
    vFwd = f64x2.pmax(vFwd, t);
    vCritT = v128.bitselect(tl, vCritT, later);
    vCrit = v128.bitselect(vIdx, vCrit, later);
    vIdx = i64x2.add(vIdx, vTwo);
    v128.store(busy + o, f64x2.add(v128.load(busy + o), f64x2.add(f64x2.add(f64x2.pmax(send, r), vOv), lc)));
  }
  let fwdMax = max(f64x2.extract_lane(vFwd, 0), f64x2.extract_lane(vFwd, 1));
  let learnMax = max(f64x2.extract_lane(vLearn, 0), f64x2.extract_lane(vLearn, 1));
  const t0 = f64x2.extract_lane(vCritT, 0), t1 = f64x2.extract_lane(vCritT, 1);
  const c0 = <i32>i64x2.extract_lane(vCrit, 0), c1 = <i32>i64x2.extract_lane(vCrit, 1);
  let crit = t1 > t0 || (t1 == t0 && c1 < c0) ? c1 : c0, critT = max(t0, t1);
  if (nC & 1) {
    const c = nC - 1;
    const lc = gf(learn, c) + ovL;
    sf(learn, c, lc);
    learnMax = max(learnMax, lc);
    const send = gf(genBase, c) + gf(spikes, c) * lSpk + gf(msgs, c) * lSend + gf(extra, c);
    const r = gf(recv, c);
    const fin = r > 0 ? max(gf(a0, c) + r, gf(aEnd, c)) : 0;
    sf(spikes, c, 0); sf(msgs, c, 0); sf(extra, c, 0); sf(recv, c, 0); sf(aEnd, c, 0);
    const t = max(send, fin) + ov;
    fwdMax = max(fwdMax, t);
    if (t + lc > critT) crit = c;
    sf(busy, c, gf(busy, c) + (max(send, r) + ov + lc));
  }
  if (nC > 0) { const cr = hp(ctx, H_CRITICAL); sf(cr, crit, gf(cr, crit) + 1); }
  const meshLimited = meshBound > fwdMax;
  if (meshLimited) fwdMax = meshBound;
  const total = fwdMax + learnMax + fig(ctx, F_BARRIER);
  setFig(ctx, F_TOTAL, total); setFig(ctx, F_FORWARD, fwdMax); setFig(ctx, F_LEARNMAX, learnMax);
  setFig(ctx, F_CRIT, <f64>crit); setFig(ctx, F_MESHLIMITED, meshLimited ? 1 : 0);
  return total;
}
