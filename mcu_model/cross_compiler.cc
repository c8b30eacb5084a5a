#include "mcu_model/cross_compiler.h"

#include <algorithm>
#include <sstream>

#include "mcu_model/errors.h"
#include "mcu_model/json_reader.h"
#include "mcu_model/subprocess.h"

namespace tinyskip::mcu {

namespace {

// Compiler diagnostics can run to pages; the first lines name the problem.
constexpr int kStderrLinesShown = 12;

std::string first_lines(const std::string& text, int count) {
  std::istringstream in(text);
  std::string result, line;
  for (int i = 0; i < count && std::getline(in, line); ++i) result += (i ? "\n" : "") + line;
  if (std::getline(in, line)) result += "\n...";
  return result;
}

// The compiler names the scratch copy of the source; the unit's own name is
// what the reader knows, and the scratch directory is gone by then.
std::string without_prefix(std::string text, const std::string& prefix) {
  for (size_t at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at))
    text.erase(at, prefix.size());
  return text;
}

std::string resolve_executable(const std::string& value, const std::filesystem::path& json) {
  if (value.find('/') == std::string::npos) return value;  // found in PATH when run
  const std::filesystem::path path(value);
  if (path.is_absolute()) return value;
  return (json.parent_path() / path).string();
}

// Runs a tool of the toolchain; a tool that cannot be started is a
// ToolchainError naming the setting and the way to install it.
ProcessResult run_tool(const Toolchain& toolchain, const std::string& key, const std::string& executable,
                       std::vector<std::string> args) {
  args.insert(args.begin(), executable);
  ProcessResult result = run_process(args);
  if (!result.started)
    throw ToolchainError(executable + " not found (" + result.start_error + "; set by key '" + key + "' of " +
                         toolchain.file +
                         "): run scripts/setup.sh to install gcc-arm-none-eabi and binutils-arm-none-eabi");
  return result;
}

std::string version_line(const Toolchain& toolchain, const std::string& key, const std::string& executable) {
  const ProcessResult result = run_tool(toolchain, key, executable, {"--version"});
  if (result.exit_code != 0)
    throw ToolchainError(executable + " --version failed (exit " + std::to_string(result.exit_code) +
                         "): " + first_lines(result.err, kStderrLinesShown));
  return first_lines(result.out, 1);
}

}  // namespace

Toolchain load_toolchain(const std::filesystem::path& json) {
  const std::string file = json.string();
  const nlohmann::json root = read_json_file(file);
  ObjectReader reader(root, file, "");
  Toolchain toolchain;
  toolchain.file = file;
  toolchain.name = reader.string("name");
  toolchain.gcc = resolve_executable(reader.string("gcc"), json);
  toolchain.size = resolve_executable(reader.string("size"), json);
  // JSON arrays, one argument an element: no quoting rules to get wrong.
  toolchain.flags = reader.string_list("flags");
  toolchain.optimisation_levels = reader.string_list("optimisation_levels");
  reader.optional_string("notes");
  if (toolchain.gcc.empty()) reader.fail("gcc", "must not be empty");
  if (toolchain.size.empty()) reader.fail("size", "must not be empty");
  if (toolchain.optimisation_levels.empty()) reader.fail("optimisation_levels", "must name at least one level");
  for (const std::string& level : toolchain.optimisation_levels)
    if (level.rfind("-O", 0) != 0) reader.fail("optimisation_levels", "'" + level + "' is not a -O option");
  reader.finish();
  return toolchain;
}

std::string toolchain_version(const Toolchain& toolchain) { return version_line(toolchain, "gcc", toolchain.gcc); }

std::string size_tool_version(const Toolchain& toolchain) {
  return version_line(toolchain, "size", toolchain.size);
}

void check_optimisation_level(const Toolchain& toolchain, const std::string& opt_level) {
  const auto& levels = toolchain.optimisation_levels;
  if (std::find(levels.begin(), levels.end(), opt_level) != levels.end()) return;
  std::string allowed;
  for (const std::string& level : levels) allowed += (allowed.empty() ? "" : ", ") + level;
  throw ToolchainError("optimisation level '" + opt_level + "' not allowed by " + toolchain.file +
                       " (allowed: " + allowed + ")");
}

void compile_object(const Toolchain& toolchain, const std::filesystem::path& source,
                    const std::filesystem::path& object, const std::string& opt_level,
                    const std::vector<std::filesystem::path>& include_dirs, const std::string& unit) {
  check_optimisation_level(toolchain, opt_level);
  std::vector<std::string> args = toolchain.flags;
  args.push_back(opt_level);
  for (const auto& dir : include_dirs) args.push_back("-I" + dir.string());
  // __FILE__ becomes the bare file name: its string constant then has the
  // same size wherever the file was compiled, so sizes are reproducible.
  args.push_back("-fmacro-prefix-map=" + source.parent_path().string() + "/=");
  args.insert(args.end(), {"-c", source.string(), "-o", object.string()});
  const ProcessResult result = run_tool(toolchain, "gcc", toolchain.gcc, args);
  if (result.exit_code != 0)
    throw ToolchainError("compiling unit '" + unit + "' with " + toolchain.gcc + " " + opt_level +
                         " failed (exit " + std::to_string(result.exit_code) +
                         "):\n" +
                         first_lines(without_prefix(result.err, source.parent_path().string() + "/"),
                                     kStderrLinesShown));
}

void link_objects(const Toolchain& toolchain, const std::vector<std::filesystem::path>& objects,
                  const std::vector<std::string>& link_args, const std::filesystem::path& output,
                  const std::string& what) {
  std::vector<std::string> args = toolchain.flags;
  args.insert(args.end(), link_args.begin(), link_args.end());
  for (const auto& object : objects) args.push_back(object.string());
  args.insert(args.end(), {"-o", output.string()});
  const ProcessResult result = run_tool(toolchain, "gcc", toolchain.gcc, args);
  if (result.exit_code != 0)
    throw ToolchainError("linking " + what + " with " + toolchain.gcc + " failed (exit " +
                         std::to_string(result.exit_code) + "):\n" + first_lines(result.err, kStderrLinesShown));
}

std::string list_sections(const Toolchain& toolchain, const std::filesystem::path& object,
                          const std::string& unit) {
  const ProcessResult result = run_tool(toolchain, "size", toolchain.size, {"-A", "-d", object.string()});
  if (result.exit_code != 0)
    throw ToolchainError(toolchain.size + " failed on the object of unit '" + unit + "' (exit " +
                         std::to_string(result.exit_code) + "): " + first_lines(result.err, kStderrLinesShown));
  return result.out;
}

}  // namespace tinyskip::mcu
