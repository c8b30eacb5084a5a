// The portable C99 runtime kernels (engine/runtime/*.c) must be byte-identical
// to the simulator's kernels (sim/kernels/), which are themselves checked
// against TFLM elsewhere. At test time the runtime sources plus a small C
// driver (runtime_kernels_driver.c) are compiled with the host C compiler;
// random cases (shapes, strides, dilation, padding, zero points, multipliers
// including extreme shifts, ties and non-finite floats) are written to a file,
// run through the driver, and every output byte / float bit pattern is
// compared with the sim kernel given the same parameters. Inconsistent shapes
// must make the sim throw and the runtime return TS_ERROR_ARGUMENT.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "sim/kernels/add_s8.h"
#include "tests/required_tool.h"
#include "sim/kernels/avg_pool_s8.h"
#include "sim/kernels/conv_s8.h"
#include "sim/kernels/depthwise_conv_s8.h"
#include "sim/kernels/dequantize_s8_f32.h"
#include "sim/kernels/fully_connected_s8.h"
#include "sim/kernels/kernel_check.h"
#include "sim/kernels/max_pool_s8.h"
#include "sim/kernels/op_params.h"
#include "sim/kernels/quantize_f32_s8.h"
#include "sim/kernels/softmax_s8.h"

namespace fs = std::filesystem;
using namespace tinyskip::sim;

