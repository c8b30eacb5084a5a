// tinyskip: design-space exploration of approximate int8 CNN kernels for
// Cortex-M4. See README.md for the workflow.
#include <cstdlib>
#include <exception>
#include <map>

#include <spdlog/spdlog.h>

#include "engine/cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"tinyskip: explore approximate int8 CNN kernels for Cortex-M4"};
  app.set_version_flag("--version", std::string("tinyskip ") + TINYSKIP_VERSION);
  app.require_subcommand(1);
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "Debug logging");
  std::string data_root;
  app.add_option("--data-root", data_root,
                 "What ${data_root} in config paths stands for (default: $TINYSKIP_DATA_ROOT, else ../shared beside "
                 "the source tree when it exists, else <source tree>/data)");

  std::map<CLI::App*, tinyskip::cli::Command> commands;
  for (auto add : {tinyskip::cli::add_run_command, tinyskip::cli::add_eval_command,
                   tinyskip::cli::add_inspect_command, tinyskip::cli::add_codegen_command, tinyskip::cli::add_emulate_command,
                   tinyskip::cli::add_measure_command, tinyskip::cli::add_calibrate_command,
                   tinyskip::cli::add_check_model_command}) {
    auto run = add(app);
    commands[app.get_subcommands({}).back()] = std::move(run);
  }

  CLI11_PARSE(app, argc, argv);
  // Config loading reads it from the environment (engine/config/tinyskip_paths.h).
  if (!data_root.empty()) ::setenv("TINYSKIP_DATA_ROOT", data_root.c_str(), 1);
  spdlog::set_pattern("[%H:%M:%S] %^%l%$ %v");
  spdlog::set_level(verbose ? spdlog::level::debug : spdlog::level::info);
  try {
    for (auto& [subcommand, run] : commands)
      if (subcommand->parsed()) return run();
  } catch (const std::exception& error) {
    spdlog::error("{}", error.what());
    return 1;
  }
  return 0;
}
