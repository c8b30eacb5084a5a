// manifest.json of a codegen output directory: which files were generated
// (with hashes), what every layer computes (kernel, MACs kept and skipped,
// weights skipped, constant bytes), the cycle model's latency and flash
// estimate, and the flash the cross-compiler produced for every file at each
// optimisation level. Format documented in results/README.md.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/codegen/generated_file.h"
#include "engine/codegen/model_source.h"
#include "engine/results/winner_file.h"
#include "mcu_model/board_profile.h"
#include "mcu_model/cycle_model.h"
#include "mcu_model/flash_measurement.h"
#include "sim/graph.h"

namespace tinyskip::engine {

inline constexpr const char* kCodegenManifestFormat = "tinyskip-codegen/1";

// opt level ("-Os") -> generated .c file (relative path) -> its sections.
using MeasuredFlash = std::map<std::string, std::map<std::string, mcu::SectionSizes>>;

struct ManifestInputs {
  std::string variant;  // "winner", "unpacked" or "exact" (codegen_job.h)
  const sim::Graph& graph;
  const WinnerFile& winner;
  const mcu::BoardProfile& board;
  const ModelSources& sources;
  const GeneratedFiles& files;  // everything written, sources and bare-metal project
  mcu::NetworkEstimate estimate{};
  std::string model_name;
  std::pair<std::string, int> test_image;  // CIFAR-10 file and image index embedded in cortex_m4/main.c
  std::vector<uint8_t> expected_output;
  std::string toolchain_version;  // empty when flash was not measured
  MeasuredFlash measured;
};

nlohmann::ordered_json codegen_manifest(const ManifestInputs& inputs);

}  // namespace tinyskip::engine
