#include "mcu_model/coefficients.h"

#include <filesystem>

#include "mcu_model/errors.h"
#include "mcu_model/json_reader.h"

namespace tinyskip::mcu {

const char* instruction_class_key(InstructionClass type) {
  switch (type) {
    case InstructionClass::kAlu: return "alu";
    case InstructionClass::kMac: return "mac";
    case InstructionClass::kLoad: return "load";
    case InstructionClass::kLoadPipelined: return "load_pipelined";
    case InstructionClass::kStore: return "store";
    case InstructionClass::kBranchTaken: return "branch_taken";
    case InstructionClass::kBranchNotTaken: return "branch_not_taken";
    case InstructionClass::kDivide: return "divide";
    case InstructionClass::kFpu: return "fpu";
    case InstructionClass::kFpuDivide: return "fpu_divide";
  }
  return "unknown";
}

int64_t CoefficientSet::library_bytes(const std::string& kernel) const {
  const auto found = library_code_bytes.find(kernel);
  if (found == library_code_bytes.end())
    throw EstimateError(file + ": no library_code_bytes entry for kernel '" + kernel + "'");
  return found->second;
}

namespace {

InstructionClass class_at(int index) { return static_cast<InstructionClass>(index); }

// Every table entry carries a one-line note saying where its value comes from.
void require_source(ObjectReader& entry) {
  if (entry.string("source").empty()) entry.fail("source", "must not be empty");
}

std::array<double, kInstructionClassCount> read_instruction_cycles(ObjectReader table) {
  std::array<double, kInstructionClassCount> cycles{};
  for (int i = 0; i < kInstructionClassCount; ++i) {
    ObjectReader entry = table.object(instruction_class_key(class_at(i)));
    cycles[static_cast<size_t>(i)] = entry.number("cycles", 0.0);
    require_source(entry);
    entry.finish();
  }
  table.finish();
  return cycles;
}

// Sum over the mix of count x class cycles, plus the lump extra_cycles.
SequenceCost read_sequence(ObjectReader entry,
                           const std::array<double, kInstructionClassCount>& class_cycles) {
  SequenceCost cost;
  for (int i = 0; i < kInstructionClassCount; ++i) {
    const char* key = instruction_class_key(class_at(i));
    if (entry.has(key)) cost.cycles += entry.number(key, 0.0) * class_cycles[static_cast<size_t>(i)];
  }
  cost.cycles += entry.optional_number("extra_cycles", 0.0).value_or(0.0);
  cost.code_bytes = entry.optional_number("code_bytes", 0.0).value_or(0.0);
  cost.literal_bytes = entry.optional_number("literal_bytes", 0.0).value_or(0.0);
  require_source(entry);
  entry.finish();
  return cost;
}

KernelSequences read_sequences(ObjectReader table,
                               const std::array<double, kInstructionClassCount>& class_cycles) {
  KernelSequences sequences;
#define TINYSKIP_MCU_READ_SEQUENCE(name) sequences.name = read_sequence(table.object(#name), class_cycles);
  TINYSKIP_MCU_SEQUENCES(TINYSKIP_MCU_READ_SEQUENCE)
#undef TINYSKIP_MCU_READ_SEQUENCE
  table.finish();
  return sequences;
}

std::map<std::string, int64_t> read_library_code_bytes(ObjectReader table) {
  std::map<std::string, int64_t> bytes;
  for (const char* kernel : library::kAll) {
    ObjectReader entry = table.object(kernel);
    bytes[kernel] = entry.integer("bytes", 0);
    require_source(entry);
    entry.finish();
  }
  table.finish();
  return bytes;
}

}  // namespace

CoefficientSet load_coefficients(const std::string& path) {
  const nlohmann::json root = read_json_file(path);
  ObjectReader reader(root, path, "");
  if (reader.has("extends")) {
    const std::filesystem::path base = std::filesystem::path(path).parent_path() / reader.string("extends");
    CoefficientSet set = load_coefficients(base.string());
    if (!set.calibration.empty()) reader.fail("extends", "must name an uncalibrated coefficient file");
    set.file = path;
    set.name = reader.string("name");
    reader.optional_string("description");
    set.calibration = read_calibration(reader.object("calibration"));
    reader.finish();
    return set;
  }
  CoefficientSet set;
  set.file = path;
  set.name = reader.string("name");
  reader.optional_string("description");
  set.instruction_cycles = read_instruction_cycles(reader.object("instruction_cycles"));
  set.sequences = read_sequences(reader.object("sequences"), set.instruction_cycles);
  set.library_code_bytes = read_library_code_bytes(reader.object("library_code_bytes"));
  reader.finish();
  return set;
}

}  // namespace tinyskip::mcu
