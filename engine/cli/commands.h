// Subcommands of the tinyskip command line. Each registers its options on the
// app and returns the function that runs it; main() dispatches.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace tinyskip::cli {

using Command = std::function<int()>;

Command add_calibrate_command(CLI::App& app);
Command add_check_model_command(CLI::App& app);
Command add_codegen_command(CLI::App& app);
Command add_emulate_command(CLI::App& app);
Command add_eval_command(CLI::App& app);
Command add_inspect_command(CLI::App& app);
Command add_measure_command(CLI::App& app);
Command add_run_command(CLI::App& app);

}  // namespace tinyskip::cli
