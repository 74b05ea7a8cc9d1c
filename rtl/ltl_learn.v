// The online-LTL learning circuit of LTL Fig. 1(d) for one neuron group (docs/rtl.md), at the
// fixed-point format of ncsim's loihi model (hw-models/loihi.json: 8-bit weights, 24-bit
// membrane, 8-bit spike counters), bit for bit what ncsim's fixed-point chip does
// (assembly/device.ts ltlOnlineSignalFixed, fixedOuterUpdate; ALGORITHMS.md §3, §4, §7):
//
//   spike accumulator  C[i] = sat(C[i] + S[i])                         (every step)
//   boxcar gate        b[i] = |U[i] - theta[i]| < H,  H = ceil(p/2 in membrane LSBs)
//   error (exact)      m[i] = negLr * (zeta[i] * (b[i] ? h : 0)),
//                      zeta = -((2/t) * (target - C/t))                (f32, as the kernel)
//   error (sign)       m[i] = -eta * sign(zeta[i]) * b[i]
//   outer product      for each presynaptic spike j (ascending), each neuron i with m[i] != 0
//                      (ascending): W[i][j] = clip(W + q, +-WMAX), q = floor(m/s_w + u),
//                      u a fresh xorshift32 draw (stochastic rounding); then each such
//                      bias: b[i] = sat(b + floor(m/s_u + u)).
//
// ERROR_SIGN = 0 builds the exact-error circuit (one f32 divider, adder and multiplier, shared
// over 7 cycles per neuron); ERROR_SIGN = 1 the sign()/boxcar() circuit: target vs rate is one
// integer comparison (targets are 8-bit fixed point, Tq/256, so sign(Tq*t - 256*C) equals the
// kernel's f32 sign) and the write is q = K + (u >= R), with (K, R) per sign programmed by the
// host (docs/rtl.md: the f32 rounding of eta/s_w + u folded into one threshold).
//
// Sizes: up to N neurons and M inputs (n_cnt, m_cnt of them used); steps t < 256.
// `define BUG_BOXCAR_LSB widens the gate by one LSB (<= for <): the co-simulation must catch it.
`timescale 1ns / 1ps
module ltl_learn #(
  parameter N = 8,
  parameter M = 8,
  parameter WBITS = 8,
  parameter SBITS = 24,
  parameter CBITS = 8,
  parameter ERROR_SIGN = 1
) (
  input  wire                 clk,
  input  wire                 rst,
  // host programming
  input  wire                 load_we,           // write W[load_addr] (addr < N*M) or bias[load_addr - N*M]
  input  wire [15:0]          load_addr,
  input  wire [SBITS-1:0]     load_data,
  input  wire                 sample_start,      // C = 0, generator = seed
  input  wire [31:0]          seed,
  input  wire [7:0]           n_cnt,
  input  wire [7:0]           m_cnt,
  input  wire [7:0]           warmup,
  input  wire [SBITS-1:0]     half_window,       // H
  input  wire [N*SBITS-1:0]   theta,
  input  wire [N*9-1:0]       target,            // Tq, target = Tq / 256
  input  wire [31:0]          neg_lr,            // f32 -eta          (exact)
  input  wire [31:0]          height,            // f32 h             (exact)
  input  wire [31:0]          inv_sw,            // f32 1/s_w         (exact)
  input  wire [31:0]          inv_su,            // f32 1/s_u         (exact)
  input  wire [4*32-1:0]      k_w,               // K for m>0, m<0    (sign): weights, then bias
  input  wire [4*32-1:0]      r_w,               // R for m>0, m<0    (sign): weights, then bias
  // one time step
  input  wire                 start,
  input  wire [7:0]           t,
  input  wire [M-1:0]         pre,               // S_pre[t-d]
  input  wire [N-1:0]         spike,             // S[t]
  input  wire [N*SBITS-1:0]   u,                 // U[t]
  output reg                  done,
  output wire [N*CBITS-1:0]   count,
  output reg  [N-1:0]         gate,
  output reg  [N-1:0]         active,
  output reg  [31:0]          update_events,
  // read port
  input  wire [15:0]          rd_addr,
  output wire [SBITS-1:0]     rd_data
);
`include "f32.vh"

  localparam signed [SBITS:0] WMAX = (1 << (WBITS - 1)) - 1;
  localparam signed [SBITS+1:0] SMAX = (1 << (SBITS - 1)) - 1;
  localparam [CBITS-1:0] CMAX = {CBITS{1'b1}};
  localparam IDLE = 3'd0, PREP = 3'd1, SIGNAL = 3'd2, WRITE = 3'd3, BIAS = 3'd4, FINISH = 3'd5;

  reg signed [WBITS-1:0] w [0:N*M-1];
  reg signed [SBITS-1:0] b [0:N-1];
  reg [CBITS-1:0] c [0:N-1];
  reg [31:0] xw [0:N-1];      // exact: m/s_w; sign: bit 31 = sign of m
  reg [31:0] xb [0:N-1];      // exact: m/s_u
  reg [31:0] rng;
  reg [2:0] state;
  reg [7:0] i, j;
  reg [2:0] ph;
  reg [31:0] acc, two_over_t, zeta;

  genvar g;
  generate for (g = 0; g < N; g = g + 1) begin : out_count
    assign count[g*CBITS +: CBITS] = c[g];
  end endgenerate
  assign rd_data = rd_addr < N*M ? {{(SBITS-WBITS){w[rd_addr][WBITS-1]}}, w[rd_addr]} : b[rd_addr - N*M];

  // ---- the current neuron's gate (and, sign variant, its error's sign) ----
  wire signed [SBITS-1:0] u_i = u[i*SBITS +: SBITS];
  wire signed [SBITS-1:0] th_i = theta[i*SBITS +: SBITS];
  wire signed [SBITS:0] du = u_i - th_i;
  wire [SBITS:0] adu = du < 0 ? -du : du;
`ifdef BUG_BOXCAR_LSB
  wire open_i = adu <= {1'b0, half_window};
`else
  wire open_i = adu < {1'b0, half_window};
`endif
  wire [8:0] tq_i = target[i*9 +: 9];
  wire [16:0] tq_t = tq_i * t;
  wire [16:0] c256 = {c[i], 8'd0};

  // ---- one draw of the write generator and the change q it rounds to ----
  wire [31:0] draw = xorshift32(rng);
  wire in_write = state == WRITE;
  wire [31:0] x_cur = in_write ? xw[i] : xb[i];

  // ---- exact variant: one divider, one adder, one multiplier, time-shared ----
  wire [31:0] div_out = f32_div_int(state == PREP ? 8'd2 : c[i], t);
  reg [31:0] mul_a, mul_b;
  wire [31:0] mul_out = f32_mul(mul_a, mul_b);
  // the one f32 adder: target - C/t in SIGNAL, x + u in WRITE and BIAS
  wire in_signal = state == SIGNAL;
  wire [31:0] add_out = f32_add(in_signal ? f32_from_uint({15'd0, tq_i}, -8) : x_cur,
                                in_signal ? {~acc[31], acc[30:0]} : f32_from_uint(draw[31:8], -24));
  always @* begin
    case (ph)
      3'd2: begin mul_a = two_over_t; mul_b = acc; end
      3'd3: begin mul_a = zeta; mul_b = open_i ? height : 32'd0; end
      3'd4: begin mul_a = neg_lr; mul_b = acc; end
      3'd5: begin mul_a = acc; mul_b = inv_sw; end
      default: begin mul_a = acc; mul_b = inv_su; end
    endcase
  end

  wire signed [31:0] q;
  generate if (ERROR_SIGN) begin : q_sign
    wire neg = x_cur[31];
    wire [1:0] sel = {~in_write, neg};
    assign q = $signed(k_w[sel*32 +: 32]) + ({8'd0, draw[31:8]} >= r_w[sel*32 +: 32] ? 32'sd1 : 32'sd0);
  end else begin : q_exact
    assign q = f32_floor(add_out);
  end endgenerate

  wire signed [WBITS+32:0] w_new = w[i*M + j] + q;
  wire signed [SBITS+32:0] b_new = b[i] + q;
  wire last_i = i + 8'd1 >= n_cnt;
  integer k;

  always @(posedge clk) begin
    done <= 1'b0;
    if (rst) begin
      state <= IDLE;
      update_events <= 0;
    end else if (load_we) begin
      if (load_addr < N*M) w[load_addr] <= load_data[WBITS-1:0];
      else b[load_addr - N*M] <= load_data;
    end else if (sample_start) begin
      for (k = 0; k < N; k = k + 1) c[k] <= 0;
      rng <= seed;
      update_events <= 0;
    end else case (state)
      IDLE: if (start) begin
        for (k = 0; k < N; k = k + 1) if (spike[k] && c[k] != CMAX) c[k] <= c[k] + 1'b1;
        gate <= 0;
        active <= 0;
        i <= 0; j <= 0; ph <= 0;
        state <= t > warmup && n_cnt != 0 ? PREP : FINISH;
      end
      PREP: begin
        two_over_t <= div_out;
        state <= SIGNAL;
      end
      SIGNAL: if (ERROR_SIGN) begin
        // zeta > 0 <=> target < C/t <=> Tq*t < 256*C; m = -eta*sign(zeta)*gate
        gate[i] <= open_i;
        active[i] <= open_i && tq_t != c256;
        xw[i] <= {tq_t < c256, 31'd0};
        xb[i] <= {tq_t < c256, 31'd0};
        i <= i + 1'b1;
        if (last_i) begin i <= 0; state <= WRITE; end
      end else begin
        ph <= ph + 1'b1;
        case (ph)
          3'd0: acc <= div_out;                                  // C/t
          3'd1: acc <= add_out;                                  // target - C/t
          3'd2: zeta <= {~mul_out[31], mul_out[30:0]};           // -(2/t)(target - C/t)
          3'd3: acc <= mul_out;                                  // delta = zeta * g(U)
          3'd4: acc <= mul_out;                                  // m = -eta * delta
          3'd5: begin xw[i] <= mul_out; gate[i] <= open_i; active[i] <= acc[30:23] != 0; end
          default: begin
            xb[i] <= mul_out;
            ph <= 0;
            i <= i + 1'b1;
            if (last_i) begin i <= 0; state <= WRITE; end
          end
        endcase
      end
      WRITE: begin
        // one synapse per cycle: j over presynaptic inputs, i over neurons
        if (pre[j] && active[i]) begin
          rng <= draw;
          update_events <= update_events + 1;
          if (q != 0) w[i*M + j] <= w_new > WMAX ? WMAX[WBITS-1:0] : w_new < -WMAX ? -WMAX : w_new[WBITS-1:0];
        end
        i <= i + 1'b1;
        if (last_i) begin
          i <= 0;
          j <= j + 1'b1;
          if (j + 8'd1 >= m_cnt) state <= BIAS;
        end
      end
      BIAS: begin
        if (active[i]) begin
          rng <= draw;
          b[i] <= b_new > SMAX ? SMAX[SBITS-1:0] : b_new < -SMAX ? -SMAX : b_new[SBITS-1:0];
        end
        i <= i + 1'b1;
        if (last_i) state <= FINISH;
      end
      default: begin
        done <= 1'b1;
        state <= IDLE;
      end
    endcase
  end
endmodule
