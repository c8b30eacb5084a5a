// The coefficient set of the Cortex-M4 model, read from a JSON file (see
// configs/mcu/README.md). Nothing numeric about the core lives in code:
//  - instruction_cycles: cycles per instruction class (TRM timing table);
//  - sequences: named code sequences of the kernels (an inner-loop step, a
//    requantisation, a call), each an instruction mix (counts per class, may
//    be fractional for amortised loop control), optional extra cycles, and
//    for unpacked kernels the bytes of code and literal data they occupy;
//  - library_code_bytes: flash of each shared kernel function.
// The model code only knows how often each sequence runs, which follows
// from the kernel algorithms; a calibration replaces the data, not the code.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>

#include "mcu_model/calibration.h"

namespace tinyskip::mcu {

enum class InstructionClass {
  kAlu,
  kMac,
  kLoad,
  kLoadPipelined,
  kStore,
  kBranchTaken,
  kBranchNotTaken,
  kDivide,
  kFpu,
  kFpuDivide,
};
inline constexpr int kInstructionClassCount = 10;
const char* instruction_class_key(InstructionClass type);  // its JSON key, e.g. "load_pipelined"

// One occurrence of a sequence, resolved at load time from its mix.
struct SequenceCost {
  double cycles = 0;
  double code_bytes = 0;     // straight-line code bytes (unpacked kernels)
  double literal_bytes = 0;  // constant data emitted with that code
};

// Every sequence the kernels use; the member name is the JSON key. The
// sequence meanings are documented next to their values in the JSON file.
#define TINYSKIP_MCU_SEQUENCES(X)                                                              \
  X(function_call) X(op_invoke)                                                                \
  X(conv_pixel) X(im2col_tap) X(im2col_pad_tap) X(im2col_4_elements) X(im2col_1_element)       \
  X(fill_4_bytes)                                                                              \
  X(mm_call) X(mm_row_pair_setup) X(mm_2x2_step) X(mm_2x2_tail_k) X(mm_row_single_setup)       \
  X(mm_1x2_step) X(mm_1x2_tail_k) X(requant_output)                                            \
  X(odd_column_row_setup) X(odd_column_step) X(odd_column_tail_k)                              \
  X(nt_channel_pair_setup) X(nt_offset_k) X(nt_pixel_pair_setup) X(nt_2x2_step)                \
  X(nt_2x2_tail_k) X(nt_1x2_step) X(nt_1x2_tail_k)                                             \
  X(fc_call) X(fc_row_pair_setup) X(fc_2row_step) X(fc_2row_tail_k) X(fc_row_single_setup)     \
  X(fc_1row_step) X(fc_1row_tail_k)                                                            \
  X(dw_pixel) X(dw_channel_group_setup) X(dw_4ch_tap) X(dw_1ch_tap) X(dw_generic_mac)          \
  X(pool_pixel) X(pool_tap) X(maxpool_4ch) X(maxpool_1ch) X(maxpool_clamp_4ch)                 \
  X(avgpool_4ch_tap) X(avgpool_1ch_tap) X(avgpool_output)                                      \
  X(add_element) X(softmax_row) X(softmax_element) X(quantize_element) X(dequantize_element)   \
  X(copy_4_bytes)                                                                              \
  X(unpacked_call) X(unpacked_row_setup) X(unpacked_requant_output)                            \
  X(unpacked_operand_column_load) X(unpacked_constant_pair) X(unpacked_constant_single)        \
  X(unpacked_smlad) X(unpacked_mla)

struct KernelSequences {
#define TINYSKIP_MCU_DECLARE_SEQUENCE(name) SequenceCost name;
  TINYSKIP_MCU_SEQUENCES(TINYSKIP_MCU_DECLARE_SEQUENCE)
#undef TINYSKIP_MCU_DECLARE_SEQUENCE
};

// Keys of library_code_bytes: the shared kernel functions a layer links.
namespace library {
inline constexpr const char* kConvolve = "arm_convolve_s8";
inline constexpr const char* kConvolve1x1Fast = "arm_convolve_1x1_s8_fast";
inline constexpr const char* kDepthwiseOpt = "arm_depthwise_conv_s8_opt";
inline constexpr const char* kDepthwise = "arm_depthwise_conv_s8";
inline constexpr const char* kFullyConnected = "arm_fully_connected_s8";
inline constexpr const char* kMaxPool = "arm_max_pool_s8";
inline constexpr const char* kAvgPool = "arm_avgpool_s8";
inline constexpr const char* kAdd = "arm_elementwise_add_s8";
inline constexpr const char* kSoftmax = "arm_softmax_s8";
inline constexpr const char* kQuantize = "tflm_quantize";
inline constexpr const char* kDequantize = "tflm_dequantize";
inline constexpr const char* kReshape = "tflm_reshape";
inline constexpr const char* kUnpackedFcDriver = "unpacked_fc_driver";
inline constexpr std::array<const char*, 13> kAll = {
    kConvolve, kConvolve1x1Fast, kDepthwiseOpt, kDepthwise, kFullyConnected, kMaxPool, kAvgPool,
    kAdd,      kSoftmax,         kQuantize,     kDequantize, kReshape,      kUnpackedFcDriver};
}  // namespace library

struct CoefficientSet {
  std::string name;
  std::string file;  // where it was read from, for messages
  std::array<double, kInstructionClassCount> instruction_cycles{};
  KernelSequences sequences;
  std::map<std::string, int64_t> library_code_bytes;  // exactly the keys of library::kAll
  Calibration calibration;  // empty: the analytic sequence model prices every kernel

  int64_t library_bytes(const std::string& kernel) const;  // EstimateError for an unknown key
};

// Reads and checks a coefficient file: every instruction class, sequence and
// library kernel present, no unknown keys, counts >= 0, a "source" note on
// each entry. ProfileError naming the file and key otherwise. A per-board
// file instead names the shared file it "extends" (relative to itself) and
// adds its "calibration" (calibration.h); its name and file replace the base's.
CoefficientSet load_coefficients(const std::string& path);

}  // namespace tinyskip::mcu
