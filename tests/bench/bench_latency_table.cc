// The evidence behind the measured latency table (engine/explore/latency_table.h)
// for one experiment config, on every board of the config:
//
// 1. Input variation. The uniform-level networks at the first, middle and
//    last threshold level, each embedding the first IMAGES images of the
//    calibration split, timed per image and per op: how much an input moves
//    each op kind's cycles and the whole network's (which decides how many
//    images the table must run; it runs the latency reference input, image 0).
//    Image 0's count there is also compared with the table's sum for the same
//    point: the images' constants sit before the code, so this shows whether
//    moving all code by the extra data moves a cycle.
// 2. Additivity. POINTS random design points (seeded), each generated, built
//    and timed as its own whole program on image 0, compared with the table's
//    fixed part + layer entries; where they differ, per layer and in the
//    fixed part.
//
//   bench_latency_table CONFIG POINTS SEED IMAGES OUT.md [WORK_DIR]
//
// Writes OUT.md (the tables it prints) and OUT.json (every number). WORK_DIR
// (default OUT.md's name + ".work") holds the builds and the table's timing
// cache, so a second run re-times only the points. Deterministic: the points
// come from std::mt19937_64(SEED) reduced modulo each layer's level count.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine/config/experiment_config.h"
#include "engine/config/split_inputs.h"
#include "tests/latency_programs.h"

namespace tinyskip {
namespace {

namespace fs = std::filesystem;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double relative(uint64_t low, uint64_t high) {
  return low == 0 ? 0.0 : static_cast<double>(high - low) / static_cast<double>(low);
}

std::string point_text(const engine::DesignPoint& point) {
  std::string text;
  for (int level : point) text.append(text.empty() ? "" : ",").append(std::to_string(level));
  return "(" + text + ")";
}

// An op kind's spread over images: the op types and kernels as the manifest
// names them, each op's own min and max over the images.
struct KindSpread {
  int ops = 0;
  uint64_t min_cycles = UINT64_MAX, max_cycles = 0;  // over its ops and images
  double max_relative = 0;                           // largest (max - min) / min of one op over the images
  uint64_t max_absolute = 0;                         // largest max - min of one op
  int varying_ops = 0;                               // ops whose cycles differ between images
};

size_t max_levels(const engine::Experiment& experiment) {
  size_t levels = 0;
  for (const engine::ApproximatedLayer& layer : experiment.space.layers) levels = std::max(levels, layer.thresholds.size());
  return levels;
}

engine::DesignPoint uniform_point(const engine::Experiment& experiment, size_t level) {
  engine::DesignPoint point;
  for (const engine::ApproximatedLayer& layer : experiment.space.layers)
    point.push_back(static_cast<int>(std::min(level, layer.thresholds.size() - 1)));
  return point;
}

void input_variation(const engine::Experiment& experiment, const engine::LatencyTable& table, int image_count,
                     const fs::path& work, std::string& markdown, nlohmann::ordered_json& json) {
  const sim::ModelInputs images =
      engine::latency_reference_inputs(experiment.config, experiment.graph, image_count);
  const size_t levels = max_levels(experiment);
  std::vector<size_t> chosen = {0, levels / 2, levels - 1};
  chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());

