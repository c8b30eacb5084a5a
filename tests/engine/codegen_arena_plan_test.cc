// The static arena plan of generated networks, checked against hand-worked
// layouts and against a brute-force overlap check on the shipped models.
#include <catch2/catch.hpp>

#include "engine/codegen/arena_plan.h"
#include "engine/codegen/codegen_error.h"
#include "sim/tflite_import.h"
#include "tests/shared_paths.h"

namespace tinyskip {
namespace {

// A chain of element-wise ops over int8 tensors of the given byte sizes:
// tensor 0 is the graph input, tensor i is written by op i - 1.
sim::Graph chain(const std::vector<int32_t>& sizes) {
  sim::Graph graph;
  graph.source = "chain";
  for (int32_t size : sizes) {
    sim::Tensor t;
    t.type = sim::DataType::kInt8;
    t.shape = {1, size};
    graph.tensors.push_back(t);
  }
  for (size_t i = 1; i < sizes.size(); ++i) {
    sim::Op op;
    op.type = sim::OpType::kReshape;
    op.index = static_cast<int>(i - 1);
    op.inputs = {static_cast<int>(i - 1)};
    op.outputs = {static_cast<int>(i)};
    graph.ops.push_back(op);
  }
  graph.input = 0;
  graph.output = static_cast<int>(sizes.size()) - 1;
  return graph;
}

bool lifetimes_overlap(const sim::Graph& graph, int a, int b) {
  const auto lifetime = [&](int t) {
    int first = -1, last = -1;
    for (const sim::Op& op : graph.ops) {
      for (int o : op.outputs)
        if (o == t) first = last = op.index;
      for (int i : op.inputs)
        if (i == t) last = op.index;
    }
    return std::pair{first, last};
  };
  const auto [a0, a1] = lifetime(a);
  const auto [b0, b1] = lifetime(b);
  return a0 <= b1 && b0 <= a1;
}

TEST_CASE("arena plan: a chain alternates between two regions, sized by the two largest neighbours", "[codegen]") {
  // in -> t1 (100) -> t2 (40) -> t3 (30) -> out. t1 and t2 are alive together
  // at op 1, t2 and t3 at op 2; t1 and t3 never, so t3 reuses t1's bytes.
  const sim::Graph graph = chain({10, 100, 40, 30, 5});
  const engine::ArenaPlan plan = engine::plan_arena(graph);
  REQUIRE(plan.offset.size() == 3);  // graph input and output live outside
  CHECK(plan.offset.at(1) == 0);
  CHECK(plan.offset.at(2) == 104);  // after t1, aligned to 8
  CHECK(plan.offset.at(3) == 0);
  CHECK(plan.size_bytes == 144);    // 104 + 40
}

TEST_CASE("arena plan: tensors alive at the same time never share bytes on the shipped models", "[codegen]") {
  for (const std::string& model : {test::lenet_model(), test::resnet8_model()}) {
    const sim::Graph graph = sim::load_tflite(model);
    const engine::ArenaPlan plan = engine::plan_arena(graph);
    for (const auto& [a, offset_a] : plan.offset) {
      CHECK(offset_a % engine::kArenaAlignment == 0);
      CHECK(offset_a + graph.tensor(a).num_bytes() <= plan.size_bytes);
      for (const auto& [b, offset_b] : plan.offset) {
        if (a >= b || !lifetimes_overlap(graph, a, b)) continue;
        INFO(model << ": tensors " << a << " and " << b);
        CHECK((offset_a + graph.tensor(a).num_bytes() <= offset_b || offset_b + graph.tensor(b).num_bytes() <= offset_a));
      }
    }
  }
}

TEST_CASE("arena plan: a tensor read before it is written is a CodegenError", "[codegen]") {
  sim::Graph graph = chain({10, 20, 30});
  graph.ops[1].inputs = {2};  // op 1 reads its own output, which nothing wrote before
  CHECK_THROWS_AS(engine::plan_arena(graph), engine::CodegenError);
}

}  // namespace
}  // namespace tinyskip
