// Work shared between design points must not change a byte: the simulator
// resumed from checkpointed activations, and the activation cache running
// points from the deepest state it holds, are compared with whole-network
// runs of the same masks, on ResNet-8 (residual adds keep two tensors live
// across layers) and LeNet.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "engine/explore/activation_cache.h"
#include "sim/data/cifar10.h"
#include "sim/simulator.h"
#include "sim/tflite_import.h"
#include "tests/shared_paths.h"

namespace {

using namespace tinyskip;

struct Model {
  sim::Graph graph;
  sim::ModelInputs inputs;
};

Model load(const std::string& path, const std::string& pixel_scale, int images) {
  sim::Graph graph = sim::load_tflite(path);
  sim::ModelInputs inputs(graph, sim::slice(sim::load_cifar10(test::cifar10_dir()), 0, images),
                          sim::PixelScale::parse(pixel_scale));
  return {std::move(graph), std::move(inputs)};
}

std::vector<int> weighted_ops(const sim::Graph& graph) {
  std::vector<int> ops;
  for (const sim::Op& op : graph.ops)
    if (op.type == sim::OpType::kConv2D || op.type == sim::OpType::kFullyConnected) ops.push_back(op.index);
  return ops;
}

// A space over some weighted ops whose level k > 0 skips every weight whose
// index is k mod (k + 2): levels differ, and level 0 is exact.
engine::DesignSpace space_over(const std::vector<int>& ops, int levels) {
  engine::DesignSpace space;
  for (int op : ops) space.layers.push_back({op, "op" + std::to_string(op), std::vector<double>(levels, 0.0), {}});
  return space;
}

sim::MaskSet masks_of(const sim::Graph& graph, const engine::DesignSpace& space, const engine::DesignPoint& point) {
  sim::MaskSet masks;
  for (size_t l = 0; l < space.layers.size(); ++l) {
    const int op = space.layers[l].op_index, k = point[l];
    sim::WeightMask& mask = masks[op];
    mask.skip.assign(static_cast<size_t>(graph.input_of(graph.ops[static_cast<size_t>(op)], 1).num_elements()), 0);
    if (k > 0)
      for (size_t w = 0; w < mask.skip.size(); ++w) mask.skip[w] = w % static_cast<size_t>(k + 2) == static_cast<size_t>(k);
  }
  return masks;
}

std::vector<engine::DesignPoint> grid_of(const engine::DesignSpace& space) {
  std::vector<engine::DesignPoint> points(1, engine::DesignPoint(space.layers.size(), 0));
  for (size_t l = 0; l < space.layers.size(); ++l) {
    std::vector<engine::DesignPoint> next;
    for (const engine::DesignPoint& p : points)
      for (int k = 0; k < space.levels(static_cast<int>(l)); ++k) {
        next.push_back(p);
        next.back()[l] = k;
      }
    points = std::move(next);
  }
  return points;
}

}  // namespace

