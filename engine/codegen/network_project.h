// One generated network with its bare-metal check program, from what it is
// made of: a graph, the skip masks and which convolutions are unpacked,
// where the exact layers run (CMSIS-NN or the runtime), the images the check
// program embeds and the board it links for. `tinyskip codegen` builds one
// from a winner file (codegen_job.h); the exploration's measured latency
// table builds one per threshold level (explore/latency_table.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/codegen/generated_file.h"
#include "engine/codegen/model_source.h"
#include "engine/config/cmsis_nn_checkout.h"
#include "mcu_model/board_profile.h"
#include "sim/graph.h"
#include "sim/data/model_inputs.h"
#include "sim/weight_mask.h"

namespace tinyskip::engine {

struct NetworkProjectSpec {
  const sim::Graph* graph = nullptr;
  sim::MaskSet masks;           // skipped weights per op (empty: exact)
  std::set<int> unpacked_ops;   // CONV_2D ops generated as unpacked kernels
  std::optional<CmsisNnCheckout> cmsis_nn;  // exact layers on CMSIS-NN; nullopt: the runtime
  std::string model_name;       // C identifier
  const sim::ModelInputs* inputs = nullptr;  // embedded in the check program (at least one)
  const mcu::BoardProfile* board = nullptr;  // the part the check program links for
  std::filesystem::path template_dir, runtime_dir;
};

struct NetworkProject {
  ModelSources sources;
  GeneratedFiles files;  // the sources, then the bare-metal project
  // The checkout the model links (nullopt when no layer calls CMSIS-NN).
  std::optional<CmsisNnCheckout> linked_cmsis_nn;
  std::vector<uint8_t> expected_outputs;  // the simulator's output for every image, image after image
};

// Throws CodegenError / sim::ModelError as generate_model_sources and
// generate_bare_metal_project do.
NetworkProject generate_network_project(const NetworkProjectSpec& spec);

// Writes every file under `dir` (atomically, creating directories).
void write_generated_files(const GeneratedFiles& files, const std::filesystem::path& dir);

}  // namespace tinyskip::engine
