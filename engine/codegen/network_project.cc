#include "engine/codegen/network_project.h"

#include "engine/codegen/bare_metal.h"
#include "engine/codegen/codegen_error.h"
#include "engine/results/atomic_file.h"
#include "sim/simulator.h"

namespace tinyskip::engine {
NetworkProject generate_network_project(const NetworkProjectSpec& spec) {
  if (spec.graph == nullptr || spec.inputs == nullptr || spec.board == nullptr || spec.inputs->size() < 1)
    throw CodegenError("network project: a graph, a board and at least one check input are required");
  const sim::Graph& graph = *spec.graph;
  ModelCodegenOptions options;
  options.model_name = spec.model_name;
  options.unpacked_ops = spec.unpacked_ops;
  options.exact_layers_on_cmsis_nn = spec.cmsis_nn.has_value();
  options.template_dir = spec.template_dir;
  options.runtime_dir = spec.runtime_dir;

  NetworkProject project;
  project.sources = generate_model_sources(graph, spec.masks, options);
  // A model whose every layer is unpacked or runtime-only links no CMSIS-NN.
  if (!project.sources.cmsis_nn_functions.empty()) project.linked_cmsis_nn = spec.cmsis_nn;
  project.expected_outputs = sim::Simulator(graph, spec.masks).run(*spec.inputs).outputs;

  BareMetalSpec bare_metal;
  bare_metal.model_name = spec.model_name;
  bare_metal.input_c_type = c_type_of(graph, graph.input);
  bare_metal.output_c_type = c_type_of(graph, graph.output);
  bare_metal.image_count = spec.inputs->size();
  bare_metal.input_bytes = spec.inputs->encoded(0, spec.inputs->size());
  bare_metal.expected_output_bytes = project.expected_outputs;
  bare_metal.board_name = spec.board->name;
  bare_metal.flash_bytes = spec.board->flash_bytes;
  bare_metal.ram_bytes = spec.board->sram_bytes;
  bare_metal.cmsis_nn = project.linked_cmsis_nn;

  project.files = project.sources.files;
  const GeneratedFiles check_program = generate_bare_metal_project(bare_metal, spec.template_dir);
  project.files.insert(project.files.end(), check_program.begin(), check_program.end());
  return project;
}

void write_generated_files(const GeneratedFiles& files, const std::filesystem::path& dir) {
  for (const GeneratedFile& file : files) {
    const std::filesystem::path path = dir / file.relative_path;
    std::filesystem::create_directories(path.parent_path());
    write_file_atomically(path, file.content);
  }
}

}  // namespace tinyskip::engine
