#include "engine/codegen/bare_metal.h"

#include <cctype>
#include <map>
#include <span>

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

// `bytes` holds `images` tensors of `c_type` values back to back.
void check_tensors(const std::string& field, const std::string& c_type, const std::string& bytes_field,
                   const std::vector<uint8_t>& bytes, int images) {
  if (c_type != "int8_t" && c_type != "float")
    throw CodegenError(fmt::format("bare-metal project: {} '{}' is not supported (int8_t or float)", field, c_type));
  if (bytes.empty()) throw CodegenError(fmt::format("bare-metal project: {} is empty", bytes_field));
  if (bytes.size() % (element_size(c_type) * static_cast<size_t>(images)) != 0)
    throw CodegenError(fmt::format("bare-metal project: {} has {} bytes, not a whole number of {} values for each "
                                   "of {} images",
                                   bytes_field, bytes.size(), c_type, images));
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
  if (spec.image_count < 1)
    throw CodegenError(fmt::format("bare-metal project: image_count = {} must be at least 1", spec.image_count));
  check_tensors("input type", spec.input_c_type, "input bytes", spec.input_bytes, spec.image_count);
  check_tensors("output type", spec.output_c_type, "expected output bytes", spec.expected_output_bytes,
                spec.image_count);
  check_memory_size("flash_bytes", spec.flash_bytes, kRamOrigin - kFlashOrigin);
  check_memory_size("ram_bytes", spec.ram_bytes, kPeripheralBase - kRamOrigin);
  if (spec.stack_bytes <= 0 || spec.stack_bytes % 8 != 0 || spec.stack_bytes >= spec.ram_bytes)
    throw CodegenError(fmt::format(
        "bare-metal project: stack_bytes = {} must be a positive multiple of 8 below ram_bytes = {}", spec.stack_bytes,
        spec.ram_bytes));
}

// The element values of `bytes`: int8 as signed decimals, float as their
// little-endian 32-bit patterns read as int32, so that either reproduces the
// bytes exactly (NaN payloads and -0 included) and compares bytewise.
std::vector<int32_t> element_values(const std::string& c_type, const std::vector<uint8_t>& bytes) {
  std::vector<int32_t> values;
  if (c_type == "float") {
    for (size_t i = 0; i + 3 < bytes.size(); i += 4)
      values.push_back(static_cast<int32_t>(static_cast<uint32_t>(bytes[i]) | (static_cast<uint32_t>(bytes[i + 1]) << 8) |
                                            (static_cast<uint32_t>(bytes[i + 2]) << 16) |
                                            (static_cast<uint32_t>(bytes[i + 3]) << 24)));
  } else {
    for (uint8_t byte : bytes) values.push_back(static_cast<int8_t>(byte));
  }
  return values;
}

// Short int8 literals fit more to a line than 32-bit patterns.
int values_per_line(const std::string& c_type) { return c_type == "float" ? 8 : 20; }

// `values` split into `rows` equal rows, each a braced initialiser of
// `format(row values)`.
template <class T, class Format>
std::string braced_rows(const std::vector<T>& values, int rows, Format format) {
  const size_t per_row = values.size() / static_cast<size_t>(rows);
  std::string out;
  for (size_t row = 0; row < static_cast<size_t>(rows); ++row)
    out += fmt::format("{}{{\n{}\n}}", row == 0 ? "" : ",\n",
                       format(std::span<const T>(values.data() + row * per_row, per_row)));
  return out;
}

// The input images as a palette of distinct values (in order of first
// appearance) and one palette index per value.
struct PalettedImages {
  std::vector<int32_t> palette;
  std::vector<uint8_t> indices;
};

PalettedImages palette_of(const std::vector<int32_t>& values) {
  PalettedImages images;
  std::map<int32_t, uint8_t> index_of;
  for (int32_t value : values) {
    auto found = index_of.find(value);
    if (found == index_of.end()) {
      if (images.palette.size() == 256)
        throw CodegenError("bare-metal project: the input images hold more than 256 distinct values");
      found = index_of.emplace(value, static_cast<uint8_t>(images.palette.size())).first;
      images.palette.push_back(value);
    }
    images.indices.push_back(found->second);
  }
  return images;
}

