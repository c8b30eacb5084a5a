#include "mcu_model/timing_rules.h"

#include <algorithm>
#include <bit>
#include <utility>
#include <vector>

#include "mcu_model/json_reader.h"

namespace tinyskip::mcu {
namespace {

// JSON name of each class list under "instructions".
const std::vector<std::pair<std::string, TimingClass>>& class_names() {
  static const std::vector<std::pair<std::string, TimingClass>> names = {
      {"single", TimingClass::kSingle},
      {"it", TimingClass::kIt},
      {"divide", TimingClass::kDivide},
      {"load", TimingClass::kLoad},
      {"store", TimingClass::kStore},
      {"load_double", TimingClass::kLoadDouble},
      {"store_double", TimingClass::kStoreDouble},
      {"load_multiple", TimingClass::kLoadMultiple},
      {"store_multiple", TimingClass::kStoreMultiple},
      {"branch", TimingClass::kBranch},
      {"table_branch", TimingClass::kTableBranch},
      {"barrier", TimingClass::kBarrier},
      {"fpu_single", TimingClass::kFpuSingle},
      {"fpu_multiply_accumulate", TimingClass::kFpuMultiplyAccumulate},
      {"fpu_divide", TimingClass::kFpuDivide},
      {"fpu_load", TimingClass::kFpuLoad},
      {"fpu_store", TimingClass::kFpuStore},
      {"fpu_load_multiple", TimingClass::kFpuLoadMultiple},
      {"fpu_store_multiple", TimingClass::kFpuStoreMultiple},
  };
  return names;
}

int read_cycles(ObjectReader& cycles, const std::string& key) {
  ObjectReader entry = cycles.object(key);
  const int64_t value = entry.integer("cycles", 0);
  if (value > 64) entry.fail("cycles", "implausibly large: " + std::to_string(value));
  entry.string("source");
  entry.finish();
  return static_cast<int>(value);
}

int read_small(ObjectReader& reader, const std::string& key, int64_t min_value) {
  const int64_t value = reader.integer(key, min_value);
  if (value > 64) reader.fail(key, "implausibly large: " + std::to_string(value));
  return static_cast<int>(value);
}

}  // namespace

int TimingRules::divide_cycles(uint32_t dividend, uint32_t divisor) const {
  if (divisor == 0 || dividend < divisor) return divide_min_cycles;
  const int quotient_bits = std::bit_width(dividend) - std::bit_width(divisor) + 1;
  const int cycles = divide_min_cycles + (10 * quotient_bits + 31) / 32;
  return std::min(cycles, divide_max_cycles);
}

TimingRules load_timing_rules(const std::string& path) {
  const nlohmann::json root = read_json_file(path);
  ObjectReader reader(root, path, "");
  TimingRules rules;
  rules.file = path;
  reader.string("name");
  reader.string("description");

  ObjectReader cycles = reader.object("cycles");
  rules.single = read_cycles(cycles, "single");
  rules.it = read_cycles(cycles, "it");
  rules.skipped = read_cycles(cycles, "skipped");
  rules.load = read_cycles(cycles, "load");
  rules.load_pipelined = read_cycles(cycles, "load_pipelined");
  rules.store_immediate_offset = read_cycles(cycles, "store_immediate_offset");
  rules.store = read_cycles(cycles, "store");
  rules.load_store_double = read_cycles(cycles, "load_store_double");
  rules.load_store_multiple_base = read_cycles(cycles, "load_store_multiple_base");
  rules.fpu_single = read_cycles(cycles, "fpu_single");
  rules.fpu_move_pair = read_cycles(cycles, "fpu_move_pair");
  rules.fpu_multiply_accumulate = read_cycles(cycles, "fpu_multiply_accumulate");
  rules.fpu_divide = read_cycles(cycles, "fpu_divide");
  rules.fpu_load_store_single = read_cycles(cycles, "fpu_load_store_single");
  rules.fpu_load_store_double = read_cycles(cycles, "fpu_load_store_double");
  rules.fpu_load_store_multiple_base = read_cycles(cycles, "fpu_load_store_multiple_base");
  rules.table_branch_extra = read_cycles(cycles, "table_branch_extra");
  rules.barrier = read_cycles(cycles, "barrier");
  rules.address_dependency_stall = read_cycles(cycles, "address_dependency_stall");
  rules.unaligned_access_extra = read_cycles(cycles, "unaligned_access_extra");
  cycles.finish();

  ObjectReader refill = reader.object("pipeline_refill");
  rules.refill_immediate_target = read_small(refill, "immediate_target", 0);
  rules.refill_register_target = read_small(refill, "register_target", 0);
  rules.refill_loaded_target = read_small(refill, "loaded_target", 0);
  rules.refill_unaligned_wide_target_extra = read_small(refill, "unaligned_wide_target_extra", 0);
  refill.string("source");
  refill.finish();

  ObjectReader divide = reader.object("divide");
  rules.divide_min_cycles = read_small(divide, "min_cycles", 1);
  rules.divide_max_cycles = read_small(divide, "max_cycles", rules.divide_min_cycles);
  divide.string("source");
  divide.finish();

  ObjectReader instructions = reader.object("instructions");
  for (const auto& [key, timing_class] : class_names()) {
    for (const std::string& name : instructions.string_list(key)) {
      if (!rules.classes.emplace(name, timing_class).second)
        instructions.fail(key, "instruction '" + name + "' is listed in more than one class");
    }
  }
  instructions.finish();
  reader.finish();
  return rules;
}

}  // namespace tinyskip::mcu
