#include "engine/config/layer_names.h"

#include <map>
#include <stdexcept>

#include <fmt/format.h>

#include "engine/config/experiment_config.h"

namespace tinyskip::engine {
namespace {

// Name prefix of each approximable op type; other ops have no layer name.
const char* layer_prefix(sim::OpType type) {
  switch (type) {
    case sim::OpType::kConv2D:
      return "conv";
    case sim::OpType::kDepthwiseConv2D:
      return "dwconv";
    case sim::OpType::kFullyConnected:
      return "fc";
    default:
      return nullptr;
  }
}

// Every approximable op's name, in execution order.
std::vector<std::pair<std::string, int>> named_layers(const sim::Graph& graph) {
  std::map<std::string, int> seen_per_prefix;
  std::vector<std::pair<std::string, int>> layers;
  for (size_t i = 0; i < graph.ops.size(); ++i) {
    const char* prefix = layer_prefix(graph.ops[i].type);
    if (prefix == nullptr) continue;
    const int ordinal = ++seen_per_prefix[prefix];
    layers.emplace_back(fmt::format("{}{}", prefix, ordinal), static_cast<int>(i));
  }
  return layers;
}

std::vector<int> conv_ops(const std::vector<std::pair<std::string, int>>& layers) {
  std::vector<int> ops;
  for (const auto& [name, op] : layers)
    if (name.starts_with("conv")) ops.push_back(op);
  return ops;
}

std::string valid_names(const std::vector<std::pair<std::string, int>>& layers) {
  std::string list;
  for (const auto& [name, op] : layers) list += name + ", ";
  return list + "all_conv, all_conv_but_first";
}

}  // namespace

bool is_single_layer_name(const std::string& name) {
  for (const char* prefix : {"conv", "dwconv", "fc"}) {
    const std::string_view p(prefix);
    if (!name.starts_with(p) || name.size() == p.size()) continue;
    const std::string digits = name.substr(p.size());
    if (digits[0] == '0') return false;
    return digits.find_first_not_of("0123456789") == std::string::npos;
  }
  return false;
}

bool is_layer_group_name(const std::string& name) { return name == "all_conv" || name == "all_conv_but_first"; }

std::string layer_name(const sim::Graph& graph, int op_index) {
  for (const auto& [name, op] : named_layers(graph))
    if (op == op_index) return name;
  throw std::invalid_argument(
      fmt::format("{}: op {} is not a CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED layer", graph.source, op_index));
}

std::vector<int> resolve_layer_names(const sim::Graph& graph, const std::vector<std::string>& names,
                                     const std::string& context) {
  const auto layers = named_layers(graph);
  const std::string prefix = context.empty() ? "" : context + ": ";
  std::map<int, std::string> selected_by;  // op index -> the entry that selected it
  for (const std::string& name : names) {
    std::vector<int> ops;
    if (is_layer_group_name(name)) {
      ops = conv_ops(layers);
      if (name == "all_conv_but_first" && !ops.empty()) ops.erase(ops.begin());
    } else {
      for (const auto& [layer, op] : layers)
        if (layer == name) ops.push_back(op);
      if (ops.empty())
        throw ConfigError(fmt::format("{}'{}' names no layer of {} (valid names: {})", prefix, name, graph.source,
                                      valid_names(layers)));
    }
    for (int op : ops) {
      const auto [where, inserted] = selected_by.emplace(op, name);
      if (!inserted)
        throw ConfigError(fmt::format("{}{} is selected twice, by '{}' and by '{}'", prefix,
                                      graph.describe(graph.ops[static_cast<size_t>(op)]), where->second, name));
    }
  }
  if (selected_by.empty())
    throw ConfigError(
        fmt::format("{}no layer of {} selected (valid names: {})", prefix, graph.source, valid_names(layers)));
  std::vector<int> ops;
  for (const auto& [op, name] : selected_by) ops.push_back(op);
  return ops;
}

DesignSpace make_design_space(const sim::Graph& graph, const ApproximateConfig& approximate,
                              const std::string& config_file) {
  const std::vector<int> ops = resolve_layer_names(graph, approximate.layers, config_file + ": approximate.layers");
  DesignSpace space;
  for (int op : ops) {
    ApproximatedLayer layer;
    layer.op_index = op;
    layer.name = layer_name(graph, op);
    const ThresholdSpec& spec = approximate.thresholds_for(layer.name);
    if (spec.by_skip_fraction())
      layer.skip_fractions = spec.skip_fractions;  // thresholds follow from significance (prepare_experiment)
    else
      layer.thresholds = spec.candidates();
    space.layers.push_back(std::move(layer));
  }
  for (const auto& [name, spec] : approximate.per_layer) {
    bool used = false;
    for (const ApproximatedLayer& layer : space.layers) used = used || layer.name == name;
    if (!used) {
      std::string selected;
      for (const ApproximatedLayer& layer : space.layers) selected += (selected.empty() ? "" : ", ") + layer.name;
      throw ConfigError(fmt::format("{}: approximate.per_layer.{}: not one of the approximated layers ({})",
                                    config_file, name, selected));
    }
  }
  return space;
}

}  // namespace tinyskip::engine
