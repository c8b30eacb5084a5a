// Helpers for the Cortex-M4 model tests: synthetic coefficient sets whose
// sequence costs are chosen by the test (so expectations can be derived by
// hand), board profiles written to a scratch directory, and tiny graphs.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <unistd.h>
#include <vector>

#include <nlohmann/json.hpp>

#include "mcu_model/board_profile.h"
#include "mcu_model/coefficients.h"
#include "sim/graph.h"

namespace tinyskip::mcu::testing {

// A fresh directory per call, removed by nobody (the system's temp dir).
inline std::filesystem::path scratch_dir() {
  static std::atomic<int> counter{0};
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("tinyskip_mcu_test_" + std::to_string(::getpid()) + "_" +
                                     std::to_string(counter++));
  std::filesystem::create_directories(dir);
  return dir;
}

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

inline std::vector<std::string> sequence_names() {
  std::vector<std::string> names;
#define TINYSKIP_TEST_SEQUENCE_NAME(name) names.push_back(#name);
  TINYSKIP_MCU_SEQUENCES(TINYSKIP_TEST_SEQUENCE_NAME)
#undef TINYSKIP_TEST_SEQUENCE_NAME
  return names;
}

// A coefficient set where every instruction class costs 1 cycle and every
// sequence costs 0 unless `sequences` gives its JSON body (without the
// "source" note, which is added). Every library kernel is 1000 bytes unless
// `library_bytes` says otherwise.
inline nlohmann::json coefficient_json(const std::map<std::string, nlohmann::json>& sequences,
                                       const std::map<std::string, int64_t>& library_bytes = {}) {
  nlohmann::json root;
  root["name"] = "test";
  for (int i = 0; i < kInstructionClassCount; ++i)
    root["instruction_cycles"][instruction_class_key(static_cast<InstructionClass>(i))] = {
        {"cycles", 1}, {"source", "test"}};
  for (const std::string& name : sequence_names()) {
    const auto found = sequences.find(name);
    nlohmann::json body = found != sequences.end() ? found->second : nlohmann::json{{"extra_cycles", 0}};
    body["source"] = "test";
    root["sequences"][name] = body;
  }
  for (const char* kernel : library::kAll) {
    const auto found = library_bytes.find(kernel);
    root["library_code_bytes"][kernel] = {{"bytes", found != library_bytes.end() ? found->second : 1000},
                                          {"source", "test"}};
  }
  return root;
}

// A profile with zero wait states and code in SRAM (no flash effects) unless
// `overrides` changes fields; "coefficients" points at coefficients.json
// beside it.
inline nlohmann::json profile_json(const nlohmann::json& overrides = nlohmann::json::object()) {
  nlohmann::json root = {{"name", "test_board"},
                         {"core", "cortex-m4f"},
                         {"clock_hz", 100000000},
                         {"flash_origin", "0x08000000"},
                         {"flash_bytes", 524288},
                         {"sram_origin", "0x20000000"},
                         {"sram_bytes", 131072},
                         {"flash_wait_states", 0},
                         {"prefetch", true},
                         {"flash_fetch_bytes", 16},
                         {"icache_lines", 64},
                         {"icache_line_bytes", 16},
                         {"dcache_lines", 8},
                         {"dcache_line_bytes", 16},
                         {"code_placement", "sram"},
                         {"coefficients", "coefficients.json"},
                         {"timing_rules", std::string(TINYSKIP_SOURCE_DIR) + "/configs/mcu/cortex_m4_timing.json"}};
  for (const auto& item : overrides.items()) root[item.key()] = item.value();
  return root;
}

// Writes both files to a scratch directory and loads the profile.
inline BoardProfile make_board(const nlohmann::json& coefficients,
                               const nlohmann::json& profile_overrides = nlohmann::json::object()) {
  const std::filesystem::path dir = scratch_dir();
  write_text(dir / "coefficients.json", coefficients.dump(2));
  write_text(dir / "profile.json", profile_json(profile_overrides).dump(2));
  return load_board_profile((dir / "profile.json").string());
}

inline std::string shipped_profile(const std::string& name) {
  return std::string(TINYSKIP_SOURCE_DIR) + "/configs/mcu/" + name + ".json";
}

// --- tiny graphs -----------------------------------------------------------

inline int add_tensor(sim::Graph& graph, const std::string& name, std::vector<int32_t> shape,
                      sim::DataType type, std::vector<uint8_t> data = {}) {
  sim::Tensor tensor;
  tensor.name = name;
  tensor.shape = std::move(shape);
  tensor.type = type;
  tensor.data = std::move(data);
  graph.tensors.push_back(std::move(tensor));
  return static_cast<int>(graph.tensors.size()) - 1;
}

inline std::vector<uint8_t> int8_bytes(const std::vector<int8_t>& values) {
  return {reinterpret_cast<const uint8_t*>(values.data()),
          reinterpret_cast<const uint8_t*>(values.data()) + values.size()};
}

struct ConvSpec {
  int in_h = 1, in_w = 1, in_c = 1;
  int out_h = 1, out_w = 1, out_c = 1;
  int kernel_h = 1, kernel_w = 1;
  int stride = 1;
  sim::Padding padding = sim::Padding::kValid;
  std::vector<int8_t> weights;  // OHWI; all ones when empty
};

// One CONV_2D op (index 0) with an int8 OHWI filter and an int32 bias.
inline sim::Graph conv_graph(const ConvSpec& spec) {
  sim::Graph graph;
  graph.source = "conv_graph";
  const int in = add_tensor(graph, "input", {1, spec.in_h, spec.in_w, spec.in_c}, sim::DataType::kInt8);
  std::vector<int8_t> weights = spec.weights;
  if (weights.empty()) weights.assign(size_t(spec.out_c) * spec.kernel_h * spec.kernel_w * spec.in_c, 1);
  const int filter = add_tensor(graph, "filter", {spec.out_c, spec.kernel_h, spec.kernel_w, spec.in_c},
                                sim::DataType::kInt8, int8_bytes(weights));
  const int bias = add_tensor(graph, "bias", {spec.out_c}, sim::DataType::kInt32,
                              std::vector<uint8_t>(size_t(spec.out_c) * 4, 0));
  const int out = add_tensor(graph, "output", {1, spec.out_h, spec.out_w, spec.out_c}, sim::DataType::kInt8);
  sim::Op op;
  op.type = sim::OpType::kConv2D;
  op.index = 0;
  op.inputs = {in, filter, bias};
  op.outputs = {out};
  op.options.padding = spec.padding;
  op.options.stride_h = op.options.stride_w = spec.stride;
  graph.ops.push_back(op);
  graph.input = in;
  graph.output = out;
  return graph;
}

// One FULLY_CONNECTED op (index 0): [1, in] x [out][in] weights + int32 bias.
inline sim::Graph fc_graph(int in_features, int out_features, std::vector<int8_t> weights) {
  sim::Graph graph;
  graph.source = "fc_graph";
  const int in = add_tensor(graph, "input", {1, in_features}, sim::DataType::kInt8);
  const int filter = add_tensor(graph, "weights", {out_features, in_features}, sim::DataType::kInt8,
                                int8_bytes(weights));
  const int bias = add_tensor(graph, "bias", {out_features}, sim::DataType::kInt32,
                              std::vector<uint8_t>(size_t(out_features) * 4, 0));
  const int out = add_tensor(graph, "output", {1, out_features}, sim::DataType::kInt8);
  sim::Op op;
  op.type = sim::OpType::kFullyConnected;
  op.index = 0;
  op.inputs = {in, filter, bias};
  op.outputs = {out};
  graph.ops.push_back(op);
  graph.input = in;
  graph.output = out;
  return graph;
}

}  // namespace tinyskip::mcu::testing