namespace {

const fs::path kRuntimeDir = fs::path(TINYSKIP_SOURCE_DIR) / "engine" / "runtime";
const char* const kHostFlags = "-std=c99 -O2 -Wall -Wextra -Werror -pedantic";
const char* const kArmFlags =
    "-std=c99 -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -Wall -Wextra -Werror -pedantic";

std::vector<fs::path> runtime_c_files() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kRuntimeDir)) {
    if (entry.path().extension() == ".c") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// A path as one single-quoted shell word (built with += : GCC 12 reports a
// false -Wrestrict on "literal" + std::string temporaries).
std::string quoted(const fs::path& path) {
  std::string word = "'";
  word += path.string();
  word += "'";
  return word;
}

std::string join_quoted(const std::vector<fs::path>& files) {
  std::string joined;
  for (const fs::path& f : files) {
    joined += ' ';
    joined += quoted(f);
  }
  return joined;
}

// A per-process temporary directory, removed when the test process exits.
fs::path scratch_dir() {
  struct Dir {
    fs::path path = fs::temp_directory_path() / ("tinyskip_runtime_test_" + std::to_string(getpid()));
    Dir() { fs::create_directories(path); }
    ~Dir() {
      std::error_code ignored;
      fs::remove_all(path, ignored);
    }
  };
  static const Dir dir;
  return dir.path;
}

std::string host_cc() {
  const char* cc = std::getenv("CC");
  return cc != nullptr && *cc != '\0' ? cc : "cc";
}

// Compiles the runtime + driver once per process; the path of the executable.
const fs::path& driver_executable() {
  static const fs::path exe = [] {
    const fs::path out = scratch_dir() / "runtime_driver";
    const fs::path driver = fs::path(TINYSKIP_SOURCE_DIR) / "tests/engine/runtime_kernels_driver.c";
    const fs::path log_path = out.string() + ".log";
    std::string command = host_cc();
    command += ' ';
    command += kHostFlags;
    command += " -I" + quoted(TINYSKIP_SOURCE_DIR) + ' ' + quoted(driver);
    command += join_quoted(runtime_c_files());
    command += " -lm -o " + quoted(out) + " 2> " + quoted(log_path);
    if (std::system(command.c_str()) != 0) {
      std::ifstream log(log_path);
      std::stringstream text;
      text << log.rdbuf();
      FAIL("host compile of the runtime failed: " << command << "\n" << text.str());
    }
    return out;
  }();
  return exe;
}

// One driver output line: status then values (int8 as decimal, floats as hex bits).
struct DriverResult {
  int status = -1;
  std::vector<int64_t> values;
};

// Writes cases in the driver's token format and keeps the expected results.
class CaseWriter {
 public:
  std::ostringstream text;
  std::vector<DriverResult> expected;
  std::vector<std::string> names;

  template <typename T>
  void values(const std::vector<T>& v) {
    for (const T& x : v) text << ' ' << static_cast<int64_t>(x);
  }
  void dims(const Shape4& s) { text << ' ' << s.n << ' ' << s.h << ' ' << s.w << ' ' << s.c; }
  void activation(const ActivationRange& a) { text << ' ' << a.min << ' ' << a.max; }
  void expect_s8(const std::string& name, const std::optional<std::vector<int8_t>>& out) {
    DriverResult r;
    r.status = out ? 0 : 1;
    if (out) r.values.assign(out->begin(), out->end());
    expected.push_back(r);
    names.push_back(name);
    text << '\n';
  }
};

std::vector<DriverResult> run_driver(const CaseWriter& cases) {
  const fs::path dir = scratch_dir();
  const fs::path in = dir / "cases.txt", out = dir / "results.txt";
  std::ofstream(in) << cases.text.str();
  std::string command = quoted(driver_executable());
  command += " < " + quoted(in);
  command += " > " + quoted(out);
  REQUIRE(std::system(command.c_str()) == 0);
  std::vector<DriverResult> results;
  std::ifstream file(out);
  std::string line;
  while (std::getline(file, line)) {
    std::istringstream tokens(line);
    DriverResult r;
    tokens >> r.status;
    std::string token;
    while (tokens >> token) r.values.push_back(std::stoll(token, nullptr, 0));
    results.push_back(r);
  }
  return results;
}

void check_all(const CaseWriter& cases) {
  const std::vector<DriverResult> results = run_driver(cases);
  REQUIRE(results.size() == cases.expected.size());
  for (size_t i = 0; i < results.size(); ++i) {
    INFO("case " << i << ": " << cases.names[i]);
    REQUIRE(results[i].status == cases.expected[i].status);
    REQUIRE(results[i].values == cases.expected[i].values);
  }
}

// ---- random parameter generators ----

using Rng = std::mt19937;

int uniform(Rng& rng, int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }

std::vector<int8_t> random_s8(Rng& rng, int64_t n) {
  std::vector<int8_t> v(static_cast<size_t>(n));
  for (auto& x : v) x = static_cast<int8_t>(uniform(rng, -128, 127));
  return v;
}

// Q0.31 multipliers in [2^30, 2^31) (edges included, sometimes 0) and shifts
// mostly realistic, sometimes at the extremes -31 / +31.
void random_requant(Rng& rng, int channels, ChannelRequant* q) {
  q->multiplier.clear();
  q->shift.clear();
  for (int c = 0; c < channels; ++c) {
    const int kind = uniform(rng, 0, 9);
    int32_t m = std::uniform_int_distribution<int32_t>(1 << 30, std::numeric_limits<int32_t>::max())(rng);
    if (kind == 0) m = 1 << 30;
    if (kind == 1) m = std::numeric_limits<int32_t>::max();
    if (kind == 2) m = 0;
    q->multiplier.push_back(m);
    const int shift_kind = uniform(rng, 0, 9);
    const int extremes[] = {-31, -30, 1, 8, 30, 31};
    q->shift.push_back(shift_kind < 3 ? extremes[uniform(rng, 0, 5)] : uniform(rng, -14, 0));
  }
}

ActivationRange random_activation(Rng& rng) {
  ActivationRange a;
  if (uniform(rng, 0, 2) == 0) return a;  // NONE
  a.min = uniform(rng, -128, 60);
  a.max = uniform(rng, a.min, 127);
  return a;
}

std::vector<int32_t> random_bias(Rng& rng, int channels) {
  std::vector<int32_t> b(static_cast<size_t>(channels));
  for (auto& x : b) x = uniform(rng, -(1 << 20), 1 << 20);
  return b;
}

int window_output(int in, int filter, int stride, int dilation, int pad) {
  return (in + 2 * pad - dilation * (filter - 1) - 1) / stride + 1;
}

template <typename F>
std::optional<std::vector<int8_t>> sim_or_error(int64_t size, F&& run) {
  std::vector<int8_t> out(static_cast<size_t>(size));
  try {
    run(out.data());
  } catch (const KernelError&) {
    return std::nullopt;
  }
  return out;
}

void add_filter_case(CaseWriter& w, Rng& rng, const char* op, bool corrupt) {
  const bool depthwise = std::strcmp(op, "dwconv") == 0;
  ConvParams p;
  Shape4 in{uniform(rng, 1, 2), uniform(rng, 1, 9), uniform(rng, 1, 9), uniform(rng, 1, 7)};
  p.depth_multiplier = depthwise ? uniform(rng, 1, 3) : 1;
  const int out_c = depthwise ? in.c * p.depth_multiplier : uniform(rng, 1, 7);
  const int kh = uniform(rng, 1, 4), kw = uniform(rng, 1, 4);
  Shape4 filter = depthwise ? Shape4{1, kh, kw, out_c} : Shape4{out_c, kh, kw, in.c};
  p.stride_h = uniform(rng, 1, 3);
  p.stride_w = uniform(rng, 1, 3);
  p.dilation_h = uniform(rng, 1, 2);
  p.dilation_w = uniform(rng, 1, 2);
  p.pad_h = uniform(rng, 0, kh - 1);
  p.pad_w = uniform(rng, 0, kw - 1);
  Shape4 out{in.n, window_output(in.h, kh, p.stride_h, p.dilation_h, p.pad_h),
             window_output(in.w, kw, p.stride_w, p.dilation_w, p.pad_w), out_c};
  out.h = std::max(out.h, 1);
  out.w = std::max(out.w, 1);
  p.input_offset = -uniform(rng, -128, 127);
  p.output_offset = uniform(rng, -128, 127);
  p.activation = random_activation(rng);
  ChannelRequant q;
  random_requant(rng, out_c, &q);
  const std::vector<int8_t> input = random_s8(rng, in.elements());
  const std::vector<int8_t> weights = random_s8(rng, filter.elements());
  const bool has_bias = uniform(rng, 0, 4) != 0;
  const std::vector<int32_t> bias = random_bias(rng, out_c);
  if (corrupt) filter.c += 1;  // filter depth no longer matches: both sides must reject

  w.text << op;
  w.dims(in);
  w.dims(filter);
  w.dims(out);
  w.text << ' ' << p.input_offset << ' ' << p.output_offset << ' ' << p.stride_h << ' ' << p.stride_w
         << ' ' << p.dilation_h << ' ' << p.dilation_w << ' ' << p.pad_h << ' ' << p.pad_w;
  if (depthwise) w.text << ' ' << p.depth_multiplier;
  w.activation(p.activation);
  w.text << ' ' << (has_bias ? 1 : 0);
  w.values(q.multiplier);
  w.values(q.shift);
  w.values(input);
  std::vector<int8_t> weights_written = weights;
  weights_written.resize(static_cast<size_t>(filter.elements()), 0);  // corrupt: extra zeros
  w.values(weights_written);
  if (has_bias) w.values(bias);
  const int32_t* bias_ptr = has_bias ? bias.data() : nullptr;
  w.expect_s8(op, sim_or_error(out.elements(), [&](int8_t* o) {
                if (depthwise)
                  depthwise_conv_s8_nhwc(p, q, in, input.data(), filter, weights_written.data(),
                                         bias_ptr, out, o);
                else
                  conv_s8_nhwc(p, q, in, input.data(), filter, weights_written.data(), bias_ptr, out, o);
              }));
}

void add_fc_case(CaseWriter& w, Rng& rng, bool corrupt) {
  FullyConnectedParams p;
  const int batches = uniform(rng, 1, 3), depth = uniform(rng, 1, 40), units = uniform(rng, 1, 12);
  const Shape4 in{batches, 1, 1, depth};
  const Shape4 filter{units, 1, 1, depth};
  Shape4 out{batches, 1, 1, units};
  if (corrupt) out.n += 1;  // input no longer holds batches * depth values
  p.input_offset = -uniform(rng, -128, 127);
  p.output_offset = uniform(rng, -128, 127);
  p.activation = random_activation(rng);
  ChannelRequant q;
  random_requant(rng, units, &q);
  const std::vector<int8_t> input = random_s8(rng, in.elements());
  const std::vector<int8_t> weights = random_s8(rng, filter.elements());
  const bool has_bias = uniform(rng, 0, 4) != 0;
  const std::vector<int32_t> bias = random_bias(rng, units);
  w.text << "fc";
  w.dims(in);
  w.dims(filter);
  w.dims(out);
  w.text << ' ' << p.input_offset << ' ' << p.output_offset;
  w.activation(p.activation);
  w.text << ' ' << (has_bias ? 1 : 0);
  w.values(q.multiplier);
  w.values(q.shift);
  w.values(input);
  w.values(weights);
  if (has_bias) w.values(bias);
  w.expect_s8("fc", sim_or_error(out.elements(), [&](int8_t* o) {
                fully_connected_s8(p, q, in, input.data(), filter, weights.data(),
                                   has_bias ? bias.data() : nullptr, out, o);
              }));
}

void add_pool_case(CaseWriter& w, Rng& rng, bool is_max) {
  PoolParams p;
  const Shape4 in{uniform(rng, 1, 2), uniform(rng, 1, 9), uniform(rng, 1, 9), uniform(rng, 1, 6)};
  p.filter_h = uniform(rng, 1, 4);
  p.filter_w = uniform(rng, 1, 4);
  p.stride_h = uniform(rng, 1, 3);
  p.stride_w = uniform(rng, 1, 3);
  // Padding up to the window size - 1 keeps every window non-empty; a pad of
  // the full window size (sometimes chosen) yields an all-padding window that
  // both implementations must reject.
  p.pad_h = uniform(rng, 0, p.filter_h - (uniform(rng, 0, 9) == 0 ? 0 : 1));
  p.pad_w = uniform(rng, 0, p.filter_w - 1);
  p.activation = random_activation(rng);
  const Shape4 out{in.n, std::max(1, window_output(in.h, p.filter_h, p.stride_h, 1, p.pad_h)),
                   std::max(1, window_output(in.w, p.filter_w, p.stride_w, 1, p.pad_w)), in.c};
  const std::vector<int8_t> input = random_s8(rng, in.elements());
  w.text << (is_max ? "maxpool" : "avgpool");
  w.dims(in);
  w.dims(out);
  w.text << ' ' << p.stride_h << ' ' << p.stride_w << ' ' << p.filter_h << ' ' << p.filter_w << ' '
         << p.pad_h << ' ' << p.pad_w;
  w.activation(p.activation);
  w.values(input);
  w.expect_s8(is_max ? "maxpool" : "avgpool", sim_or_error(out.elements(), [&](int8_t* o) {
                if (is_max)
                  max_pool_s8_nhwc(p, in, input.data(), out, o);
                else
                  avg_pool_s8_nhwc(p, in, input.data(), out, o);
              }));
}

QuantizedMultiplier random_scale_down(Rng& rng) {
  QuantizedMultiplier m;
  m.multiplier = std::uniform_int_distribution<int32_t>(1 << 30, std::numeric_limits<int32_t>::max())(rng);
  m.shift = uniform(rng, 0, 4) == 0 ? -31 : uniform(rng, -20, 0);
  return m;
}

void add_add_case(CaseWriter& w, Rng& rng) {
  AddParams p;
  const Shape4 dims{uniform(rng, 1, 2), uniform(rng, 1, 5), uniform(rng, 1, 5), uniform(rng, 1, 8)};
  p.input1_offset = -uniform(rng, -128, 127);
  p.input2_offset = -uniform(rng, -128, 127);
  p.output_offset = uniform(rng, -128, 127);
  p.left_shift = uniform(rng, 0, 3) == 0 ? uniform(rng, 0, 24) : 20;
  p.input1 = random_scale_down(rng);
  p.input2 = random_scale_down(rng);
  p.output = random_scale_down(rng);
  p.activation = random_activation(rng);
  const std::vector<int8_t> a = random_s8(rng, dims.elements()), b = random_s8(rng, dims.elements());
  w.text << "add";
  w.dims(dims);
  w.text << ' ' << p.input1_offset << ' ' << p.input2_offset << ' ' << p.output_offset << ' '
         << p.left_shift << ' ' << p.input1.multiplier << ' ' << p.input1.shift << ' '
         << p.input2.multiplier << ' ' << p.input2.shift << ' ' << p.output.multiplier << ' '
         << p.output.shift;
  w.activation(p.activation);
  w.values(a);
  w.values(b);
  w.expect_s8("add", sim_or_error(dims.elements(), [&](int8_t* o) {
                add_s8(p, dims, a.data(), dims, b.data(), dims, o);
              }));
}

void add_softmax_case(CaseWriter& w, Rng& rng) {
  const double beta = uniform(rng, 0, 1) == 0 ? 1.0 : std::uniform_real_distribution<double>(0.3, 3.0)(rng);
  const float scale = static_cast<float>(std::pow(10.0, std::uniform_real_distribution<double>(-3, 0.5)(rng)));
  const SoftmaxParams p = softmax_params_from(beta, scale);
  const Shape4 dims{1, uniform(rng, 1, 3), 1, uniform(rng, 1, 60)};
  std::vector<int8_t> input = random_s8(rng, dims.elements());
  if (uniform(rng, 0, 3) == 0) {  // ties at the maximum
    for (size_t i = 0; i < input.size(); i += 2) input[i] = 127;
  }
  if (input.size() >= 2 && p.diff_min >= -255 && uniform(rng, 0, 1) == 0) {
    // One value exactly diff_min below the maximum (still counted) and, when
    // representable, one just beyond it (contributes exp = 0).
    input[0] = 127;
    input[1] = static_cast<int8_t>(127 + p.diff_min);
    if (input.size() >= 3 && 127 + p.diff_min - 1 >= -128)
      input[2] = static_cast<int8_t>(127 + p.diff_min - 1);
  }
  w.text << "softmax";
  w.dims(dims);
  w.text << ' ' << p.input_multiplier << ' ' << p.input_left_shift << ' ' << p.diff_min;
  w.values(input);
  w.expect_s8("softmax", sim_or_error(dims.elements(), [&](int8_t* o) {
                softmax_s8(p, dims, input.data(), dims, o);
              }));
}

uint32_t float_bits(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return bits;
}

void add_quantize_case(CaseWriter& w, Rng& rng) {
  const float scale = static_cast<float>(std::pow(10.0, std::uniform_real_distribution<double>(-4, 1)(rng)));
  const int32_t zero_point = uniform(rng, -128, 127);
  std::vector<float> input;
  for (int i = 0; i < 40; ++i) {
    const int k = uniform(rng, -200, 200);
    switch (uniform(rng, 0, 5)) {
      case 0: input.push_back((static_cast<float>(k) + 0.5f) * scale); break;  // near ties
      case 1: input.push_back(std::uniform_real_distribution<float>(-3e9f, 3e9f)(rng)); break;
      default: input.push_back(std::uniform_real_distribution<float>(-150, 150)(rng) * scale); break;
    }
  }
  const float special[] = {std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                           std::numeric_limits<float>::quiet_NaN(), -0.0f, 0.0f,
                           std::numeric_limits<float>::max(), std::numeric_limits<float>::denorm_min()};
  for (float f : special) input.push_back(f);
  const Shape4 dims{1, 1, 1, static_cast<int>(input.size())};
  w.text << "quantize " << input.size() << ' ' << float_bits(scale) << ' ' << zero_point;
  for (float f : input) w.text << ' ' << float_bits(f);
  const QuantizeParams p{scale, zero_point};
  w.expect_s8("quantize", sim_or_error(dims.elements(), [&](int8_t* o) {
                quantize_f32_s8(p, dims, input.data(), dims, o);
              }));
}

void add_dequantize_case(CaseWriter& w, Rng& rng) {
  const DequantizeParams p{std::pow(10.0, std::uniform_real_distribution<double>(-5, 2)(rng)),
                           uniform(rng, -128, 127)};
  const std::vector<int8_t> input = random_s8(rng, 50);
  uint64_t scale_bits;
  std::memcpy(&scale_bits, &p.scale, sizeof scale_bits);
  w.text << "dequantize " << input.size() << ' ' << scale_bits << ' ' << p.zero_point;
  w.values(input);
  w.text << '\n';
  const Shape4 dims{1, 1, 1, static_cast<int>(input.size())};
  std::vector<float> out(input.size());
  dequantize_s8_f32(p, dims, input.data(), dims, out.data());
  DriverResult r;
  r.status = 0;
  for (float f : out) r.values.push_back(float_bits(f));
  w.expected.push_back(r);
  w.names.push_back("dequantize");
}

}  // namespace

