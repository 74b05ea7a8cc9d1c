// f32 (IEEE 754 binary32) arithmetic exactly as ncsim's kernels do it in wasm (assembly/learning.ts,
// assembly/device.ts): round to nearest, ties to even. Only normal numbers and zero: the learning
// circuit's values stay far from 2^-126 and 2^128, so subnormals, infinities and NaN are left
// out (a subnormal input reads as zero, a result that would be subnormal flushes to zero).
// Combinational functions, included inside a module body; one call = one hardware unit.

// Pack sign s, biased exponent e of 1.mt (mt: 24 bits, leading one at bit 23), guard bit g and
// sticky bit st, rounding to nearest even.
function [31:0] f32_round(input s, input signed [11:0] e, input [23:0] mt, input g, input st);
  reg [24:0] m1;
  reg signed [11:0] e1;
  begin
    m1 = {1'b0, mt} + {24'd0, g & (st | mt[0])};
    e1 = e;
    if (m1[24]) begin
      m1 = m1 >> 1;
      e1 = e + 12'sd1;
    end
    if (e1 <= 0) f32_round = {s, 31'd0};
    else f32_round = {s, e1[7:0], m1[22:0]};
  end
endfunction

function [31:0] f32_mul(input [31:0] a, input [31:0] b);
  reg [47:0] p;
  reg signed [11:0] e;
  begin
    if (a[30:23] == 8'd0 || b[30:23] == 8'd0) f32_mul = {a[31] ^ b[31], 31'd0};
    else begin
      p = {1'b1, a[22:0]} * {1'b1, b[22:0]};
      e = $signed({4'd0, a[30:23]}) + $signed({4'd0, b[30:23]}) - 12'sd127;
      if (p[47]) f32_mul = f32_round(a[31] ^ b[31], e + 12'sd1, p[47:24], p[23], |p[22:0]);
      else f32_mul = f32_round(a[31] ^ b[31], e, p[46:23], p[22], |p[21:0]);
    end
  end
endfunction

// a + b. Mantissas carry 26 bits below the last place; bits shifted out of the smaller operand
// are jammed into the lowest bit (sticky), which keeps the rounding exact.
function [31:0] f32_add(input [31:0] a, input [31:0] b);
  reg [31:0] x, y;
  reg [7:0] d;
  reg [49:0] mx, my, sh;
  reg [50:0] sum;
  reg [49:0] n;
  integer i, lead;
  begin
    if (b[30:23] == 8'd0) f32_add = a;
    else if (a[30:23] == 8'd0) f32_add = b;
    else begin
      if (a[30:0] >= b[30:0]) begin x = a; y = b; end else begin x = b; y = a; end
      d = x[30:23] - y[30:23];
      mx = {1'b1, x[22:0], 26'd0};
      my = {1'b1, y[22:0], 26'd0};
      if (d >= 8'd50) sh = 50'd1;
      else begin
        sh = my >> d;
        sh[0] = sh[0] | (|(my & ((50'd1 << d) - 50'd1)));
      end
      if (x[31] == y[31]) sum = {1'b0, mx} + {1'b0, sh};
      else sum = {1'b0, mx} - {1'b0, sh};
      if (sum == 51'd0) f32_add = 32'd0;
      else begin
        lead = 0;
        for (i = 0; i < 51; i = i + 1) if (sum[i]) lead = i;
        if (lead == 50) n = sum[50:1] | {49'd0, sum[0]};
        else n = sum[49:0] << (49 - lead);
        f32_add = f32_round(x[31], $signed({4'd0, x[30:23]}) + lead - 49, n[49:26], n[25], |n[24:0]);
      end
    end
  end
endfunction

// n / dv for small unsigned integers (8 bits, dv >= 1), correctly rounded: 34 extra quotient
// bits give at least 27 significant bits, the remainder is the sticky bit.
function [31:0] f32_div_int(input [7:0] n, input [7:0] dv);
  reg [41:0] q, qn;
  reg [7:0] r;
  integer i, lead;
  begin
    if (n == 8'd0) f32_div_int = 32'd0;
    else begin
      q = {n, 34'd0} / dv;
      r = {n, 34'd0} % dv;
      lead = 0;
      for (i = 0; i < 42; i = i + 1) if (q[i]) lead = i;
      qn = q << (41 - lead);
      f32_div_int = f32_round(1'b0, lead - 34 + 127, qn[41:18], qn[17], (|qn[16:0]) | (r != 8'd0));
    end
  end
endfunction

// v * 2^scale for an unsigned integer v < 2^24 (exact).
function [31:0] f32_from_uint(input [23:0] v, input integer scale);
  integer i, lead;
  reg [23:0] m;
  begin
    if (v == 24'd0) f32_from_uint = 32'd0;
    else begin
      lead = 0;
      for (i = 0; i < 24; i = i + 1) if (v[i]) lead = i;
      m = v << (23 - lead);
      f32_from_uint = {1'b0, 8'd127 + lead[7:0] + scale[7:0], m[22:0]};
    end
  end
endfunction

// floor(y) as an integer, clamped to +-2^30 (assembly/device.ts lsbChange).
function signed [31:0] f32_floor(input [31:0] y);
  reg [7:0] e;
  reg [23:0] m;
  reg [31:0] ip;
  reg frac;
  integer k;
  begin
    e = y[30:23];
    m = {1'b1, y[22:0]};
    if (e == 8'd0) f32_floor = 0;
    else if (e < 8'd127) f32_floor = y[31] ? -32'sd1 : 32'sd0;
    else if (e >= 8'd157) f32_floor = y[31] ? -32'sd1073741824 : 32'sd1073741824;
    else begin
      k = e - 127;
      if (k <= 23) begin
        ip = m >> (23 - k);
        frac = |(m & ((24'd1 << (23 - k)) - 24'd1));
      end else begin
        ip = {8'd0, m} << (k - 23);
        frac = 1'b0;
      end
      f32_floor = y[31] ? -$signed(ip + frac) : $signed(ip);
    end
  end
endfunction

// The write generator (assembly/device.ts nextU32): Marsaglia's xorshift32.
function [31:0] xorshift32(input [31:0] x);
  reg [31:0] v;
  begin
    v = x ^ (x << 13);
    v = v ^ (v >> 17);
    xorshift32 = v ^ (v << 5);
  end
endfunction