  markdown.append(fmt::format("### Input variation: {} calibration images, uniform threshold levels", image_count));
  markdown.append("\n\n| board | level | op kind | ops | varying ops | min cycles | max cycles | max spread of one op |"
                  "\n| --- | --- | --- | --- | --- | --- | --- | --- |\n");
  std::string layout = "\n| board | level | image 0, own program | table sum | difference |\n| --- | --- | --- | --- | --- |\n";
  json["input_variation"] = nlohmann::ordered_json::array();
  for (size_t level : chosen) {
    const engine::DesignPoint point = uniform_point(experiment, level);
    const auto start = std::chrono::steady_clock::now();
    const test::PointProgram program = test::generate_point_program(experiment, point, images);
    const std::vector<engine::BoardTiming> timings = test::time_point_program(experiment, program, work / "variation");
    std::fprintf(stderr, "variation: level %zu timed in %.0f s\n", level, seconds_since(start));
    for (size_t b = 0; b < timings.size(); ++b) {
      const engine::BoardTiming& timing = timings[b];
      if (!timing.output_matches) throw engine::CodegenError("variation program output differs from the simulator's");
      std::map<std::string, KindSpread> kinds;
      nlohmann::ordered_json ops = nlohmann::ordered_json::array();
      for (size_t o = 0; o < program.ops.size(); ++o) {
        uint64_t low = UINT64_MAX, high = 0;
        nlohmann::ordered_json per_image = nlohmann::ordered_json::array();
        for (const engine::InferenceTiming& image : timing.images) {
          low = std::min(low, image.ops.at(o).cycles);
          high = std::max(high, image.ops.at(o).cycles);
          per_image.push_back(image.ops[o].cycles);
        }
        KindSpread& kind = kinds[program.ops[o].op + " " + program.ops[o].kernel];
        ++kind.ops;
        kind.min_cycles = std::min(kind.min_cycles, low);
        kind.max_cycles = std::max(kind.max_cycles, high);
        kind.max_relative = std::max(kind.max_relative, relative(low, high));
        kind.max_absolute = std::max(kind.max_absolute, high - low);
        kind.varying_ops += high != low;
        ops.push_back({{"op_index", program.ops[o].op_index}, {"op", program.ops[o].op},
                       {"kernel", program.ops[o].kernel}, {"image_cycles", per_image}});
      }
      uint64_t low = UINT64_MAX, high = 0;
      nlohmann::ordered_json totals = nlohmann::ordered_json::array();
      for (const engine::InferenceTiming& image : timing.images) {
        low = std::min(low, image.cycles);
        high = std::max(high, image.cycles);
        totals.push_back(image.cycles);
      }
      for (const auto& [name, kind] : kinds)
        markdown.append(fmt::format("| {} | {} | {} | {} | {} | {} | {} | {:.4f} % ({} cycles) |\n", timing.board,
                                    level, name, kind.ops, kind.varying_ops, kind.min_cycles, kind.max_cycles,
                                    100 * kind.max_relative, kind.max_absolute));
      markdown.append(fmt::format("| {} | {} | **whole network** | | | {} | {} | {:.4f} % ({} cycles) |\n",
                                  timing.board, level, low, high, 100 * relative(low, high), high - low));
      const uint64_t table_sum = table.point_cycles(static_cast<int>(b), point);
      layout.append(fmt::format("| {} | {} | {} | {} | {:+} |\n", timing.board, level, timing.cycles, table_sum,
                                static_cast<int64_t>(timing.cycles) - static_cast<int64_t>(table_sum)));
      json["input_variation"].push_back({{"board", timing.board}, {"level", level}, {"point", point},
                                         {"image_cycles", totals}, {"table_cycles", table_sum}, {"ops", ops}});
    }
  }
  markdown.append("\nImage 0 of the variation programs (their extra images move all code) against the table "
                  "(measured with one image):\n");
  markdown.append(layout);
}

void additivity(const engine::Experiment& experiment, const engine::LatencyTable& table, int point_count,
                uint64_t seed, const fs::path& work, std::string& markdown, nlohmann::ordered_json& json) {
  const sim::ModelInputs reference = engine::latency_reference_inputs(experiment.config, experiment.graph, 1);
  std::mt19937_64 rng(seed);
  const size_t boards = experiment.boards.size();
  const size_t layers = experiment.space.layers.size();
  std::vector<double> max_error(boards, 0), sum_error(boards, 0);
  std::vector<std::string> worst(boards);
  std::vector<int64_t> max_fixed_delta(boards, 0);
  std::vector<std::vector<int64_t>> max_layer_delta(boards, std::vector<int64_t>(layers, 0));  // signed, largest |.|
  const auto keep_larger = [](int64_t& kept, int64_t value) {
    if (std::llabs(value) > std::llabs(kept)) kept = value;
  };
  json["additivity"] = nlohmann::ordered_json::array();
  for (int p = 0; p < point_count; ++p) {
    engine::DesignPoint point;
    for (const engine::ApproximatedLayer& layer : experiment.space.layers)
      point.push_back(static_cast<int>(rng() % layer.thresholds.size()));
    const auto start = std::chrono::steady_clock::now();
    const test::PointProgram program = test::generate_point_program(experiment, point, reference);
    const std::vector<engine::BoardTiming> timings = test::time_point_program(experiment, program, work / "points");
    std::string line;
    for (size_t b = 0; b < boards; ++b) {
      if (!timings[b].output_matches) throw engine::CodegenError("point program output differs from the simulator's");
      const test::Additivity result =
          test::compare_with_table(experiment, table, static_cast<int>(b), point, timings[b]);
      sum_error[b] += result.relative_error;
      if (result.relative_error >= max_error[b]) {
        max_error[b] = result.relative_error;
        worst[b] = point_text(point);
      }
      keep_larger(max_fixed_delta[b], result.fixed_delta);
      for (size_t l = 0; l < layers; ++l) keep_larger(max_layer_delta[b][l], result.layer_deltas[l]);
      line.append(fmt::format(" {} {:+.4f} %", timings[b].board,
                              100 * (static_cast<double>(result.table) - static_cast<double>(result.emulated)) /
                                  static_cast<double>(result.emulated)));
      json["additivity"].push_back({{"point", point}, {"board", timings[b].board}, {"emulated", result.emulated},
                                    {"table", result.table}, {"relative_error", result.relative_error},
                                    {"fixed_delta", result.fixed_delta}, {"layer_deltas", result.layer_deltas}});
    }
    std::fprintf(stderr, "point %d/%d %s (%.0f s): table - emulated:%s\n", p + 1, point_count,
                 point_text(point).c_str(), seconds_since(start), line.c_str());
  }

  markdown.append(fmt::format("### Additivity: {} random points (seed {}), table vs own program on image 0\n\n",
                              point_count, seed));
  markdown.append("| board | points | max rel. error | mean rel. error | worst point | fixed part (table) | "
                  "largest fixed-part difference |\n| --- | --- | --- | --- | --- | --- | --- |\n");
  for (size_t b = 0; b < boards; ++b)
    markdown.append(fmt::format("| {} | {} | {:.4f} % | {:.4f} % | {} | {} | {:+} cycles |\n",
                                experiment.boards[b].name, point_count, 100 * max_error[b],
                                100 * sum_error[b] / point_count, worst[b], table.fixed_cycles(static_cast<int>(b)),
                                max_fixed_delta[b]));
  markdown.append("\nLargest difference of one approximated layer's own cycles from its table entry (cycles):\n\n| board |");
  for (const engine::ApproximatedLayer& layer : experiment.space.layers) markdown.append(" ").append(layer.name).append(" |");
  markdown.append("\n| --- |");
  for (size_t l = 0; l < layers; ++l) markdown.append(" --- |");
  markdown.append("\n");
  for (size_t b = 0; b < boards; ++b) {
    markdown.append("| ").append(experiment.boards[b].name).append(" |");
    for (size_t l = 0; l < layers; ++l) markdown.append(fmt::format(" {:+} |", max_layer_delta[b][l]));
    markdown.append("\n");
  }
  for (size_t b = 0; b < boards; ++b) {
    json["summary"].push_back({{"board", experiment.boards[b].name}, {"max_relative_error", max_error[b]},
                               {"mean_relative_error", sum_error[b] / point_count}, {"worst_point", worst[b]},
                               {"fixed_cycles", table.fixed_cycles(static_cast<int>(b))},
                               {"fixed_spread", table.fixed_spread(static_cast<int>(b))},
                               {"max_fixed_delta", max_fixed_delta[b]}, {"max_layer_delta", max_layer_delta[b]}});
  }
}

int run(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: %s CONFIG POINTS SEED IMAGES OUT.md [WORK_DIR]\n", argv[0]);
    return 2;
  }
  const fs::path config_file = argv[1];
  const int point_count = std::atoi(argv[2]);
  const uint64_t seed = std::strtoull(argv[3], nullptr, 10);
  const int image_count = std::atoi(argv[4]);
  const fs::path out = argv[5];
  const fs::path work = argc > 6 ? fs::path(argv[6]) : fs::path(out.string() + ".work");

