#include "mcu_model/arm_emulator.h"

#include <unicorn/unicorn.h>

#include "mcu_model/board_profile.h"

#include <cstdio>
#include <cstring>
#include <exception>

namespace tinyskip::mcu {
namespace {

// Cortex-M system control space (SCB, DWT, NVIC, ...): mapped as plain memory.
constexpr uint32_t kSystemSpace = 0xE0000000u;
constexpr uint32_t kSystemSpaceBytes = 0x00100000u;
constexpr uint32_t kDwtCycleCounter = 0xE0001004u;
constexpr uint32_t kPageBytes = 0x1000u;  // Unicorn maps whole 4 KiB pages

void check(uc_err error, const std::string& what) {
  if (error != UC_ERR_OK) throw EmulatorError(what + ": " + uc_strerror(error));
}

uint32_t round_up_to_page(uint32_t bytes) { return (bytes + kPageBytes - 1) / kPageBytes * kPageBytes; }

bool inside(const MemoryRegion& region, uint32_t address, uint64_t size) {
  return address >= region.origin && address - region.origin + size <= region.bytes;
}

std::string hex(uint64_t value) {
  char text[32];
  std::snprintf(text, sizeof text, "0x%08llX", static_cast<unsigned long long>(value));
  return text;
}

}  // namespace

// The registers of the running engine, for an observer.
class UnicornCpuState : public CpuState {
 public:
  explicit UnicornCpuState(uc_engine* uc) : uc_(uc) {}
  uint32_t core_register(int number) const override {
    static constexpr int kRegisters[16] = {
        UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2,  UC_ARM_REG_R3,  UC_ARM_REG_R4,  UC_ARM_REG_R5,
        UC_ARM_REG_R6, UC_ARM_REG_R7, UC_ARM_REG_R8,  UC_ARM_REG_R9,  UC_ARM_REG_R10, UC_ARM_REG_R11,
        UC_ARM_REG_R12, UC_ARM_REG_SP, UC_ARM_REG_LR, UC_ARM_REG_PC};
    uint32_t value = 0;
    uc_reg_read(uc_, kRegisters[number & 15], &value);
    return value;
  }
  uint32_t apsr() const override {
    uint32_t value = 0;
    uc_reg_read(uc_, UC_ARM_REG_APSR, &value);
    return value;
  }
  bool read_memory(uint32_t address, uint8_t* out, uint32_t bytes) const override {
    return uc_mem_read(uc_, address, out, bytes) == UC_ERR_OK;
  }

 private:
  uc_engine* uc_;
};

struct ArmEmulator::Engine {
  uc_engine* uc = nullptr;
  uc_hook code_hook = 0, cycle_hook = 0;
  uint64_t instructions = 0;
  int runs = 0;
  ExecutionObserver* observer = nullptr;
  std::unique_ptr<UnicornCpuState> cpu;
  // An observer's exception must not unwind through Unicorn's C frames: it
  // is kept here, the run stopped, and rethrown after uc_emu_start returns.
  std::exception_ptr observer_failure;

  template <typename Call>
  void observe(uc_engine* uc, Call call) {
    if (observer == nullptr || observer_failure) return;
    try {
      call(*observer);
    } catch (...) {
      observer_failure = std::current_exception();
      uc_emu_stop(uc);
    }
  }

  ~Engine() {
    if (uc != nullptr) uc_close(uc);
  }

