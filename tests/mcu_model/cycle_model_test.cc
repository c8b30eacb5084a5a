// Hand-worked cycle and flash expectations for tiny layers. The synthetic
// coefficient set gives each sequence a round cost (below), so every
// expected number is a short sum written out in the comments.
#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <random>

#include "mcu_model/cycle_model.h"
#include "mcu_model/errors.h"
#include "mcu_model/kernel_costs.h"
#include "mcu_model/memory_model.h"
#include "mcu_model/unpacked_cost.h"
#include "mcu_test_support.h"

namespace tinyskip::mcu {
namespace {

using Catch::Matchers::Contains;

// Sequence costs (cycles; code bytes where given) of the synthetic set.
nlohmann::json hand_costs(double requant_code_bytes = 64) {
  return testing::coefficient_json({
      {"op_invoke", {{"extra_cycles", 1000}}},
      {"function_call", {{"extra_cycles", 30}}},
      {"conv_pixel", {{"extra_cycles", 10}}},
      {"im2col_tap", {{"extra_cycles", 20}}},
      {"im2col_pad_tap", {{"extra_cycles", 25}}},
      {"im2col_4_elements", {{"extra_cycles", 7}}},
      {"im2col_1_element", {{"extra_cycles", 3}}},
      {"fill_4_bytes", {{"extra_cycles", 2}}},
      {"mm_call", {{"extra_cycles", 40}}},
      {"mm_row_pair_setup", {{"extra_cycles", 50}}},
      {"mm_2x2_step", {{"extra_cycles", 60}}},
      {"mm_2x2_tail_k", {{"extra_cycles", 70}}},
      {"mm_row_single_setup", {{"extra_cycles", 80}}},
      {"mm_1x2_step", {{"extra_cycles", 90}}},
      {"mm_1x2_tail_k", {{"extra_cycles", 100}}},
      {"requant_output", {{"extra_cycles", 5}}},
      {"odd_column_row_setup", {{"extra_cycles", 110}}},
      {"odd_column_step", {{"extra_cycles", 120}}},
      {"odd_column_tail_k", {{"extra_cycles", 130}}},
      {"nt_channel_pair_setup", {{"extra_cycles", 11}}},
      {"nt_offset_k", {{"extra_cycles", 2}}},
      {"nt_pixel_pair_setup", {{"extra_cycles", 13}}},
      {"nt_2x2_step", {{"extra_cycles", 17}}},
      {"nt_1x2_step", {{"extra_cycles", 19}}},
      {"unpacked_call", {{"extra_cycles", 200}, {"code_bytes", 48}}},
      {"unpacked_row_setup", {{"extra_cycles", 3}, {"code_bytes", 6}}},
      {"unpacked_requant_output", {{"extra_cycles", 7}, {"code_bytes", requant_code_bytes}}},
      {"unpacked_operand_column_load", {{"extra_cycles", 1.5}, {"code_bytes", 4}}},
      {"unpacked_constant_pair", {{"extra_cycles", 2}, {"code_bytes", 8}}},
      {"unpacked_constant_single", {{"extra_cycles", 1}, {"code_bytes", 4}}},
      {"unpacked_smlad", {{"extra_cycles", 1}, {"code_bytes", 4}}},
      {"unpacked_mla", {{"extra_cycles", 1}, {"code_bytes", 4}}},
  });
}

// 3x3x1 input, 2x2 filter, VALID: 2x2 = 4 output pixels, 2 channels, K = 4.
// Filter rows: row 0 = [1 2 3 4], row 1 = [5 6 7 8] (k = ky, kx order).
testing::ConvSpec tiny_conv(std::vector<int8_t> weights = {1, 2, 3, 4, 5, 6, 7, 8}) {
  testing::ConvSpec spec;
  spec.in_h = spec.in_w = 3;
  spec.out_h = spec.out_w = 2;
  spec.out_c = 2;
  spec.kernel_h = spec.kernel_w = 2;
  spec.weights = std::move(weights);
  return spec;
}

sim::WeightMask mask_of(std::vector<uint8_t> skip) { return sim::WeightMask{std::move(skip)}; }

TEST_CASE("baseline conv: 2 channels, 4 pixels, k = 4", "[mcu][conv]") {
  const BoardProfile board = testing::make_board(hand_costs());
  const sim::Graph graph = testing::conv_graph(tiny_conv());
  const NetworkEstimate estimate = estimate_network(graph, {}, board);
  const LayerEstimate& layer = estimate.layers.at(0);
  // op_invoke 1000
  // im2col: 4 pixels x conv_pixel 10 = 40; 16 in-bounds taps x (im2col_tap 20
  //   + function_call 30 + 1 element x im2col_1_element 3) = 16 x 53 = 848
  // 2 calls x (mm_call 40 + function_call 30 + 1 row pair x (setup 50 +
  //   1 step x 60 + 4 requant x 5)) = 2 x 200 = 400
  // total 1000 + 40 + 848 + 400 = 2288
  CHECK(layer.cycles == Approx(2288.0));
  CHECK(layer.kernel == "arm_convolve_s8");
  CHECK(layer.kind == "cmsis-nn");
  CHECK(layer.macs == 2 * 4 * 4);
  CHECK(layer.kept_macs == layer.macs);
  // flash: 8 int8 weights + 2 int32 biases = 16, plus the library's 1000
  CHECK(layer.const_bytes == 16);
  CHECK(layer.code_bytes == 0);
  CHECK(estimate.flash_bytes == 1016);
  CHECK(estimate.milliseconds == Approx(2288.0 * 1000.0 / 100e6));
}

TEST_CASE("baseline conv: odd rows, odd k and an odd last pixel", "[mcu][conv]") {
  const BoardProfile board = testing::make_board(hand_costs());
  testing::ConvSpec spec;  // 1x7x1 input, 1x5 filter, VALID: 1x3 pixels, 3 channels, K = 5
  spec.in_w = 7;
  spec.out_w = 3;
  spec.out_c = 3;
  spec.kernel_w = 5;
  const LayerEstimate layer = estimate_network(testing::conv_graph(spec), {}, board).layers.at(0);
  // op_invoke 1000
  // im2col: 3 x 10 + 15 taps x 53 = 825
  // 1 call (pixels 0,1): 40 + 30 + row pair (50 + 1 step 60 + 1 tail k 70 +
  //   4 x 5) + odd row (80 + 1 step 90 + 1 tail k 100 + 2 x 5) = 70 + 200 + 280 = 550
  // odd pixel 2: 3 rows x (110 + 1 step 120 + 1 tail 130 + 5) = 1095
  // total 1000 + 825 + 550 + 1095 = 3470
  CHECK(layer.cycles == Approx(3470.0));
}

TEST_CASE("baseline conv: SAME padding zero-fills the taps outside the input", "[mcu][conv]") {
  const BoardProfile board = testing::make_board(hand_costs());
  testing::ConvSpec spec;  // 2x2x4 input, 3x3 SAME: 2x2 pixels, 2 channels, K = 36
  spec.in_h = spec.in_w = 2;
  spec.in_c = 4;
  spec.out_h = spec.out_w = 2;
  spec.out_c = 2;
  spec.kernel_h = spec.kernel_w = 3;
  spec.padding = sim::Padding::kSame;
  const LayerEstimate layer = estimate_network(testing::conv_graph(spec), {}, board).layers.at(0);
  // pad = ((2-1) + 3 - 2) / 2 = 1. Per axis, output o reads o-1+k, k = 0..2:
  // o = 0 -> 2 valid, o = 1 -> 2 valid: 4; in-bounds taps 4 x 4 = 16 of 36.
  // im2col: 4 x 10 + 16 x (20 + 30 + 4 elements: 7) + 20 x (25 + 30 + 8 bytes
  //   = 2 fills x 2) = 40 + 912 + 1180 = 2132
  // 2 calls x (40 + 30 + 50 + 9 steps x 60 + 20) = 2 x 680 = 1360
  // total 1000 + 2132 + 1360 = 4492
  CHECK(layer.cycles == Approx(4492.0));
}

TEST_CASE("baseline conv: 1x1 stride 1 takes the s8 fast path", "[mcu][conv]") {
  const BoardProfile board = testing::make_board(hand_costs());
  testing::ConvSpec spec;  // 1x3x4 input, 1x1 filter: 3 pixels, 2 channels, K = 4
  spec.in_w = 3;
  spec.in_c = 4;
  spec.out_w = 3;
  spec.out_c = 2;
  const LayerEstimate layer = estimate_network(testing::conv_graph(spec), {}, board).layers.at(0);
  CHECK(layer.kernel == "arm_convolve_1x1_s8_fast");
  // 1000 + mm_call 40 + 2 x function_call 30 + 1 channel pair x (setup 11 +
  //   4 k x offset 2 + 1 pixel pair x (13 + 1 step 17 + 4 x 5) + odd pixel
  //   (13 + 1 step 19 + 2 x 5)) = 1000 + 100 + (11 + 8 + 50 + 42) = 1211
  CHECK(layer.cycles == Approx(1211.0));

  spec.in_w = 5;  // the same filter at stride 2 is not the fast path
  spec.stride = 2;
  CHECK(estimate_network(testing::conv_graph(spec), {}, board).layers.at(0).kernel == "arm_convolve_s8");
}

TEST_CASE("unpacked conv: hand-built masks on 2 channels, 4 pixels, k = 4", "[mcu][unpacked]") {
  const BoardProfile board = testing::make_board(hand_costs());
  const sim::Graph graph = testing::conv_graph(tiny_conv());
  auto unpacked = [&](std::vector<uint8_t> skip) {
    return estimate_network(graph, {{0, mask_of(std::move(skip))}}, board).layers.at(0);
  };
  // Outside the kernel calls (same as the baseline): 1000 + 40 + 848 = 1888.
  // 2 calls of 2 columns. Exact: 1 row group, pairs (k0,k1), (k2,k3) in both
  // rows -> 4 full pairs, 2 operand pairs. Per call:
  //   call 200 + 2 rows x 3 + 4 outputs x 7 + 2 operand pairs x 2 columns x 1.5
  //   + 4 full x (constant 2 + 2 columns x SMLAD 1) = 200 + 6 + 28 + 6 + 16 = 256
  // total 1888 + 2 x 256 = 2400. Code: 48 + 2 x 6 + 4 x 64 + 4 x 4 + 4 x (8 + 2 x 4) = 396.
  const LayerEstimate exact = unpacked({0, 0, 0, 0, 0, 0, 0, 0});
  CHECK(exact.kind == "unpacked");
  CHECK(exact.cycles == Approx(2400.0));
  CHECK(exact.code_bytes == 396);
  CHECK(exact.const_bytes == 8 + 2 * 8);  // bias + multiplier/shift tables, no weights
  CHECK(exact.kept_macs == 32);
  CHECK(exact.fetch_bound == false);

  SECTION("skipping a whole pair removes its constant and SMLADs in every call") {
    // Row 0 pair (k2,k3) skipped: 3 full pairs; row 1 still loads pair 1.
    // Per call 256 - (2 + 2 x 1) = 252 -> 1888 + 504 = 2392; code 396 - 16 = 380.
    const LayerEstimate layer = unpacked({0, 0, 1, 1, 0, 0, 0, 0});
    CHECK(layer.cycles == Approx(2392.0));
    CHECK(layer.code_bytes == 380);
    CHECK(layer.kept_macs == 6 * 4);
  }
  SECTION("skipping a pair in both rows also drops its operand loads") {
    // 2 full pairs, 1 operand pair: 256 - 2 x 4 - 2 x 1.5 = 245 -> 1888 + 490 = 2378.
    CHECK(unpacked({0, 0, 1, 1, 0, 0, 1, 1}).cycles == Approx(2378.0));
  }
  SECTION("a pair split by the mask costs a 16-bit constant and one MLA per column") {
    // Row 0 keeps k2 only: 3 full + 1 split: 256 - 4 + (1 + 2 x 1) = 255 -> 2398.
    const LayerEstimate layer = unpacked({0, 0, 0, 1, 0, 0, 0, 0});
    CHECK(layer.cycles == Approx(2398.0));
    CHECK(layer.code_bytes == 396 - 16 + 12);
  }
  SECTION("skipping everything leaves the call, bias loads and requantisation") {
    // 200 + 6 + 28 = 234 per call -> 1888 + 468 = 2356; code 48 + 12 + 256 = 316.
    const LayerEstimate layer = unpacked({1, 1, 1, 1, 1, 1, 1, 1});
    CHECK(layer.cycles == Approx(2356.0));
    CHECK(layer.code_bytes == 316);
    CHECK(layer.kept_macs == 0);
  }
  SECTION("a zero weight emits no instruction even when not skipped") {
    const sim::Graph zero_graph = testing::conv_graph(tiny_conv({1, 2, 3, 0, 5, 6, 7, 8}));
    const LayerEstimate layer =
        estimate_network(zero_graph, {{0, mask_of({0, 0, 0, 0, 0, 0, 0, 0})}}, board).layers.at(0);
    CHECK(layer.cycles == Approx(2398.0));  // the same as the split pair above
  }
}

TEST_CASE("unpacked fully connected: odd k and an odd row", "[mcu][unpacked]") {
  const BoardProfile board = testing::make_board(hand_costs());
  // 5 inputs, 3 outputs, weights 1..15: row groups (0,1) and (2); pairs
  // (0,1), (2,3) and the lone k = 4 -> per row 2 full + 1 split.
  std::vector<int8_t> weights(15);
  std::iota(weights.begin(), weights.end(), int8_t{1});
  const sim::Graph graph = testing::fc_graph(5, 3, weights);
  const UnpackedLayerCost cost(graph, graph.ops[0], board);
  const UnpackedCounts exact = cost.count(nullptr);
  CHECK(exact.full_pairs == 6);
  CHECK(exact.split_pairs == 3);
  // Operand loads only where some row of the group keeps both weights of a
  // pair: pairs (0,1) and (2,3) in both groups; the lone k = 4 has none.
  CHECK(exact.operand_pairs == 4);  // 2 pair indices x 2 row groups
  CHECK(exact.emitted_weights == 15);
  // Driver: 1000 + function_call 30 + widen 5 inputs (1 x 7 + 1 x 3) = 1040.
  // 1 call, 1 column: 200 + 3 x 3 + 3 x 7 + 4 x 1.5 + 6 x (2 + 1) + 3 x (1 + 1)
  //   = 200 + 9 + 21 + 6 + 18 + 6 = 260 -> 1300
  CHECK(cost.evaluate(exact).cycles == Approx(1300.0));

  // Row 2 skipped entirely: its group loads nothing (2 operand pairs left).
  sim::WeightMask mask = mask_of(std::vector<uint8_t>(15, 0));
  std::fill(mask.skip.begin() + 10, mask.skip.end(), 1);
  const UnpackedCounts counts = cost.count(&mask);
  CHECK(counts == UnpackedCounts{4, 2, 2, 10});
  // 200 + 9 + 21 + 2 x 1.5 + 4 x 3 + 2 x 2 = 249 -> 1289
  CHECK(cost.evaluate(counts).cycles == Approx(1289.0));
  // Row groups add up to the layer's counts.
  UnpackedCounts sum = cost.count_row_group(0, &mask);
  sum += cost.count_row_group(1, &mask);
  CHECK(sum == counts);
}

// One DEPTHWISE_CONV_2D over a 1x3 input with a 1x3 filter (VALID: one
// output pixel), weights all 1 (1HWC: tap t, channel c at t * out_c + c).
sim::Graph tiny_depthwise(int in_c, int depth_multiplier) {
  testing::ConvSpec spec;
  spec.in_w = 3;
  spec.in_c = in_c;
  spec.out_c = in_c * depth_multiplier;
  spec.kernel_w = 3;
  sim::Graph graph = testing::conv_graph(spec);
  graph.ops[0].type = sim::OpType::kDepthwiseConv2D;
  graph.ops[0].options.depth_multiplier = depth_multiplier;
  sim::Tensor& filter = graph.tensors[static_cast<size_t>(graph.ops[0].inputs[1])];
  filter.shape = {1, 1, 3, spec.out_c};
  filter.data.assign(static_cast<size_t>(3 * spec.out_c), 1);
  return graph;
}

TEST_CASE("unpacked depthwise: operand loads per input channel, taps paired per channel", "[mcu][unpacked]") {
  const BoardProfile board = testing::make_board(hand_costs());
  // 4 output channels, taps paired (0,1) and the lone tap 2: per row 1 full
  // pair and 1 single weight. One call (the lone pixel with a dummy column),
  // 2 columns: call 200 + 4 row set-ups x 3 + 8 requantisations x 7 = 268;
  // a full pair costs 2 + 2 x 1 = 4, a single 1 + 2 x 1 = 3, an operand load
  // 2 x 1.5 = 3.
  SECTION("multiplier 2: the two rows of a pair read one input channel, one load") {
    const sim::Graph graph = tiny_depthwise(2, 2);
    const UnpackedLayerCost cost(graph, graph.ops[0], board);
    const UnpackedCounts exact = cost.count(nullptr);
    CHECK(exact == UnpackedCounts{4, 4, 2, 12});
    // Driver: 1000 + pixel 10 + 3 taps x (20 + 30 + 2 elements x 3) = 1178;
    // call: 268 + 2 loads x 3 + 4 x 4 + 4 x 3 = 302.
    CHECK(cost.evaluate(exact).cycles == Approx(1480.0));
    CHECK(cost.evaluate(exact).kept_macs == 12);

    // Channel 0, tap 1 skipped (index 1 * 4 + 0): row 0's pair becomes a
    // single weight; row 1 still loads channel 0's pair.
    sim::WeightMask mask = mask_of(std::vector<uint8_t>(12, 0));
    mask.skip[4] = 1;
    CHECK(cost.count(&mask) == UnpackedCounts{3, 5, 2, 11});
    CHECK(cost.evaluate(cost.count(&mask)).cycles == Approx(1479.0));
    // ... and output channels 2 and 3 (input channel 1) skipped entirely.
    for (const size_t t : {0u, 1u, 2u}) mask.skip[t * 4 + 2] = mask.skip[t * 4 + 3] = 1;
    const UnpackedCounts counts = cost.count(&mask);
    CHECK(counts == UnpackedCounts{1, 3, 1, 5});  // row 0: 2 singles; row 1: 1 pair + 1 single
    UnpackedCounts sum = cost.count_row_group(0, &mask);
    sum += cost.count_row_group(1, &mask);
    CHECK(sum == counts);
  }
  SECTION("multiplier 1: the two rows of a pair read different channels, two loads") {
    const sim::Graph graph = tiny_depthwise(4, 1);
    const UnpackedLayerCost cost(graph, graph.ops[0], board);
    const UnpackedCounts exact = cost.count(nullptr);
    CHECK(exact == UnpackedCounts{4, 4, 4, 12});
    // Driver: 1000 + 10 + 3 x (20 + 30 + 1 x 7) = 1181; call 268 + 4 x 3 + 16 + 12 = 308.
    CHECK(cost.evaluate(exact).cycles == Approx(1489.0));
  }
}

TEST_CASE("unpacked code larger than the I-cache is fetch bound", "[mcu][unpacked][flash]") {
  // Requantisation code of 640 bytes per output makes the kernel 48 + 12 +
  // 4 x 640 + 16 + 64 = 2700 bytes, streamed from flash at 2 WS with no
  // I-cache: 2700 / 16 x 3 = 506.25 cycles per call > 256 executed.
  const BoardProfile board = testing::make_board(
      hand_costs(640), {{"code_placement", "flash"}, {"flash_wait_states", 2}, {"icache_lines", 0}});
  const sim::Graph graph = testing::conv_graph(tiny_conv());
  const LayerEstimate layer =
      estimate_network(graph, {{0, mask_of(std::vector<uint8_t>(8, 0))}}, board).layers.at(0);
  CHECK(layer.code_bytes == 2700);
  CHECK(layer.fetch_bound);
  CHECK(layer.cycles == Approx(1888.0 + 2 * 506.25));
}

TEST_CASE("flash streaming and data stalls", "[mcu][flash]") {
  // 2 WS, 16-byte flash accesses, prefetch, 64 x 16 = 1024-byte I-cache.
  const BoardProfile board = testing::make_board(testing::coefficient_json({}),
                                              {{"code_placement", "flash"}, {"flash_wait_states", 2}});
  // 160 data bytes = 10 accesses x 2 WS
  CHECK(flash_data_stall_cycles(board, 160) == Approx(20.0));
  // Fits the cache: first call max(100, 800 / 16 x 3 = 150), then 9 x 100.
  StraightLineCost fits = straight_line_cycles(board, 100, 800, 10);
  CHECK(fits.cycles == Approx(1050.0));
  CHECK_FALSE(fits.fetch_bound);
  // Too large: every call max(100, 2048 / 16 x 3 = 384) = 384.
  StraightLineCost streamed = straight_line_cycles(board, 100, 2048, 10);
  CHECK(streamed.cycles == Approx(3840.0));
  CHECK(streamed.fetch_bound);
  // Execution slower than the stream: the core sets the pace.
  CHECK(straight_line_cycles(board, 500, 2048, 10).cycles == Approx(5000.0));

  const BoardProfile no_prefetch =
      testing::make_board(testing::coefficient_json({}),
                          {{"code_placement", "flash"}, {"flash_wait_states", 2}, {"prefetch", false}});
  // Every access stalls: 100 + 128 accesses x 2 = 356 per call.
  CHECK(straight_line_cycles(no_prefetch, 100, 2048, 10).cycles == Approx(3560.0));

  const BoardProfile sram = testing::make_board(testing::coefficient_json({}), {{"flash_wait_states", 2}});
  CHECK(straight_line_cycles(sram, 100, 2048, 10).cycles == Approx(1000.0));
}

// Skipping never costs flash or MACs. Cycles fall when whole pairs go (the
// search's pair mode); one weight of a pair alone can cost cycles, as in the
// generated code: a kept pair is one literal and an SMLAD per column, a
// single weight a halfword load per column, a constant and an SMLABB (the
// calibration measures 4.5 against 6.0 cycles per call on the F401RE).
TEST_CASE("more skipped weights never cost more flash; more skipped pairs never more cycles",
          "[mcu][unpacked][monotonic]") {
  // 5x5x3 input, 3x3 SAME, 5 channels: K = 27 (odd), 25 pixels (odd), 5 rows (odd).
  testing::ConvSpec spec;
  spec.in_h = spec.in_w = spec.out_h = spec.out_w = 5;
  spec.in_c = 3;
  spec.out_c = 5;
  spec.kernel_h = spec.kernel_w = 3;
  spec.padding = sim::Padding::kSame;
  std::mt19937 random(7);
  std::uniform_int_distribution<int> value(-127, 127);
  spec.weights.resize(5 * 27);
  for (int8_t& w : spec.weights) w = static_cast<int8_t>(value(random));
  const sim::Graph graph = testing::conv_graph(spec);

  std::vector<size_t> order(spec.weights.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::shuffle(order.begin(), order.end(), random);
  // Pairs (2j, 2j + 1) of each row's reduction index, and the odd last k alone.
  std::vector<std::vector<size_t>> pairs;
  for (size_t row = 0; row < 5; ++row)
    for (size_t k = 0; k < 27; k += 2) {
      pairs.push_back({row * 27 + k});
      if (k + 1 < 27) pairs.back().push_back(row * 27 + k + 1);
    }
  std::shuffle(pairs.begin(), pairs.end(), random);

  for (const char* name : {"nucleo_f401re", "nucleo_f411re", "nucleo_l4r5zi"}) {
    const BoardProfile board = load_board_profile(testing::shipped_profile(name));
    const UnpackedLayerCost cost(graph, graph.ops[0], board);
    sim::WeightMask mask = mask_of(std::vector<uint8_t>(spec.weights.size(), 0));
    LayerEstimate previous = cost.estimate(&mask);
    for (size_t index : order) {
      mask.skip[index] = 1;
      const LayerEstimate next = cost.estimate(&mask);
      INFO(name << " after skipping weight " << index);
      CHECK(next.code_bytes + next.const_bytes <= previous.code_bytes + previous.const_bytes);
      CHECK(next.kept_macs <= previous.kept_macs);
      previous = next;
    }
    CHECK(previous.kept_macs == 0);

    mask = mask_of(std::vector<uint8_t>(spec.weights.size(), 0));
    previous = cost.estimate(&mask);
    for (const std::vector<size_t>& pair : pairs) {
      for (size_t index : pair) mask.skip[index] = 1;
      const LayerEstimate next = cost.estimate(&mask);
      INFO(name << " after skipping the pair of weight " << pair.front());
      CHECK(next.cycles <= previous.cycles + 1e-9);
      previous = next;
    }
    CHECK(previous.kept_macs == 0);
  }
}

TEST_CASE("milliseconds are cycles over the clock", "[mcu][board]") {
  const sim::Graph graph = testing::conv_graph(tiny_conv());
  for (const char* name : {"nucleo_f401re", "nucleo_f411re", "nucleo_l4r5zi"}) {
    const BoardProfile board = load_board_profile(testing::shipped_profile(name));
    const NetworkEstimate estimate = estimate_network(graph, {}, board);
    const double clock = static_cast<double>(board.clock_hz);
    CHECK(estimate.milliseconds == Approx(estimate.total_cycles * 1000.0 / clock));
  }
  // Same core and memories at half the clock: same cycles, twice the time.
  const BoardProfile fast = testing::make_board(hand_costs(), {{"clock_hz", 100000000}});
  const BoardProfile slow = testing::make_board(hand_costs(), {{"clock_hz", 50000000}});
  const NetworkEstimate at_fast = estimate_network(graph, {}, fast);
  const NetworkEstimate at_slow = estimate_network(graph, {}, slow);
  CHECK(at_slow.total_cycles == Approx(at_fast.total_cycles));
  CHECK(at_slow.milliseconds == Approx(2.0 * at_fast.milliseconds));
}

TEST_CASE("window taps inside the input follow TFLite's SAME padding", "[mcu][geometry]") {
  // 4 inputs, 3 taps, stride 1, pad 1: positions o-1+k; (o=0,k=0) and (o=3,k=2) fall outside.
  CHECK(WindowAxis{4, 4, 3, 1, 1, 1}.in_bounds_taps() == 10);
  // 32 -> 16 at stride 2: pad = (15 x 2 + 3 - 32) / 2 = 0; only (o=15,k=2) reads 32.
  CHECK(WindowAxis{32, 16, 3, 2, 1, 0}.in_bounds_taps() == 47);
}

TEST_CASE("bad unpacking requests are errors naming the op", "[mcu][errors]") {
  const BoardProfile board = testing::make_board(hand_costs());
  const sim::Graph graph = testing::conv_graph(tiny_conv());
  CHECK_THROWS_WITH(estimate_network(graph, {{0, mask_of({0, 0, 0})}}, board),
                    Contains("op 0 (CONV_2D)") && Contains("mask has 3 entries"));
  CHECK_THROWS_WITH(estimate_network(graph, {{5, mask_of({})}}, board), Contains("names op 5"));

  sim::Graph pool = graph;
  pool.ops[0].type = sim::OpType::kMaxPool2D;
  CHECK_THROWS_AS(estimate_network(pool, {{0, mask_of({})}}, board), EstimateError);
}

}  // namespace
}  // namespace tinyskip::mcu