  auto start = std::chrono::steady_clock::now();
  const engine::Experiment experiment = engine::prepare_experiment(engine::load_experiment_config(config_file), 2);
  std::fprintf(stderr, "experiment prepared in %.0f s\n", seconds_since(start));
  start = std::chrono::steady_clock::now();
  engine::LatencyTable::Options options;
  options.work_dir = work / "table";
  options.cache_dir = work / "cache";
  const engine::LatencyTable table = engine::LatencyTable::measure(experiment, options);
  const double table_seconds = seconds_since(start);
  std::fprintf(stderr, "table measured in %.0f s\n", table_seconds);

  std::string markdown = fmt::format("## {} ({} approximated layers, {} threshold levels)\n\n", experiment.config.name,
                                     experiment.space.layers.size(), max_levels(experiment));
  markdown.append("| board | table fixed part | fixed-part spread over level programs |\n| --- | --- | --- |\n");
  for (size_t b = 0; b < experiment.boards.size(); ++b)
    markdown.append(fmt::format("| {} | {} | {} |\n", experiment.boards[b].name,
                                table.fixed_cycles(static_cast<int>(b)), table.fixed_spread(static_cast<int>(b))));
  markdown.append("\n");
  nlohmann::ordered_json json = {{"config", config_file.string()}, {"points", point_count}, {"seed", seed},
                                 {"images", image_count}, {"table_seconds", table_seconds}};
  if (image_count > 0) {
    input_variation(experiment, table, image_count, work, markdown, json);
    markdown.append("\n");
  }
  additivity(experiment, table, point_count, seed, work, markdown, json);

  std::cout << markdown;
  std::ofstream(out) << markdown;
  fs::path json_file = out;
  std::ofstream(json_file.replace_extension(".json")) << json.dump(1) << "\n";
  return 0;
}

}  // namespace
}  // namespace tinyskip

int main(int argc, char** argv) {
  try {
    return tinyskip::run(argc, argv);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench_latency_table: %s\n", error.what());
    return 1;
  }
}
