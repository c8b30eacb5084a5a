#include "mcu_model/cycle_model.h"

#include <set>

#include <fmt/format.h>

#include "mcu_model/errors.h"
#include "mcu_model/kernel_costs.h"

namespace tinyskip::mcu {

namespace {

void check_masked_ops_exist(const sim::Graph& graph, const sim::MaskSet& masks) {
  for (const auto& [op_index, mask] : masks)
    if (op_index < 0 || op_index >= static_cast<int>(graph.ops.size()))
      throw EstimateError(graph.source + ": a mask names op " + std::to_string(op_index) + ", the graph has " +
                          std::to_string(graph.ops.size()) + " ops");
}

}  // namespace

NetworkEstimate estimate_network(const sim::Graph& graph, const sim::MaskSet& unpacked_layers,
                                 const BoardProfile& board, const EstimateOptions& options) {
  check_masked_ops_exist(graph, unpacked_layers);
  std::vector<LayerEstimate> layers;
  layers.reserve(graph.ops.size());
  for (const sim::Op& op : graph.ops) {
    const auto mask = unpacked_layers.find(op.index);
    if (mask == unpacked_layers.end())
      layers.push_back(baseline_layer_cost(graph, op, board, options));
    else
      layers.push_back(UnpackedLayerCost(graph, op, board, options.code_opt_level).estimate(&mask->second));
  }
  return summarize_layers(std::move(layers), board);
}

NetworkEstimate summarize_layers(std::vector<LayerEstimate> layers, const BoardProfile& board) {
  NetworkEstimate network;
  std::set<std::string> libraries;
  for (const LayerEstimate& layer : layers) {
    network.total_cycles += layer.cycles;
    network.macs += layer.macs;
    network.kept_macs += layer.kept_macs;
    network.flash_bytes += layer.code_bytes + layer.const_bytes;
    libraries.insert(layer.library);
  }
  for (const std::string& library : libraries)
    network.library_code_bytes += board.coefficients.library_bytes(library);
  network.flash_bytes += network.library_code_bytes;
  network.milliseconds = board.milliseconds(network.total_cycles);
  network.fits_flash = network.flash_bytes <= board.flash_bytes;
  network.layers = std::move(layers);
  return network;
}

std::string format_estimate(const NetworkEstimate& estimate, const BoardProfile& board) {
  std::string text = fmt::format("{:>3} {:<18} {:<9} {:<26} {:>12} {:>8} {:>10} {:>10} {:>10}\n", "op", "type",
                                 "kind", "kernel", "cycles", "cyc/MAC", "code B", "data B", "MACs");
  for (const LayerEstimate& layer : estimate.layers) {
    const double per_mac = layer.macs > 0 ? layer.cycles / static_cast<double>(layer.macs) : 0.0;
    text += fmt::format("{:>3} {:<18} {:<9} {:<26} {:>12.0f} {:>8.2f} {:>10} {:>10} {:>10}{}\n", layer.op_index,
                        layer.op_name, layer.kind, layer.kernel, layer.cycles, per_mac, layer.code_bytes,
                        layer.const_bytes, layer.macs, layer.fetch_bound ? "  fetch-bound" : "");
  }
  text += fmt::format(
      "{}: {:.0f} cycles = {:.2f} ms at {:.0f} MHz, {:.2f} cycles/MAC ({} MACs, {} kept); "
      "flash {} B ({} B library code){}\n",
      board.name, estimate.total_cycles, estimate.milliseconds, static_cast<double>(board.clock_hz) / 1e6,
      estimate.cycles_per_mac(), estimate.macs, estimate.kept_macs, estimate.flash_bytes,
      estimate.library_code_bytes, estimate.fits_flash ? "" : ", DOES NOT FIT the board's flash");
  return text;
}

}  // namespace tinyskip::mcu
