#include "engine/measure/timed_program.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "engine/codegen/bare_metal.h"
#include "engine/codegen/codegen_error.h"
#include "engine/codegen/model_source.h"
#include "engine/config/tinyskip_paths.h"
#include "engine/results/atomic_file.h"
#include "mcu_model/arm_emulator.h"
#include "mcu_model/subprocess.h"

namespace tinyskip::engine {
namespace {

namespace fs = std::filesystem;

// Each inference's ops: the marks from the image's entry of invoke up to the
// next entry (the check program runs the images back to back); the last op
// ends where the image's DWT count says the inference does.
void split_by_op(const mcu::CortexM4Timing& timing, uint32_t invoke_address,
                 const std::vector<std::pair<uint32_t, const ProgramOp*>>& op_entries, const std::string& source,
                 std::vector<InferenceTiming>& images) {
  const std::vector<mcu::TimingMark>& marks = timing.marks();
  size_t begin = 0;
  for (InferenceTiming& image : images) {
    while (begin < marks.size() && marks[begin].address != invoke_address) ++begin;
    if (begin == marks.size())
      throw CodegenError(source + ": the check program called the model fewer times than it has images");
    const uint64_t inference_end = marks[begin].cycle + image.cycles;
    size_t i = begin + 1;
    for (; i < marks.size() && marks[i].address != invoke_address; ++i) {
      const auto entry = std::find_if(op_entries.begin(), op_entries.end(),
                                      [&](const auto& op) { return op.first == marks[i].address; });
      if (entry == op_entries.end()) continue;
      const uint64_t next = i + 1 < marks.size() && marks[i + 1].address != invoke_address ? marks[i + 1].cycle
                                                                                           : inference_end;
      image.ops.push_back({entry->second->op_index, entry->second->op, entry->second->kernel,
                           next > marks[i].cycle ? next - marks[i].cycle : 0});
    }
    begin = i;
  }
}

// DWT cycles of every image's inference, as the check program left them.
std::vector<InferenceTiming> image_cycles(const mcu::ArmEmulator& emulator, const mcu::Elf32Image& image) {
  const auto per_image = image.symbols.find("tinyskip_image_cycles");
  if (per_image == image.symbols.end()) return {InferenceTiming{emulator.read_u32("tinyskip_cycles"), {}}};
  const auto count = static_cast<uint32_t>(emulator.read_i32("tinyskip_images"));
  if (count == 0 || count * 4 > per_image->second.size)
    throw CodegenError(fmt::format("{}: tinyskip_images is {} for {} B of tinyskip_image_cycles", image.source, count,
                                   per_image->second.size));
  const std::vector<uint8_t> bytes = emulator.read_memory(per_image->second.address, count * 4);
  std::vector<InferenceTiming> images(count);
  for (uint32_t i = 0; i < count; ++i)
    for (int byte = 0; byte < 4; ++byte) images[i].cycles |= uint64_t{bytes[i * 4 + byte]} << (8 * byte);
  return images;
}

}  // namespace

std::optional<fs::path> build_check_program(const fs::path& dir, const std::string& model_name,
                                            const std::string& opt_level, const mcu::BoardProfile& board) {
  const fs::path build = fs::absolute(dir / "cortex_m4" / ("build" + opt_level));  // make -C changes directory
  fs::create_directories(build);
  const fs::path linker_script = build / (board.name + ".ld");
  write_file_atomically(linker_script, generate_linker_script(board.name, board.flash_bytes, board.sram_bytes,
                                                              BareMetalSpec{}.stack_bytes, default_template_dir()));
  const fs::path elf = build / ("model_" + model_name + "_on_" + board.name + ".elf");
  const unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  const mcu::ProcessResult make = mcu::run_process(
      {"make", "-s", "-C", (dir / "cortex_m4").string(), "OPT=" + opt_level, "BUILD=" + build.string(),
       "LINKER_SCRIPT=" + linker_script.string(), "ELF=" + elf.string(),
       "MAP=" + fs::path(elf).replace_extension(".map").string(), "-j" + std::to_string(jobs)});
  if (!make.started) throw CodegenError("cannot run make to build " + dir.string() + ": " + make.start_error);
  if (make.exit_code != 0) {
    if (make.err.find("overflowed") != std::string::npos) return std::nullopt;
    const std::string log = make.err.size() > 4000 ? "..." + make.err.substr(make.err.size() - 4000) : make.err;
    throw CodegenError(fmt::format("building the check program in {} at {} for {} failed (make exit {}):\n{}",
                                   dir.string(), opt_level, board.name, make.exit_code, log));
  }
  return elf;
}

BoardTiming time_check_program(const mcu::Elf32Image& image, const mcu::BoardProfile& board,
                               const std::string& model_name, const std::vector<ProgramOp>& ops,
                               uint64_t instruction_limit) {
  mcu::ArmEmulator emulator(image, mcu::emulated_memory(board));
  mcu::CortexM4Timing timing(board);
  const uint32_t invoke = image.symbol("model_" + model_name + "_invoke").address & ~1u;
  timing.mark(invoke);
  std::vector<std::pair<uint32_t, const ProgramOp*>> op_entries;
  for (const ProgramOp& op : ops) {
    const uint32_t address = image.symbol(op_function_name(model_name, op.op_index)).address & ~1u;
    timing.mark(address);
    op_entries.emplace_back(address, &op);
  }
  const auto start = std::chrono::steady_clock::now();
  const mcu::EmulatorRun run = emulator.run_from_reset("tinyskip_done", instruction_limit, &timing);
  BoardTiming result;
  result.emulation_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!run.reached_stop)
    throw mcu::EmulatorError(fmt::format("{}: did not reach tinyskip_done within {} instructions", image.source,
                                         run.instructions));
  result.board = board.name;
  result.clock_hz = board.clock_hz;
  result.fits = true;
  result.instructions = run.instructions;
  result.output_matches = emulator.read_i32("tinyskip_result") == 0;
  result.images = image_cycles(emulator, image);
  split_by_op(timing, invoke, op_entries, image.source, result.images);
  result.cycles = result.images.front().cycles;
  result.milliseconds = board.milliseconds(static_cast<double>(result.cycles));
  result.ops = result.images.front().ops;
  result.timing = timing.statistics();
  result.flash = timing.flash_statistics();
  return result;
}

}  // namespace tinyskip::engine
