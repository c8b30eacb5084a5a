// Times whole generated networks of an experiment on its boards, through a
// content-addressed cache. What the exploration's measured latency is made
// of: the level programs and the exact baseline of the latency table
// (latency_table.h) and, after the search, each winner's own program.
//
// A network is generated exactly as `tinyskip codegen` generates it
// (engine/codegen/network_project.h: exact layers on the config's CMSIS-NN,
// or on the runtime without one; the check program embeds the latency
// reference input, engine/config/split_images.h), built at the config's
// flash.opt_level and run under the Cortex-M4 timing engine on each board.
//
// The cache key of one (network, board) is a hash of everything that can
// move a cycle: the timing-engine version, the compiler's version, the
// optimisation level, every generated file (sources, runtime, Makefile with
// its flags, startup and main), the CMSIS-NN checkout's files, and the board
// profile and timing-rule files. An entry holds the total and per-op cycles;
// an unreadable entry is a miss.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/explore/experiment.h"
#include "sim/data/model_inputs.h"
#include "sim/weight_mask.h"

namespace tinyskip::engine {

// `board` as networks are linked and timed: with room in flash for any
// generated model (flash size changes no timing rule, and an over-size point
// still needs its cycles; the flash constraint rules it out).
mcu::BoardProfile network_timing_board(const mcu::BoardProfile& board);

// One board's timing of one network (the first image's inference).
struct NetworkCycles {
  uint64_t cycles = 0;
  std::map<int, uint64_t> op_cycles;  // op index -> cycles from its entry to the next op's
};

class NetworkTimer {
 public:
  struct Options {
    std::filesystem::path work_dir;   // where networks are generated and built
    std::string opt_level;            // empty: the config's flash.opt_level (what is flashed is what is timed)
    std::filesystem::path cache_dir;  // empty: no cache
  };
  struct Stats {
    int timed = 0;   // (network, board) pairs built and emulated
    int cached = 0;  // answered from the cache
  };

  // mcu::ToolchainError when the cross-compiler cannot be run.
  NetworkTimer(const Experiment& experiment, Options options);

  // The network with `masks` skipped and `unpacked_ops` unpacked, on every
  // board of the experiment (config order). `label` names its directory
  // under work_dir. CodegenError for a build failure, a program that does not
  // fit even the roomy timing board, or an output that differs from the
  // simulator's; mcu::EmulatorError / TimingError from the run.
  std::vector<NetworkCycles> time(const sim::MaskSet& masks, const std::set<int>& unpacked_ops,
                                  const std::string& label);

  const Stats& stats() const { return stats_; }
  const std::string& toolchain_version() const { return toolchain_version_; }
  const std::string& opt_level() const { return opt_level_; }

 private:
  const Experiment& experiment_;
  Options options_;
  std::optional<sim::ModelInputs> reference_input_;  // what every network runs
  std::string toolchain_version_, opt_level_;
  std::string base_key_;                // engine version, compiler, flags, CMSIS-NN
  std::vector<std::string> board_keys_;  // per board: profile and timing rules
  Stats stats_;
};

}  // namespace tinyskip::engine