  static void on_instruction(uc_engine* uc, uint64_t address, uint32_t size, void* user) {
    auto* engine = static_cast<Engine*>(user);
    ++engine->instructions;
    engine->observe(uc, [&](ExecutionObserver& observer) {
      observer.on_instruction(static_cast<uint32_t>(address), size, *engine->cpu);
    });
  }
  static void on_access(uc_engine* uc, uc_mem_type type, uint64_t address, int size, int64_t, void* user) {
    static_cast<Engine*>(user)->observe(uc, [&](ExecutionObserver& observer) {
      observer.on_memory_access(static_cast<uint32_t>(address), static_cast<uint32_t>(size), type == UC_MEM_WRITE);
    });
  }
  // Called before the load executes: the register then holds the observer's
  // cycle count, or the instruction count.
  static void read_cycle_counter(uc_engine* uc, uc_mem_type, uint64_t, int, int64_t, void* user) {
    auto* engine = static_cast<Engine*>(user);
    const auto count = engine->observer != nullptr ? engine->observer->cycle_counter()
                                                   : static_cast<uint32_t>(engine->instructions);
    uint8_t bytes[4] = {static_cast<uint8_t>(count), static_cast<uint8_t>(count >> 8),
                        static_cast<uint8_t>(count >> 16), static_cast<uint8_t>(count >> 24)};
    uc_mem_write(uc, kDwtCycleCounter, bytes, sizeof bytes);
  }
};

EmulatedMemory emulated_memory(const BoardProfile& board) {
  EmulatedMemory memory;
  memory.flash = {"flash", static_cast<uint32_t>(board.flash_origin), static_cast<uint32_t>(board.flash_bytes)};
  memory.ram = {"RAM", static_cast<uint32_t>(board.sram_origin), static_cast<uint32_t>(board.sram_bytes)};
  return memory;
}

ArmEmulator::ArmEmulator(Elf32Image image, const EmulatedMemory& memory)
    : image_(std::move(image)), memory_(memory), engine_(std::make_unique<Engine>()) {
  check(uc_open(UC_ARCH_ARM, static_cast<uc_mode>(UC_MODE_THUMB | UC_MODE_MCLASS), &engine_->uc),
        "cannot open a Unicorn ARM M-class engine");
  check(uc_ctl_set_cpu_model(engine_->uc, UC_CPU_ARM_CORTEX_M4), "cannot select the Cortex-M4 CPU model");
  for (const MemoryRegion* region : {&memory_.flash, &memory_.ram}) {
    if (region->bytes == 0 || region->origin % kPageBytes != 0)
      throw EmulatorError(region->name + " at " + hex(region->origin) + " must be non-empty and 4 KiB aligned");
    check(uc_mem_map(engine_->uc, region->origin, round_up_to_page(region->bytes), UC_PROT_ALL),
          "cannot map " + region->name + " at " + hex(region->origin));
  }
  check(uc_mem_map(engine_->uc, kSystemSpace, kSystemSpaceBytes, UC_PROT_READ | UC_PROT_WRITE),
        "cannot map the system control space");

  for (const ElfSegment& segment : image_.segments) {
    if (!inside(memory_.flash, segment.load_address, segment.bytes.size()) &&
        !inside(memory_.ram, segment.load_address, segment.bytes.size()))
      throw EmulatorError(image_.source + ": segment at " + hex(segment.load_address) + " (" +
                          std::to_string(segment.bytes.size()) + " bytes) lies outside " + memory_.flash.name +
                          " and " + memory_.ram.name);
    check(uc_mem_write(engine_->uc, segment.load_address, segment.bytes.data(), segment.bytes.size()),
          "cannot load the segment at " + hex(segment.load_address));
  }

  engine_->cpu = std::make_unique<UnicornCpuState>(engine_->uc);
  check(uc_hook_add(engine_->uc, &engine_->code_hook, UC_HOOK_CODE,
                    reinterpret_cast<void*>(&Engine::on_instruction), engine_.get(), 1, 0),
        "cannot add the instruction hook");
  check(uc_hook_add(engine_->uc, &engine_->cycle_hook, UC_HOOK_MEM_READ,
                    reinterpret_cast<void*>(&Engine::read_cycle_counter), engine_.get(), kDwtCycleCounter,
                    kDwtCycleCounter + 3),
        "cannot add the cycle counter");
}

ArmEmulator::~ArmEmulator() = default;

EmulatorRun ArmEmulator::run_from_reset(const std::string& stop_symbol, uint64_t instruction_limit,
                                        ExecutionObserver* observer) {
  const ElfSymbol& stop = image_.symbol(stop_symbol);
  if (!stop.is_function) throw EmulatorError(image_.source + ": stop symbol '" + stop_symbol + "' is not a function");
  const std::vector<uint8_t> vectors = read_memory(memory_.flash.origin, 8);
  uint32_t initial_sp = 0, reset = 0;
  std::memcpy(&initial_sp, vectors.data(), 4);  // the host is little-endian like the target
  std::memcpy(&reset, vectors.data() + 4, 4);
  if ((reset & 1u) == 0)
    throw EmulatorError(image_.source + ": reset vector " + hex(reset) + " lacks the Thumb bit");
  if (!inside(memory_.flash, reset & ~1u, 2))
    throw EmulatorError(image_.source + ": reset vector " + hex(reset) + " does not point into " + memory_.flash.name);

  engine_->instructions = 0;
  check(uc_reg_write(engine_->uc, UC_ARM_REG_SP, &initial_sp), "cannot set SP");
  // Memory hooks only while observed: they cost every access a call.
  std::vector<uc_hook> access_hooks;
  engine_->observer = observer;
  engine_->observer_failure = nullptr;
  if (observer != nullptr) {
    for (const MemoryRegion* region : {&memory_.flash, &memory_.ram}) {
      uc_hook hook = 0;
      check(uc_hook_add(engine_->uc, &hook, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE,
                        reinterpret_cast<void*>(&Engine::on_access), engine_.get(), region->origin,
                        uint64_t{region->origin} + region->bytes - 1),
            "cannot add the memory-access hook for " + region->name);
      access_hooks.push_back(hook);
    }
  }
  // Code translated in an earlier run lacks the hooks added now (flushing
  // resets all of Unicorn's code buffer, which costs a second: only then).
  if (engine_->runs++ > 0) check(uc_ctl_flush_tlb(engine_->uc), "cannot flush the translated code");
  const uc_err error = uc_emu_start(engine_->uc, reset, stop.address, 0, instruction_limit);
  for (uc_hook hook : access_hooks) uc_hook_del(engine_->uc, hook);
  EmulatorRun run;
  run.instructions = engine_->instructions;
  check(uc_reg_read(engine_->uc, UC_ARM_REG_PC, &run.pc), "cannot read PC");
  engine_->observer = nullptr;
  if (engine_->observer_failure) std::rethrow_exception(engine_->observer_failure);
  if (observer != nullptr) observer->on_run_end(run.pc);
  if (error != UC_ERR_OK)
    throw EmulatorError(image_.source + ": emulation stopped at PC " + hex(run.pc) + " after " +
                        std::to_string(run.instructions) + " instructions: " + uc_strerror(error));
  run.reached_stop = run.pc == stop.address;
  return run;
}

std::vector<uint8_t> ArmEmulator::read_memory(uint32_t address, uint32_t size) const {
  std::vector<uint8_t> bytes(size);
  check(uc_mem_read(engine_->uc, address, bytes.data(), size),
        "cannot read " + std::to_string(size) + " bytes at " + hex(address));
  return bytes;
}

uint32_t ArmEmulator::read_u32(const std::string& symbol) const {
  const ElfSymbol& global = image_.symbol(symbol);
  if (global.size < 4)
    throw EmulatorError(image_.source + ": symbol '" + symbol + "' has " + std::to_string(global.size) +
                        " bytes, not a 32-bit value");
  const std::vector<uint8_t> bytes = read_memory(global.address, 4);
  return static_cast<uint32_t>(bytes[0]) | (static_cast<uint32_t>(bytes[1]) << 8) |
         (static_cast<uint32_t>(bytes[2]) << 16) | (static_cast<uint32_t>(bytes[3]) << 24);
}

}  // namespace tinyskip::mcu
