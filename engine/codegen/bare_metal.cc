#include "engine/codegen/bare_metal.h"

#include <cctype>
#include <map>

#include <fmt/format.h>

#include "engine/codegen/c_literals.h"
#include "engine/codegen/code_template.h"
#include "engine/codegen/codegen_error.h"

namespace tinyskip::engine {
namespace {

constexpr const char* kTemplateSubdir = "cortex_m4";
// Flash and SRAM start addresses of the STM32F4 family the linker script
// assumes; the sizes must keep both regions below the next one.
constexpr int64_t kFlashOrigin = 0x08000000;
constexpr int64_t kRamOrigin = 0x20000000;
constexpr int64_t kPeripheralBase = 0x40000000;

size_t element_size(const std::string& c_type) { return c_type == "float" ? 4 : 1; }

void check_tensor(const std::string& field, const std::string& c_type, const std::string& bytes_field,
                  const std::vector<uint8_t>& bytes) {
  if (c_type != "int8_t" && c_type != "float")
    throw CodegenError(fmt::format("bare-metal project: {} '{}' is not supported (int8_t or float)", field, c_type));
  if (bytes.empty()) throw CodegenError(fmt::format("bare-metal project: {} is empty", bytes_field));
  if (bytes.size() % element_size(c_type) != 0)
    throw CodegenError(fmt::format("bare-metal project: {} has {} bytes, not a whole number of {} values", bytes_field,
                                   bytes.size(), c_type));
}

void check_memory_size(const std::string& field, int64_t bytes, int64_t limit) {
  if (bytes <= 0 || bytes % 4 != 0 || bytes > limit)
    throw CodegenError(fmt::format(
        "bare-metal project: {} = {} must be a positive multiple of 4 of at most {} bytes", field, bytes, limit));
}

void check_spec(const BareMetalSpec& spec) {
  check_c_identifier(spec.model_name, "bare-metal project: model name");
  // The board name becomes part of file names and sits in C comments.
  bool board_ok = !spec.board_name.empty();
  for (char ch : spec.board_name)
    board_ok = board_ok && (std::isalnum(static_cast<unsigned char>(ch)) != 0 || ch == '_' || ch == '-');
  if (!board_ok)
    throw CodegenError("bare-metal project: board name '" + spec.board_name +
                       "' must be non-empty letters, digits, '_' or '-'");
  check_tensor("input type", spec.input_c_type, "input bytes", spec.input_bytes);
  check_tensor("output type", spec.output_c_type, "expected output bytes", spec.expected_output_bytes);
  check_memory_size("flash_bytes", spec.flash_bytes, kRamOrigin - kFlashOrigin);
  check_memory_size("ram_bytes", spec.ram_bytes, kPeripheralBase - kRamOrigin);
  if (spec.stack_bytes <= 0 || spec.stack_bytes % 8 != 0 || spec.stack_bytes >= spec.ram_bytes)
    throw CodegenError(fmt::format(
        "bare-metal project: stack_bytes = {} must be a positive multiple of 8 below ram_bytes = {}", spec.stack_bytes,
        spec.ram_bytes));
}

// The C initialiser of one tensor's bytes: int8 as signed decimals, float as
// its little-endian 32-bit patterns read as int32, so both reproduce the bytes
// exactly (NaN payloads and -0 included) and compare bytewise.
std::string c_values(const std::string& c_type, const std::vector<uint8_t>& bytes) {
  if (c_type == "float") {
    std::vector<int32_t> bits(bytes.size() / 4);
    for (size_t i = 0; i < bits.size(); ++i)
      bits[i] = static_cast<int32_t>(static_cast<uint32_t>(bytes[4 * i]) |
                                     (static_cast<uint32_t>(bytes[4 * i + 1]) << 8) |
                                     (static_cast<uint32_t>(bytes[4 * i + 2]) << 16) |
                                     (static_cast<uint32_t>(bytes[4 * i + 3]) << 24));
    return c_int32_initializer(bits);
  }
  std::vector<int8_t> values(bytes.size());
  for (size_t i = 0; i < bytes.size(); ++i) values[i] = static_cast<int8_t>(bytes[i]);
  return c_int8_initializer(values);
}

std::string storage_type(const std::string& c_type) { return c_type == "float" ? "int32_t" : "int8_t"; }

std::string upper(std::string text) {
  for (char& ch : text) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return text;
}

}  // namespace

GeneratedFiles generate_bare_metal_project(const BareMetalSpec& spec, const std::filesystem::path& template_dir) {
  check_spec(spec);
  const std::string linker_script = spec.board_name + ".ld";
  const std::map<std::string, std::string> values = {
      {"MODEL", spec.model_name},
      {"MODEL_UPPER", upper(spec.model_name)},
      {"BOARD", spec.board_name},
      {"INPUT_T", spec.input_c_type},
      {"OUTPUT_T", spec.output_c_type},
      {"INPUT_IS_FLOAT", spec.input_c_type == "float" ? "1" : "0"},
      {"INPUT_STORAGE_T", storage_type(spec.input_c_type)},
      {"OUTPUT_STORAGE_T", storage_type(spec.output_c_type)},
      {"INPUT_COUNT", std::to_string(spec.input_bytes.size() / element_size(spec.input_c_type))},
      {"OUTPUT_COUNT", std::to_string(spec.expected_output_bytes.size() / element_size(spec.output_c_type))},
      {"INPUT_VALUES", c_values(spec.input_c_type, spec.input_bytes)},
      {"EXPECTED_VALUES", c_values(spec.output_c_type, spec.expected_output_bytes)},
      {"FLASH_BYTES", std::to_string(spec.flash_bytes)},
      {"RAM_BYTES", std::to_string(spec.ram_bytes)},
      {"STACK_BYTES", std::to_string(spec.stack_bytes)},
      {"LINKER_SCRIPT", linker_script},
      {"ELF_NAME", "model_" + spec.model_name + "_" + spec.board_name},
  };
  // (output file, template) pairs; every file is shared code (op_index -1).
  const std::vector<std::pair<std::string, std::string>> files = {
      {"main.c", "main.c.in"},
      {"startup_cortex_m4.c", "startup_cortex_m4.c.in"},
      {linker_script, "linker.ld.in"},
      {"Makefile", "Makefile.in"},
  };
  GeneratedFiles generated;
  for (const auto& [output, template_file] : files) {
    const std::string template_name = std::string(kTemplateSubdir) + "/" + template_file;
    generated.push_back({std::string(kTemplateSubdir) + "/" + output,
                         fill_code_template(read_code_template(template_dir, template_name), values, template_name),
                         -1});
  }
  return generated;
}

}  // namespace tinyskip::engine
