// `tinyskip inspect`: what the importer understood of a model, op by op.
#include <fmt/format.h>

#include "engine/cli/commands.h"
#include "sim/tflite_import.h"

namespace tinyskip::cli {

Command add_inspect_command(CLI::App& app) {
  auto model = std::make_shared<std::string>();
  CLI::App* inspect = app.add_subcommand("inspect", "List a model's ops, shapes and MACs");
  inspect->add_option("--model", *model, "int8 .tflite model")->required();
  return [model] {
    fmt::print("{}", sim::summarize(sim::load_tflite(*model)));
    return 0;
  };
}

}  // namespace tinyskip::cli
