// Layer names ("conv2", "all_conv", ...) resolved against a hand-built graph.
#include <catch2/catch.hpp>

#include "engine/config/experiment_config.h"
#include "engine/config/layer_names.h"

using Catch::Matchers::Contains;
using tinyskip::engine::ConfigError;
using tinyskip::engine::resolve_layer_names;
using tinyskip::sim::OpType;

namespace {

// Op index : type             layer name
//   0      : QUANTIZE
//   1      : CONV_2D           conv1
//   2      : MAX_POOL_2D
//   3      : CONV_2D           conv2
//   4      : DEPTHWISE_CONV_2D dwconv1
//   5      : CONV_2D           conv3
//   6      : RESHAPE
//   7      : FULLY_CONNECTED   fc1
//   8      : FULLY_CONNECTED   fc2
//   9      : SOFTMAX
tinyskip::sim::Graph toy_graph() {
  tinyskip::sim::Graph graph;
  graph.source = "toy.tflite";
  const OpType types[] = {OpType::kQuantize,        OpType::kConv2D, OpType::kMaxPool2D, OpType::kConv2D,
                          OpType::kDepthwiseConv2D, OpType::kConv2D, OpType::kReshape,   OpType::kFullyConnected,
                          OpType::kFullyConnected,  OpType::kSoftmax};
  for (int i = 0; i < 10; ++i) {
    tinyskip::sim::Op op;
    op.type = types[i];
    op.index = i;
    graph.ops.push_back(op);
  }
  return graph;
}

std::string resolve_error(const std::vector<std::string>& names) {
  try {
    resolve_layer_names(toy_graph(), names);
  } catch (const ConfigError& error) {
    return error.what();
  }
  FAIL("names were accepted");
  return {};
}

}  // namespace

TEST_CASE("single layer names count ops of one type in execution order") {
  const auto graph = toy_graph();
  CHECK(resolve_layer_names(graph, {"conv2", "conv3"}) == std::vector<int>{3, 5});
  CHECK(resolve_layer_names(graph, {"fc2", "conv1"}) == std::vector<int>{1, 8});  // sorted by execution order
  CHECK(resolve_layer_names(graph, {"dwconv1"}) == std::vector<int>{4});
  CHECK(tinyskip::engine::layer_name(graph, 5) == "conv3");
  CHECK(tinyskip::engine::layer_name(graph, 7) == "fc1");
  CHECK_THROWS_AS(tinyskip::engine::layer_name(graph, 2), std::invalid_argument);
}

TEST_CASE("group names select CONV_2D layers only") {
  const auto graph = toy_graph();
  CHECK(resolve_layer_names(graph, {"all_conv"}) == std::vector<int>{1, 3, 5});
  CHECK(resolve_layer_names(graph, {"all_conv_but_first"}) == std::vector<int>{3, 5});
  CHECK(resolve_layer_names(graph, {"all_conv_but_first", "fc1"}) == std::vector<int>{3, 5, 7});
}

TEST_CASE("a name that matches no layer is reported with the valid names") {
  const std::string message = resolve_error({"conv2", "conv4"});
  CHECK_THAT(message, Contains("approximate.layers: 'conv4' names no layer of toy.tflite"));
  CHECK_THAT(message, Contains("valid names: conv1, conv2, dwconv1, conv3, fc1, fc2, all_conv, all_conv_but_first"));
  CHECK_THAT(resolve_error({"fc3"}), Contains("'fc3'"));
}

TEST_CASE("a layer selected twice is an error") {
  CHECK_THAT(resolve_error({"all_conv", "conv2"}),
             Contains("op 3 (CONV_2D) is selected twice, by 'all_conv' and by 'conv2'"));
  CHECK_THAT(resolve_error({"fc1", "fc1"}), Contains("selected twice"));
}

TEST_CASE("name syntax checks need no graph") {
  using tinyskip::engine::is_layer_group_name;
  using tinyskip::engine::is_single_layer_name;
  CHECK(is_single_layer_name("conv12"));
  CHECK(is_single_layer_name("dwconv1"));
  CHECK(is_single_layer_name("fc3"));
  CHECK_FALSE(is_single_layer_name("conv0"));
  CHECK_FALSE(is_single_layer_name("conv01"));
  CHECK_FALSE(is_single_layer_name("conv"));
  CHECK_FALSE(is_single_layer_name("conv2a"));
  CHECK_FALSE(is_single_layer_name("dense1"));
  CHECK(is_layer_group_name("all_conv"));
  CHECK_FALSE(is_layer_group_name("all"));
}

TEST_CASE("make_design_space gives each selected layer its candidates, overrides first") {
  tinyskip::engine::ApproximateConfig approximate;
  approximate.layers = {"all_conv_but_first"};
  approximate.thresholds.min = 0;
  approximate.thresholds.max = 0.002;
  approximate.thresholds.step = 0.001;
  tinyskip::engine::ThresholdSpec override_spec;
  override_spec.is_range = false;
  override_spec.values = {0, 0.05};
  approximate.per_layer["conv3"] = override_spec;

  const auto space = tinyskip::engine::make_design_space(toy_graph(), approximate, "x.json");
  REQUIRE(space.layers.size() == 2);
  CHECK(space.layers[0].op_index == 3);
  CHECK(space.layers[0].name == "conv2");
  CHECK(space.layers[0].thresholds == std::vector<double>{0, 0.001, 0.002});
  CHECK(space.layers[1].op_index == 5);
  CHECK(space.layers[1].name == "conv3");
  CHECK(space.layers[1].thresholds == std::vector<double>{0, 0.05});
  CHECK(space.grid_size() == 6);

  approximate.per_layer["fc1"] = override_spec;  // fc1 is not approximated
  CHECK_THROWS_WITH(tinyskip::engine::make_design_space(toy_graph(), approximate, "x.json"),
                    Contains("x.json: approximate.per_layer.fc1: not one of the approximated layers (conv2, conv3)"));
}
