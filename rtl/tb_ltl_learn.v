// Co-simulation test bench (docs/rtl.md): replays ncsim's fixed-point cases, one neuron group
// (a layer of a case) after another, from a stimulus file written by test/rtl/driver.ts, and
// compares every step's spike counts, gates, weights and biases, and the sample's update
// events, with ncsim's trace. A mismatch prints the case, layer, step, signal and index.
//   vvp tb.vvp +stim=FILE [+vcd=FILE] [+first]   (+first: stop at the first mismatch)
`timescale 1ns / 1ps
module tb;
  parameter ERROR_SIGN = 1;
  localparam N = 8, M = 8, WBITS = 8, SBITS = 24, CBITS = 8;

  reg clk = 0, rst = 1, load_we = 0, sample_start = 0, start = 0;
  reg [15:0] load_addr = 0, rd_addr = 0;
  reg [SBITS-1:0] load_data = 0, half_window = 0;
  reg [31:0] seed = 0, neg_lr = 0, height = 0, inv_sw = 0, inv_su = 0;
  reg [7:0] n_cnt = 0, m_cnt = 0, warmup = 0, t = 0;
  reg [N*SBITS-1:0] theta = 0, u = 0;
  reg [N*9-1:0] target = 0;
  reg [4*32-1:0] k_w = 0;
  reg [4*32-1:0] r_w = 0;
  reg [M-1:0] pre = 0;
  reg [N-1:0] spike = 0;
  wire done;
  wire [N*CBITS-1:0] count;
  wire [N-1:0] gate, active;
  wire [31:0] update_events;
  wire [SBITS-1:0] rd_data;

  ltl_learn #(.N(N), .M(M), .WBITS(WBITS), .SBITS(SBITS), .CBITS(CBITS), .ERROR_SIGN(ERROR_SIGN)) dut (
    .clk(clk), .rst(rst), .load_we(load_we), .load_addr(load_addr), .load_data(load_data),
    .sample_start(sample_start), .seed(seed), .n_cnt(n_cnt), .m_cnt(m_cnt), .warmup(warmup),
    .half_window(half_window), .theta(theta), .target(target), .neg_lr(neg_lr), .height(height),
    .inv_sw(inv_sw), .inv_su(inv_su), .k_w(k_w), .r_w(r_w), .start(start), .t(t), .pre(pre),
    .spike(spike), .u(u), .done(done), .count(count), .gate(gate), .active(active),
    .update_events(update_events), .rd_addr(rd_addr), .rd_data(rd_data));

  always #5 clk = ~clk;

  integer fd, groups, gi, cs, ly, n, m, steps, i, j, s, v, kk, rr, ev, mismatches, checked;
  reg [1023:0] stim, vcd;
  reg first_only;

  task expect_eq(input [8*8-1:0] what, input integer index, input integer rtl, input integer ref);
    begin
      checked = checked + 1;
      if (rtl !== ref) begin
        mismatches = mismatches + 1;
        if (mismatches <= 20)
          $display("MISMATCH case %0d layer %0d step %0d signal %0s index %0d rtl %0d ncsim %0d", cs, ly, s, what, index, rtl, ref);
        if (first_only) begin
          $display("RESULT groups %0d checks %0d mismatches %0d", gi + 1, checked, mismatches);
          $finish;
        end
      end
    end
  endtask

  initial begin
    if (!$value$plusargs("stim=%s", stim)) begin $display("usage: +stim=FILE"); $finish; end
    if ($value$plusargs("vcd=%s", vcd)) begin $dumpfile(vcd); $dumpvars(0, tb); end
    first_only = $test$plusargs("first");
    fd = $fopen(stim, "r");
    if (fd == 0) begin $display("cannot open %0s", stim); $finish; end
    mismatches = 0; checked = 0;
    @(negedge clk) rst = 0;
    v = $fscanf(fd, "%d", groups);
    for (gi = 0; gi < groups; gi = gi + 1) begin
      v = $fscanf(fd, "%d %d %d %d %d %d %d %d", cs, ly, n, m, steps, kk, rr, seed);
      warmup = kk; half_window = rr; n_cnt = n; m_cnt = m;
      v = $fscanf(fd, "%h %h %h %h", neg_lr, height, inv_sw, inv_su);
      for (i = 0; i < 4; i = i + 1) begin
        v = $fscanf(fd, "%d %d", kk, rr);
        k_w[i*32 +: 32] = kk; r_w[i*32 +: 32] = rr;
      end
      v = $fscanf(fd, "%d", ev);
      theta = 0; target = 0;
      for (i = 0; i < n; i = i + 1) begin v = $fscanf(fd, "%d", kk); theta[i*SBITS +: SBITS] = kk; end
      for (i = 0; i < n; i = i + 1) begin v = $fscanf(fd, "%d", kk); target[i*9 +: 9] = kk; end
      // program the synapse memory and biases, start the sample
      @(negedge clk);
      for (i = 0; i < n * m + n; i = i + 1) begin
        v = $fscanf(fd, "%d", kk);
        load_addr = i < n * m ? (i / m) * M + (i % m) : N * M + (i - n * m);
        load_data = kk; load_we = 1;
        @(negedge clk);
      end
      load_we = 0; sample_start = 1;
      @(negedge clk) sample_start = 0;
      for (s = 1; s <= steps; s = s + 1) begin
        pre = 0; spike = 0; u = 0; t = s;
        for (j = 0; j < m; j = j + 1) begin v = $fscanf(fd, "%d", kk); pre[j] = kk; end
        for (i = 0; i < n; i = i + 1) begin v = $fscanf(fd, "%d", kk); spike[i] = kk; end
        for (i = 0; i < n; i = i + 1) begin v = $fscanf(fd, "%d", kk); u[i*SBITS +: SBITS] = kk; end
        @(negedge clk) start = 1;
        @(negedge clk) start = 0;
        while (!done) @(negedge clk);
        for (i = 0; i < n; i = i + 1) begin v = $fscanf(fd, "%d", kk); expect_eq("count", i, count[i*CBITS +: CBITS], kk); end
        for (i = 0; i < n; i = i + 1) begin v = $fscanf(fd, "%d", kk); expect_eq("gate", i, gate[i], kk); end
        for (i = 0; i < n * m; i = i + 1) begin
          v = $fscanf(fd, "%d", kk);
          rd_addr = (i / m) * M + (i % m);
          #1 expect_eq("weight", i, $signed(rd_data), kk);
        end
        for (i = 0; i < n; i = i + 1) begin
          v = $fscanf(fd, "%d", kk);
          rd_addr = N * M + i;
          #1 expect_eq("bias", i, $signed(rd_data), kk);
        end
      end
      s = steps;
      expect_eq("events", 0, update_events, ev);
    end
    $display("RESULT groups %0d checks %0d mismatches %0d", groups, checked, mismatches);
    $finish;
  end
endmodule
