// A design point's own whole-network program, generated, built and timed the
// way the measured latency table times its level programs (exact layers on
// the config's CMSIS-NN, the experiment's unpacked ops, linked for each
// board's roomy timing profile), and its comparison with the table: what the
// additivity test and bench_latency_table share.
#pragma once

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <tbb/parallel_for.h>

#include "engine/codegen/c_literals.h"
#include "engine/codegen/codegen_error.h"
#include "engine/codegen/layer_kernel.h"
#include "engine/codegen/network_project.h"
#include "engine/config/tinyskip_paths.h"
#include "engine/explore/experiment.h"
#include "engine/explore/latency_table.h"
#include "engine/measure/timed_program.h"
#include "engine/results/atomic_file.h"
#include "mcu_model/elf32_image.h"
#include "sim/support/whole_file.h"

namespace tinyskip::test {

inline constexpr uint64_t kPointInstructionLimit = 40'000'000'000ull;

struct PointProgram {
  engine::NetworkProject project;
  std::string model_name;
  std::vector<engine::ProgramOp> ops;  // every op, with its kernel, so each is timed
};

inline PointProgram generate_point_program(const engine::Experiment& experiment, const engine::DesignPoint& point,
                                           const sim::ModelInputs& images) {
  engine::NetworkProjectSpec spec;
  spec.graph = &experiment.graph;
  spec.masks = engine::point_masks(experiment, point);
  spec.unpacked_ops = engine::unpacked_ops_of(experiment, point);
  spec.cmsis_nn = experiment.config.cmsis_nn;
  spec.model_name = engine::c_identifier_from(experiment.config.name);
  spec.inputs = &images;
  spec.board = &experiment.boards.at(static_cast<size_t>(experiment.primary_board));
  spec.template_dir = engine::default_template_dir();
  spec.runtime_dir = engine::default_runtime_dir();
  PointProgram program{engine::generate_network_project(spec), spec.model_name, {}};
  for (const auto& [op_index, kernel] : program.project.sources.kernels)
    program.ops.push_back({op_index, sim::op_type_name(experiment.graph.ops.at(static_cast<size_t>(op_index)).type),
                           engine::layer_kernel_name(kernel)});
  return program;
}

// Builds `program` in `dir` for every board of the experiment and times each
// (the runs side by side). Only files whose content changed are rewritten, so
// that successive points in one directory recompile only what differs (the
// CMSIS-NN library and the exact layers stay built).
inline std::vector<engine::BoardTiming> time_point_program(const engine::Experiment& experiment,
                                                           const PointProgram& program,
                                                           const std::filesystem::path& dir) {
  for (const engine::GeneratedFile& file : program.project.files) {
    const std::filesystem::path path = dir / file.relative_path;
    if (support::read_whole_file(path) == file.content) continue;
    std::filesystem::create_directories(path.parent_path());
    engine::write_file_atomically(path, file.content);
  }
  std::vector<mcu::BoardProfile> boards;
  std::vector<std::filesystem::path> elves;
  for (const mcu::BoardProfile& board : experiment.boards) {
    boards.push_back(engine::LatencyTable::timing_board(board));
    const auto elf = engine::build_check_program(dir, program.model_name, experiment.config.flash.opt_level,
                                                 boards.back());
    if (!elf) throw engine::CodegenError(dir.string() + " does not fit the timing board " + board.name);
    elves.push_back(*elf);
  }
  std::vector<engine::BoardTiming> timings(boards.size());
  tbb::parallel_for(size_t{0}, boards.size(), [&](size_t b) {
    timings[b] = engine::time_check_program(mcu::read_elf32_arm(elves[b].string()), boards[b], program.model_name,
                                            program.ops, kPointInstructionLimit);
  });
  return timings;
}

// A point's emulated image-0 cycles against the table, and where they differ:
// per approximated layer (its op's measured cycles minus its table entry) and
// in the rest of the network (the fixed part).
struct Additivity {
  uint64_t table = 0, emulated = 0;
  double relative_error = 0;            // |table - emulated| / emulated
  std::vector<int64_t> layer_deltas;    // per space layer: emulated op cycles - table entry
  int64_t fixed_delta = 0;              // emulated - table, outside the approximated layers
};

inline Additivity compare_with_table(const engine::Experiment& experiment, const engine::LatencyTable& table,
                                     int board, const engine::DesignPoint& point, const engine::BoardTiming& timing) {
  Additivity result;
  result.table = table.point_cycles(board, point);
  result.emulated = timing.cycles;
  result.relative_error = std::abs(static_cast<double>(result.table) - static_cast<double>(result.emulated)) /
                          static_cast<double>(result.emulated);
  std::map<int, uint64_t> op_cycles;
  for (const engine::OpTiming& op : timing.ops) op_cycles[op.op_index] = op.cycles;
  int64_t approximated = 0;
  for (size_t l = 0; l < experiment.space.layers.size(); ++l) {
    const uint64_t measured = op_cycles.at(experiment.space.layers[l].op_index);
    approximated += static_cast<int64_t>(measured);
    result.layer_deltas.push_back(static_cast<int64_t>(measured) -
                                  static_cast<int64_t>(table.layer_cycles(board, static_cast<int>(l), point[l])));
  }
  result.fixed_delta = static_cast<int64_t>(timing.cycles) - approximated -
                       static_cast<int64_t>(table.fixed_cycles(board));
  return result;
}

}  // namespace tinyskip::test