TEST_CASE("a run resumed from checkpointed activations gives the whole run's bytes", "[sim][sharing]") {
  const Model resnet = load(test::resnet8_model(), "1", 40);
  const std::vector<int> ops = weighted_ops(resnet.graph);
  const engine::DesignSpace space = space_over(ops, 2);
  engine::DesignPoint all_masked(ops.size(), 1);
  const sim::Simulator simulator(resnet.graph, masks_of(resnet.graph, space, all_masked));
  sim::RunOptions whole;
  whole.images_per_chunk = 7;  // chunks that do not divide the range
  const sim::RunOutput expected = simulator.run(resnet.inputs, whole);

  // Checkpoints at every op position in one run over images [5, 37), then a
  // resumed run from each of them.
  const int positions = static_cast<int>(resnet.graph.ops.size());
  std::vector<sim::Activations> states;
  for (int p = 0; p <= positions; ++p) states.push_back(simulator.activations(p, 5, 32));
  sim::RunOptions first;
  first.first_image = 5;
  first.images = 32;
  for (sim::Activations& state : states) first.checkpoints.push_back(&state);
  const sim::RunOutput range = simulator.run(resnet.inputs, first);
  REQUIRE(std::equal(range.outputs.begin(), range.outputs.end(), expected.outputs.begin() + 5 * expected.bytes_per_image));
  bool two_live = false;
  for (const sim::Activations& state : states) {
    two_live = two_live || state.tensors.size() >= 2;
    sim::RunOptions resumed;
    resumed.start = &state;
    resumed.first_image = 9;  // a sub-range of the checkpointed one
    resumed.images = 20;
    resumed.images_per_chunk = 3;
    const sim::RunOutput out = simulator.run(resnet.inputs, resumed);
    INFO("resumed at op " << state.position);
    REQUIRE(out.images == 20);
    REQUIRE(std::equal(out.outputs.begin(), out.outputs.end(), expected.outputs.begin() + 9 * expected.bytes_per_image));
  }
  CHECK(two_live);  // the residual connections were exercised

  SECTION("activations that do not fit the run are refused") {
    sim::RunOptions outside;
    outside.start = &states[3];
    outside.first_image = 0;  // before the checkpointed range
    CHECK_THROWS_AS(simulator.run(resnet.inputs, outside), sim::SimulatorError);
    sim::Activations wrong = states[3];
    wrong.position = 1;  // holds the tensors live before op 3, not op 1
    sim::RunOptions mismatched;
    mismatched.start = &wrong;
    mismatched.first_image = 5;
    mismatched.images = 32;
    if (simulator.live_tensors(1) != simulator.live_tensors(3))
      CHECK_THROWS_AS(simulator.run(resnet.inputs, mismatched), sim::SimulatorError);
    sim::RunOptions early_checkpoint;
    early_checkpoint.start = &states[4];
    early_checkpoint.first_image = 5;
    early_checkpoint.images = 32;
    early_checkpoint.checkpoints = {&states[2]};
    CHECK_THROWS_AS(simulator.run(resnet.inputs, early_checkpoint), sim::SimulatorError);
  }
}

TEST_CASE("the activation cache gives every point the bytes of its whole-network run", "[engine][sharing]") {
  const bool resnet = GENERATE(true, false);
  const Model model =
      resnet ? load(test::resnet8_model(), "1", 48) : load(test::lenet_model(), "1/255", 48);
  std::vector<int> ops = weighted_ops(model.graph);
  ops.resize(std::min<size_t>(ops.size(), 3));
  std::reverse(ops.begin(), ops.end());  // space order differs from op order
  const engine::DesignSpace space = space_over(ops, 3);
  std::vector<engine::DesignPoint> points = grid_of(space);
  std::mt19937 rng(7);
  std::shuffle(points.begin(), points.end(), rng);
  // The state before the first masked layer, and the largest later one.
  const sim::Simulator exact(model.graph);
  const auto state_bytes = [&](int op) {
    return static_cast<int64_t>(exact.activations(op, 0, model.inputs.size()).bytes());
  };
  const int64_t root = state_bytes(ops.back());
  const int64_t largest = std::max(state_bytes(ops[0]), state_bytes(ops[1]));
  // No sharing; room for the root and one or two later states (evictions); room for all.
  const int64_t budget = GENERATE_COPY(int64_t{0}, root + largest * 3 / 2, int64_t{1} << 30);
  const bool sorted = GENERATE(false, true);
  if (sorted)
    std::stable_sort(points.begin(), points.end(), engine::PrefixOrder(space));

  engine::ActivationCache cache(model.graph, space, model.inputs, budget);
  for (const engine::DesignPoint& point : points) {
    const sim::MaskSet masks = masks_of(model.graph, space, point);
    const sim::RunOutput shared = cache.run(point, masks, 2);
    const sim::RunOutput whole = sim::Simulator(model.graph, masks).run(model.inputs);
    INFO("point " << engine::point_key(point) << ", budget " << budget);
    REQUIRE(shared.outputs == whole.outputs);
    REQUIRE(cache.bytes_held() <= budget);
  }
  const engine::ActivationCacheStats& stats = cache.stats();
  CHECK(stats.runs == static_cast<int64_t>(points.size()));
  if (budget == 0) {
    CHECK(stats.macs_simulated == stats.macs_unshared);
  } else {
    CHECK(stats.resumed_past_first > 0);
    CHECK(stats.macs_simulated < stats.macs_unshared);
    if (budget < int64_t{1} << 30) CHECK(stats.evictions > 0);
  }
  if (budget == int64_t{1} << 30 && sorted) {
    // In prefix order each state is made once: 1 root, 3 after the first
    // masked layer, 9 after the second. Every run resumes past the first
    // masked layer but the very first and the two that change its level.
    CHECK(stats.checkpoints_stored == 13);
    CHECK(stats.evictions == 0);
    CHECK(stats.resumed_past_first == 27 - 1 - 2);
  }
}
