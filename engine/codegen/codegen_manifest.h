// manifest.json of a codegen output directory: which files were generated
// (with hashes), what every layer computes (kernel, MACs kept and skipped,
// weights skipped, constant bytes), which kernels the exact layers use
// (tinyskip's runtime or CMSIS-NN, with its path and release), the cycle
// model's latency and flash estimate, the flash the cross-compiler produced
// for every file at each optimisation level and what the model links of
// CMSIS-NN, and the check program's images. Format documented in
// results/README.md.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/codegen/cmsis_nn_flash.h"
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

// The images the check program embeds: `count` images from `first` of
// `file`, and the simulator's output for each, back to back.
struct CheckImages {
  std::string file;
  int first = 0;
  int count = 1;
  std::vector<uint8_t> expected_outputs;
};

struct ManifestInputs {
  std::string variant;  // "winner", "unpacked", "exact" or "cmsis-nn" (codegen_job.h)
  const sim::Graph& graph;
  const WinnerFile& winner;
  const mcu::BoardProfile& board;
  const ModelSources& sources;
  const GeneratedFiles& files;  // everything written, sources and bare-metal project
  mcu::NetworkEstimate estimate{};
  std::string model_name{};
  CheckImages check_images{};
  std::string toolchain_version{};  // empty when flash was not measured
  MeasuredFlash measured{};
  std::optional<CmsisNnCheckout> cmsis_nn{};             // the exact layers' CMSIS-NN; nullopt: runtime kernels
  std::map<std::string, CmsisNnFlash> cmsis_nn_flash{};  // opt level -> what the model links of it
};

// Flash of the whole model at `level`: the generated files, the runtime and
// the CMSIS-NN sections the program links.
int64_t total_flash_bytes(const ManifestInputs& inputs, const std::string& level);

nlohmann::ordered_json codegen_manifest(const ManifestInputs& inputs);

}  // namespace tinyskip::engine
