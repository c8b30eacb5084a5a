#include "mcu_model/thumb_decoder.h"

#include <capstone/capstone.h>

#include <cstdio>

namespace tinyskip::mcu {
namespace {

// Core register number 0..15 of a Capstone register, or -1 for any other
// (FPU, status) register.
int core_register(int reg) {
  if (reg >= ARM_REG_R0 && reg <= ARM_REG_R12) return reg - ARM_REG_R0;
  if (reg == ARM_REG_SP) return 13;
  if (reg == ARM_REG_LR) return 14;
  if (reg == ARM_REG_PC) return 15;
  return -1;
}

uint16_t register_bit(int reg) {
  const int number = core_register(reg);
  return number < 0 ? 0 : static_cast<uint16_t>(1u << number);
}

bool is_double_register(int reg) { return reg >= ARM_REG_D0 && reg <= ARM_REG_D31; }

std::string describe(const uint8_t* bytes, size_t available, uint32_t address) {
  char text[96];
  const unsigned first = bytes[0] | (bytes[1] << 8);
  const unsigned second = available >= 4 ? (bytes[2] | (bytes[3] << 8)) : 0;
  std::snprintf(text, sizeof text, "instruction at 0x%08X (halfwords %04X %04X)", address, first, second);
  return text;
}

constexpr uint16_t kPcBit = 1u << 15;

}  // namespace

struct ThumbDecoder::Capstone {
  csh handle = 0;
  cs_insn* instruction = nullptr;
  ~Capstone() {
    if (instruction != nullptr) cs_free(instruction, 1);
    if (handle != 0) cs_close(&handle);
  }
};

bool DecodedInstruction::is_memory_access() const {
  switch (timing_class) {
    case TimingClass::kLoad:
    case TimingClass::kStore:
    case TimingClass::kLoadDouble:
    case TimingClass::kStoreDouble:
    case TimingClass::kLoadMultiple:
    case TimingClass::kStoreMultiple:
    case TimingClass::kTableBranch:
    case TimingClass::kFpuLoad:
    case TimingClass::kFpuStore:
    case TimingClass::kFpuLoadMultiple:
    case TimingClass::kFpuStoreMultiple:
      return true;
    default:
      return false;
  }
}

ThumbDecoder::ThumbDecoder(const TimingRules& rules) : rules_(rules), capstone_(std::make_unique<Capstone>()) {
  if (cs_open(CS_ARCH_ARM, static_cast<cs_mode>(CS_MODE_THUMB | CS_MODE_MCLASS), &capstone_->handle) != CS_ERR_OK)
    throw TimingError("cannot open a Capstone Thumb (M-profile) disassembler");
  cs_option(capstone_->handle, CS_OPT_DETAIL, CS_OPT_ON);
  capstone_->instruction = cs_malloc(capstone_->handle);
}

ThumbDecoder::~ThumbDecoder() = default;

DecodedInstruction ThumbDecoder::decode(const uint8_t* bytes, size_t available, uint32_t address) const {
  if (available < 2) throw TimingError(std::string("no instruction bytes at the end of code memory"));
  const uint8_t* code = bytes;
  size_t size = available < 4 ? available : 4;
  uint64_t at = address;
  cs_insn* insn = capstone_->instruction;
  if (!cs_disasm_iter(capstone_->handle, &code, &size, &at, insn))
    throw TimingError(describe(bytes, available, address) + ": not a valid Thumb-2 instruction");

  DecodedInstruction decoded;
  decoded.address = address;
  decoded.size = static_cast<uint8_t>(insn->size);
  decoded.name = cs_insn_name(capstone_->handle, insn->id);
  const auto found = rules_.classes.find(decoded.name);
  if (found == rules_.classes.end())
    throw TimingError(describe(bytes, available, address) + ": '" + insn->mnemonic + " " + insn->op_str +
                      "' has no timing class in " + rules_.file);
  decoded.timing_class = found->second;

  const cs_arm& arm = insn->detail->arm;
  if (arm.cc != ARM_CC_INVALID && arm.cc != ARM_CC_AL) decoded.condition = static_cast<uint8_t>(arm.cc - ARM_CC_EQ);
  decoded.writeback = arm.writeback;

  cs_regs read_list, write_list;
  uint8_t read_count = 0, write_count = 0;
  if (cs_regs_access(capstone_->handle, insn, read_list, &read_count, write_list, &write_count) == CS_ERR_OK)
    for (int i = 0; i < write_count; ++i) decoded.written_registers |= register_bit(write_list[i]);

  const bool loads = decoded.timing_class == TimingClass::kLoad ||
                     decoded.timing_class == TimingClass::kLoadDouble ||
                     decoded.timing_class == TimingClass::kLoadMultiple;
  const bool multiple = decoded.timing_class == TimingClass::kLoadMultiple ||
                        decoded.timing_class == TimingClass::kStoreMultiple;
  const bool fpu_multiple = decoded.timing_class == TimingClass::kFpuLoadMultiple ||
                            decoded.timing_class == TimingClass::kFpuStoreMultiple;
  // LDM/STM name their base first; PUSH/POP/VPUSH/VPOP have only the list.
  const bool list_has_base = decoded.name.rfind("ldm", 0) == 0 || decoded.name.rfind("stm", 0) == 0 ||
                             decoded.name.rfind("vldm", 0) == 0 || decoded.name.rfind("vstm", 0) == 0;
  int core_operands = 0;
  for (int i = 0; i < arm.op_count; ++i) {
    const cs_arm_op& operand = arm.operands[i];
    if (operand.type == ARM_OP_MEM) {
      decoded.address_registers |= register_bit(operand.mem.base) | register_bit(operand.mem.index);
      decoded.register_offset = operand.mem.index != ARM_REG_INVALID;
      decoded.pc_relative = operand.mem.base == ARM_REG_PC;
      if (decoded.pc_relative) decoded.address_registers &= static_cast<uint16_t>(~kPcBit);
      continue;
    }
    if (operand.type != ARM_OP_REG) continue;
    if (core_register(operand.reg) >= 0) ++core_operands;
    const bool is_base = (multiple || fpu_multiple) && list_has_base && i == 0;
    if (is_base) {
      decoded.address_registers |= register_bit(operand.reg);
      continue;
    }
    if (multiple) ++decoded.transfer_count;
    if (fpu_multiple) decoded.transfer_count += is_double_register(operand.reg) ? 2 : 1;
    if (loads && (operand.access & CS_AC_WRITE) != 0) decoded.loaded_registers |= register_bit(operand.reg);
    if ((decoded.timing_class == TimingClass::kFpuLoad ||
         decoded.timing_class == TimingClass::kFpuStore) &&
        is_double_register(operand.reg))
      decoded.fpu_double = true;
  }
  // PUSH/POP name SP implicitly.
  if ((multiple || fpu_multiple) && !list_has_base) decoded.address_registers |= register_bit(ARM_REG_SP);
  if (decoded.name == "vmov" && core_operands >= 2) decoded.fpu_move_pair = true;

  // A load's register list may name the PC (POP {.., pc}); Capstone reports
  // it as written. Writes to the PC by data processing (MOV PC, ADD PC) are
  // register-target branches.
  if ((decoded.written_registers & kPcBit) != 0 || decoded.timing_class == TimingClass::kBranch ||
      decoded.timing_class == TimingClass::kTableBranch) {
    if (decoded.timing_class == TimingClass::kBranch)
      decoded.branch_target = (decoded.name == "bx" || decoded.name == "blx") ? BranchTarget::kRegister
                                                                              : BranchTarget::kImmediate;
    else if (loads || decoded.timing_class == TimingClass::kTableBranch)
      decoded.branch_target = BranchTarget::kLoaded;
    else
      decoded.branch_target = BranchTarget::kRegister;
    decoded.written_registers &= static_cast<uint16_t>(~kPcBit);
    decoded.loaded_registers &= static_cast<uint16_t>(~kPcBit);
  }
  // CBZ/CBNZ fall through when the register test fails: conditional, but
  // not on the flags. Any condition other than "always" means "may not be
  // taken"; they never sit in an IT block.
  if (decoded.name == "cbz" || decoded.name == "cbnz") decoded.condition = 0xFF;

  if (decoded.timing_class == TimingClass::kDivide) {
    // SDIV Rd, Rn, Rm (Capstone shows the two-operand form as Rd, Rm with Rd = Rn).
    const int last = arm.op_count - 1;
    decoded.divisor_register = static_cast<int8_t>(core_register(arm.operands[last].reg));
    decoded.dividend_register = static_cast<int8_t>(core_register(arm.operands[last - 1].reg));
    decoded.signed_divide = decoded.name == "sdiv";
  }
  if (decoded.timing_class == TimingClass::kIt) {
    const unsigned halfword = bytes[0] | (bytes[1] << 8);
    decoded.it_first_condition = static_cast<uint8_t>((halfword >> 4) & 0xF);
    decoded.it_mask = static_cast<uint8_t>(halfword & 0xF);
    // Capstone reports firstcond as the IT instruction's own condition; IT
    // itself always executes.
    decoded.condition = kConditionAlways;
  }
  return decoded;
}

void it_block_conditions(uint8_t first_condition, uint8_t mask, uint8_t conditions[4], int& count) {
  // ARMv7-M ITSTATE: instruction k > 1 runs under firstcond[3:1] followed by
  // mask bit (4 - k); the lowest set bit of the mask ends the block.
  count = 0;
  if (mask == 0) return;
  conditions[count++] = first_condition;
  const int trailing = __builtin_ctz(mask);
  for (int bit = 3; bit > trailing; --bit)
    conditions[count++] = static_cast<uint8_t>((first_condition & 0xE) | ((mask >> bit) & 1));
}

bool condition_passes(uint8_t condition, uint32_t apsr) {
  const bool n = (apsr >> 31) & 1, z = (apsr >> 30) & 1, c = (apsr >> 29) & 1, v = (apsr >> 28) & 1;
  bool result = true;
  switch (condition >> 1) {
    case 0: result = z; break;            // EQ / NE
    case 1: result = c; break;            // CS / CC
    case 2: result = n; break;            // MI / PL
    case 3: result = v; break;            // VS / VC
    case 4: result = c && !z; break;      // HI / LS
    case 5: result = n == v; break;       // GE / LT
    case 6: result = !z && n == v; break; // GT / LE
    default: return true;                 // AL
  }
  return (condition & 1) != 0 ? !result : result;
}

}  // namespace tinyskip::mcu
