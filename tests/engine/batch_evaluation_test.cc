// Batch evaluation strategies: every point scored once, records handed on in
// batch order whatever order they finish in, and the activation cache shared
// by points scored at once still gives each its whole-network bytes.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "engine/explore/activation_cache.h"
#include "engine/explore/batch_evaluation.h"
#include "sim/data/cifar10.h"
#include "sim/simulator.h"
#include "sim/tflite_import.h"
#include "tests/shared_paths.h"

namespace {

using namespace tinyskip;

std::vector<engine::DesignPoint> points_1d(int count) {
  std::vector<engine::DesignPoint> points;
  for (int i = 0; i < count; ++i) points.push_back({i});
  return points;
}

}  // namespace

TEST_CASE("batch evaluation: each point once, records in batch order", "[engine][batch]") {
  const bool threaded = GENERATE(false, true);
  std::unique_ptr<engine::BatchEvaluation> strategy;
  if (threaded)
    strategy = std::make_unique<engine::ThreadedEvaluation>(2);
  else
    strategy = std::make_unique<engine::SerialEvaluation>(2);
  const std::vector<engine::DesignPoint> points = points_1d(9);
  std::vector<int> scored(points.size(), 0), threads_seen;
  std::mutex lock;
  std::vector<std::string> order;
  strategy->run(
      points,
      [&](const engine::DesignPoint& point, int threads) {
        // Early points take longest, so a threaded run finishes them last.
        std::this_thread::sleep_for(std::chrono::milliseconds(5 * (9 - point[0])));
        const std::lock_guard<std::mutex> guard(lock);
        ++scored[static_cast<size_t>(point[0])];
        threads_seen.push_back(threads);
        engine::PointRecord record;
        record.key = engine::point_key(point);
        return record;
      },
      [&](size_t index, engine::PointRecord&& record) {
        CHECK(record.key == engine::point_key(points[index]));
        order.push_back(record.key);
      });
  CHECK(scored == std::vector<int>(points.size(), 1));
  CHECK(order == std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6", "7", "8"});
  for (int t : threads_seen) CHECK(t == (threaded ? 1 : 2));
}

TEST_CASE("points scored at once share the activation cache and keep their bytes", "[engine][batch][sharing]") {
  const sim::Graph graph = sim::load_tflite(test::lenet_model());
  const sim::ModelInputs inputs(graph, sim::slice(sim::load_cifar10(test::cifar10_dir()), 0, 40),
                                sim::PixelScale::parse("1/255"));
  engine::DesignSpace space;
  for (const sim::Op& op : graph.ops)
    if (op.type == sim::OpType::kConv2D && space.layers.size() < 2)
      space.layers.push_back({op.index, "conv", {0.0, 0.0, 0.0, 0.0}, {}});
  REQUIRE(space.layers.size() == 2);
  const auto masks_of = [&](const engine::DesignPoint& point) {
    sim::MaskSet masks;
    for (size_t l = 0; l < 2; ++l) {
      const int op = space.layers[l].op_index;
      auto& skip = masks[op].skip;
      skip.assign(static_cast<size_t>(graph.input_of(graph.ops[static_cast<size_t>(op)], 1).num_elements()), 0);
      for (size_t w = 0; w < skip.size(); ++w) skip[w] = point[l] > 0 && w % static_cast<size_t>(point[l] + 1) == 0;
    }
    return masks;
  };
  std::vector<engine::DesignPoint> points;
  for (int a = 0; a < 4; ++a)
    for (int b = 0; b < 4; ++b) points.push_back({a, b});

  engine::ActivationCache cache(graph, space, inputs, int64_t{1} << 28);
  engine::ThreadedEvaluation strategy(2);
  std::vector<std::vector<uint8_t>> outputs(points.size());
  strategy.run(
      points,
      [&](const engine::DesignPoint& point, int threads) {
        engine::PointRecord record;
        record.key = engine::point_key(point);
        const sim::RunOutput run = cache.run(point, masks_of(point), threads);
        const size_t index = static_cast<size_t>(point[0] * 4 + point[1]);
        outputs[index] = run.outputs;
        return record;
      },
      [](size_t, engine::PointRecord&&) {});
  for (size_t i = 0; i < points.size(); ++i) {
    INFO("point " << engine::point_key(points[i]));
    CHECK(outputs[i] == sim::Simulator(graph, masks_of(points[i])).run(inputs).outputs);
  }
  CHECK(cache.stats().runs == 16);
  CHECK(cache.stats().resumed_past_first > 0);
}