TEST_CASE("runtime conv, depthwise and fully connected match the sim byte for byte",
          "[runtime]") {
  Rng rng(20261123);
  CaseWriter w;
  for (int i = 0; i < 250; ++i) {
    const bool corrupt = i % 50 == 49;
    add_filter_case(w, rng, "conv", corrupt);
    add_filter_case(w, rng, "dwconv", corrupt);
    add_fc_case(w, rng, corrupt);
  }
  check_all(w);
}

TEST_CASE("runtime pooling, add and softmax match the sim byte for byte", "[runtime]") {
  Rng rng(424242);
  CaseWriter w;
  for (int i = 0; i < 250; ++i) {
    add_pool_case(w, rng, true);
    add_pool_case(w, rng, false);
    add_add_case(w, rng);
    add_softmax_case(w, rng);
  }
  check_all(w);
}

TEST_CASE("runtime quantize and dequantize match the sim bit for bit", "[runtime]") {
  Rng rng(7);
  CaseWriter w;
  for (int i = 0; i < 100; ++i) {
    add_quantize_case(w, rng);
    add_dequantize_case(w, rng);
  }
  check_all(w);
}

TEST_CASE("runtime conv on a hand-worked case", "[runtime]") {
  // 1x2x3x1 input [1 2 3 / 4 5 6], zero point 1 (offset -1) -> values
  // [0 1 2 / 3 4 5]; 2x2 filter [1 2 / 3 4], VALID, stride 1 -> 1x1x2 output:
  // left  = 0*1 + 1*2 + 3*3 + 4*4 = 27, right = 1*1 + 2*2 + 4*3 + 5*4 = 37;
  // bias 5 -> 32, 42; multiplier 2^30 with shift 0 halves: 16, 21; output zero
  // point -3 -> 13, 18. Two pixels exercise the 2x2 path exactly once.
  CaseWriter w;
  w.text << "conv 1 2 3 1  1 2 2 1  1 1 2 1  -1 -3 1 1 1 1 0 0  -128 127  1  1073741824  0"
            "  1 2 3 4 5 6  1 2 3 4  5\n";
  DriverResult r;
  r.status = 0;
  r.values = {13, 18};
  w.expected.push_back(r);
  w.names.push_back("hand-worked conv");
  check_all(w);
}

TEST_CASE("runtime sources cross-compile for Cortex-M4 warning-free", "[runtime]") {
  if (!tinyskip::test::require_tool(std::system("command -v arm-none-eabi-gcc > /dev/null 2>&1") == 0,
                          "arm-none-eabi-gcc (the Cortex-M4 cross-compile)"))
    return;
  const fs::path dir = scratch_dir();
  const std::vector<fs::path> files = runtime_c_files();
  REQUIRE(files.size() >= 10);  // helpers + one file per op
  for (const char* optimisation : {"-O2", "-Os"}) {
    for (const fs::path& file : files) {
      INFO(file.filename().string() << ' ' << optimisation);
      const fs::path object = dir / (file.stem().string() + ".o");
      std::string command = "arm-none-eabi-gcc ";
      command += kArmFlags;
      command += ' ';
      command += optimisation;
      command += " -c " + quoted(file);
      command += " -o " + quoted(object);
      REQUIRE(std::system(command.c_str()) == 0);
      REQUIRE(fs::file_size(object) > 0);
    }
  }
}