// The Makefile lines that build CMSIS-NN, or nothing.
std::string cmsis_nn_rules(const BareMetalSpec& spec, const std::filesystem::path& template_dir) {
  if (!spec.cmsis_nn) return "";
  const std::string name = std::string(kTemplateSubdir) + "/cmsis_nn.mk.in";
  std::string sources;
  for (const std::filesystem::path& source : cmsis_nn_library_sources(spec.cmsis_nn->root))
    sources += " \\\n    " + source.generic_string();
  return fill_code_template(read_code_template(template_dir, name),
                            {{"CMSIS_NN_ROOT", spec.cmsis_nn->root.string()},
                             {"CMSIS_CORE_INCLUDE", spec.cmsis_nn->core_include.string()},
                             {"CMSIS_NN_OPT", spec.cmsis_nn->opt_level.empty() ? "$(OPT)" : spec.cmsis_nn->opt_level},
                             {"CMSIS_NN_SOURCES", sources}},
                            name);
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
  const PalettedImages inputs = palette_of(element_values(spec.input_c_type, spec.input_bytes));
  const std::vector<int32_t> expected = element_values(spec.output_c_type, spec.expected_output_bytes);
  const std::map<std::string, std::string> values = {
      {"MODEL", spec.model_name},
      {"MODEL_UPPER", upper(spec.model_name)},
      {"BOARD", spec.board_name},
      {"INPUT_T", spec.input_c_type},
      {"OUTPUT_T", spec.output_c_type},
      {"INPUT_STORAGE_T", storage_type(spec.input_c_type)},
      {"OUTPUT_STORAGE_T", storage_type(spec.output_c_type)},
      {"IMAGE_COUNT", std::to_string(spec.image_count)},
      {"INPUT_COUNT", std::to_string(inputs.indices.size() / static_cast<size_t>(spec.image_count))},
      {"OUTPUT_COUNT", std::to_string(expected.size() / static_cast<size_t>(spec.image_count))},
      {"PALETTE_COUNT", std::to_string(inputs.palette.size())},
      {"PALETTE_VALUES", c_int32_initializer(inputs.palette, values_per_line(spec.input_c_type))},
      {"INPUT_INDICES", braced_rows(inputs.indices, spec.image_count,
                                    [](std::span<const uint8_t> row) { return c_uint8_initializer(row); })},
      {"EXPECTED_VALUES", braced_rows(expected, spec.image_count,
                                      [&](std::span<const int32_t> row) {
                                        return c_int32_initializer(row, values_per_line(spec.output_c_type));
                                      })},
      {"CMSIS_NN_RULES", cmsis_nn_rules(spec, template_dir)},
      {"LINKER_SCRIPT", linker_script},
      {"ELF_NAME", "model_" + spec.model_name + "_" + spec.board_name},
  };
  // (output file, template) pairs; every file is shared code (op_index -1).
  const std::vector<std::pair<std::string, std::string>> files = {
      {"main.c", "main.c.in"},
      {"startup_cortex_m4.c", "startup_cortex_m4.c.in"},
      {"Makefile", "Makefile.in"},
  };
  GeneratedFiles generated = {{std::string(kTemplateSubdir) + "/" + linker_script,
                               generate_linker_script(spec.board_name, spec.flash_bytes, spec.ram_bytes,
                                                      spec.stack_bytes, template_dir),
                               -1}};
  for (const auto& [output, template_file] : files) {
    const std::string template_name = std::string(kTemplateSubdir) + "/" + template_file;
    generated.push_back({std::string(kTemplateSubdir) + "/" + output,
                         fill_code_template(read_code_template(template_dir, template_name), values, template_name),
                         -1});
  }
  return generated;
}

std::string generate_linker_script(const std::string& board_name, int64_t flash_bytes, int64_t ram_bytes,
                                   int64_t stack_bytes, const std::filesystem::path& template_dir) {
  const std::string template_name = std::string(kTemplateSubdir) + "/linker.ld.in";
  return fill_code_template(read_code_template(template_dir, template_name),
                            {{"BOARD", board_name},
                             {"FLASH_BYTES", std::to_string(flash_bytes)},
                             {"RAM_BYTES", std::to_string(ram_bytes)},
                             {"STACK_BYTES", std::to_string(stack_bytes)}},
                            template_name);
}

}  // namespace tinyskip::engine
