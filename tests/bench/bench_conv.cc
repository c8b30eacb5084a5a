// Throughput of the fast int8 conv / fully connected path on the ResNet-8
// (CIFAR-10) layer shapes with random data, against the readable reference
// kernels in the same process. Single-threaded; every SIMD level this CPU
// supports is measured (TINYSKIP_SIMD does not matter here). Also checks that
// the fast and reference outputs are identical.
//
//   bench_conv [batch images, default 16] [seconds per measurement, default 0.5]
//              [level: portable | avx2 | avx512, default all supported]
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "sim/kernels/conv_s8.h"
#include "sim/kernels/conv_s8_gemm.h"
#include "sim/kernels/fully_connected_s8.h"
#include "sim/kernels/fully_connected_s8_gemm.h"

namespace tinyskip::sim {
namespace {

struct Layer {
  const char* name;
  Shape4 input;  // one image
  int out_channels;
  int filter;  // square; 0 marks the fully connected layer
  int stride;
};

// ResNet-8 for CIFAR-10 (MLPerf Tiny): all convs SAME, the shortcuts 1x1.
const Layer kLayers[] = {
    {"conv 3x3 3->16 32x32", {1, 32, 32, 3}, 16, 3, 1},
    {"conv 3x3 16->16 32x32", {1, 32, 32, 16}, 16, 3, 1},
    {"conv 3x3 16->16 32x32", {1, 32, 32, 16}, 16, 3, 1},
    {"conv 3x3 16->32 s2", {1, 32, 32, 16}, 32, 3, 2},
    {"conv 3x3 32->32 16x16", {1, 16, 16, 32}, 32, 3, 1},
    {"conv 1x1 16->32 s2", {1, 32, 32, 16}, 32, 1, 2},
    {"conv 3x3 32->64 s2", {1, 16, 16, 32}, 64, 3, 2},
    {"conv 3x3 64->64 8x8", {1, 8, 8, 64}, 64, 3, 1},
    {"conv 1x1 32->64 s2", {1, 16, 16, 32}, 64, 1, 2},
    {"fc 64->10", {1, 1, 1, 64}, 10, 0, 1},
};

// A layer instance with random data for `images` images.
struct Instance {
  Shape4 input_shape, filter_shape, output_shape;
  ConvParams conv;
  FullyConnectedParams fully_connected;
  ChannelRequant requant;
  std::vector<int8_t> input, filter;
  std::vector<int32_t> bias;
  PackedFilter packed;
  int64_t macs_per_image = 0;
};

Instance make_instance(const Layer& layer, int images, std::mt19937& rng) {
  std::uniform_int_distribution<int> byte(-128, 127);
  Instance in;
  const bool fc = layer.filter == 0;
  in.input_shape = layer.input;
  in.input_shape.n = images;
  const int out_size = (layer.input.h + layer.stride - 1) / layer.stride;  // SAME
  in.output_shape = fc ? Shape4{images, 1, 1, layer.out_channels}
                       : Shape4{images, out_size, out_size, layer.out_channels};
  in.filter_shape = fc ? Shape4{layer.out_channels, 1, 1, layer.input.c}
                       : Shape4{layer.out_channels, layer.filter, layer.filter, layer.input.c};
  const int pad = std::max(0, (out_size - 1) * layer.stride + layer.filter - layer.input.h) / 2;
  in.conv.stride_h = in.conv.stride_w = layer.stride;
  in.conv.pad_h = in.conv.pad_w = pad;
  in.conv.input_offset = in.fully_connected.input_offset = 128;
  in.conv.output_offset = in.fully_connected.output_offset = -128;
  in.conv.activation = in.fully_connected.activation = {-128, 127};
  for (int c = 0; c < layer.out_channels; ++c) {
    in.requant.multiplier.push_back(1518500250);  // ~0.707 * 2^31
    in.requant.shift.push_back(-9);
    in.bias.push_back(std::uniform_int_distribution<int>(-5000, 5000)(rng));
  }
  in.input.resize(static_cast<size_t>(in.input_shape.elements()));
  in.filter.resize(static_cast<size_t>(in.filter_shape.elements()));
  for (int8_t& v : in.input) v = static_cast<int8_t>(byte(rng));
  for (int8_t& v : in.filter) v = static_cast<int8_t>(byte(rng));
  in.packed = fc ? pack_fully_connected_filter(in.filter.data(), in.filter_shape, nullptr)
                 : pack_filter(in.filter.data(), in.filter_shape, nullptr);
  in.macs_per_image = in.output_shape.image_elements() * in.filter_shape.image_elements();
  return in;
}

void run_fast(const Instance& in, GemmScratch& scratch, std::vector<int8_t>& out) {
  if (in.filter_shape.h == 1 && in.filter_shape.w == 1 && in.output_shape.h == 1 &&
      in.input_shape.h == 1) {
    fully_connected_s8_gemm(in.fully_connected, in.requant, in.input_shape, in.input.data(),
                            in.packed, in.bias.data(), in.output_shape, out.data(), scratch);
  } else {
    conv_s8_nhwc_gemm(in.conv, in.requant, in.input_shape, in.input.data(), in.packed,
                      in.bias.data(), in.output_shape, out.data(), scratch);
  }
}

void run_reference(const Instance& in, std::vector<int8_t>& out) {
  if (in.filter_shape.h == 1 && in.filter_shape.w == 1 && in.output_shape.h == 1 &&
      in.input_shape.h == 1) {
    fully_connected_s8(in.fully_connected, in.requant, in.input_shape, in.input.data(),
                       in.filter_shape, in.filter.data(), in.bias.data(), in.output_shape,
                       out.data());
  } else {
    conv_s8_nhwc(in.conv, in.requant, in.input_shape, in.input.data(), in.filter_shape,
                 in.filter.data(), in.bias.data(), in.output_shape, out.data());
  }
}

// CPU time of this thread: the machine's cores are shared, and wall-clock
// time would count the time other processes ran instead of this one.
double thread_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + 1e-9 * static_cast<double>(now.tv_nsec);
}

// Thread CPU seconds per call: the best of five rounds of repeated calls
// (about min_seconds in all), which filters out interference.
double seconds_per_call(const std::function<void()>& call, double min_seconds) {
  call();  // warm-up: caches, scratch growth
  double best = 1e300;
  for (int round = 0; round < 5; ++round) {
    int calls = 0;
    const double start = thread_seconds();
    double elapsed = 0.0;
    do {
      call();
      ++calls;
      elapsed = thread_seconds() - start;
    } while (elapsed < min_seconds / 5);
    best = std::min(best, elapsed / calls);
  }
  return best;
}

}  // namespace
}  // namespace tinyskip::sim

int main(int argc, char** argv) {
  using namespace tinyskip::sim;
  const int images = argc > 1 ? std::max(1, std::atoi(argv[1])) : 16;
  const double min_seconds = argc > 2 ? std::max(0.01, std::atof(argv[2])) : 0.5;
  const std::string only_level = argc > 3 ? argv[3] : "";
  std::mt19937 rng(1);
  std::vector<Instance> fast_instances, reference_instances;
  for (const Layer& layer : kLayers) {
    fast_instances.push_back(make_instance(layer, images, rng));
    std::mt19937 same_data(2);  // reference: one image, for time's sake
    reference_instances.push_back(make_instance(layer, 1, same_data));
  }

  std::printf("ResNet-8 layer shapes, batch of %d images, 1 thread, thread CPU time\n", images);
  std::vector<double> reference_seconds;  // per image and layer
  int64_t macs_per_image = 0;
  for (const Instance& in : reference_instances) {
    std::vector<int8_t> out(static_cast<size_t>(in.output_shape.elements()));
    reference_seconds.push_back(seconds_per_call([&] { run_reference(in, out); }, min_seconds / 4));
    macs_per_image += in.macs_per_image;
  }
  double reference_total = 0.0;
  for (double s : reference_seconds) reference_total += s;
  std::printf("reference kernels: %.3f GMAC/s over the network (%.2f M MACs/image)\n",
              macs_per_image / reference_total * 1e-9, macs_per_image * 1e-6);

  bool all_exact = true;
  for (const SimdLevel level : supported_simd_levels()) {
    if (!only_level.empty() && only_level != simd_level_name(level)) continue;
    GemmScratch scratch(level);
    std::printf("\n[%s]\n%-24s %10s %10s %10s %8s\n", simd_level_name(level), "layer", "MMAC/img",
                "GMAC/s", "ref GMAC/s", "speedup");
    double fast_total = 0.0;
    for (size_t i = 0; i < fast_instances.size(); ++i) {
      const Instance& in = fast_instances[i];
      std::vector<int8_t> out(static_cast<size_t>(in.output_shape.elements()));
      const double per_image =
          seconds_per_call([&] { run_fast(in, scratch, out); }, min_seconds) / images;
      fast_total += per_image;
      // Exactness on the one-image instance shared with the reference.
      const Instance& one = reference_instances[i];
      std::vector<int8_t> fast_out(static_cast<size_t>(one.output_shape.elements()));
      std::vector<int8_t> reference_out(fast_out.size());
      run_fast(one, scratch, fast_out);
      run_reference(one, reference_out);
      const bool exact = fast_out == reference_out;
      all_exact = all_exact && exact;
      std::printf("%-24s %10.3f %10.2f %10.3f %7.1fx%s\n", kLayers[i].name,
                  in.macs_per_image * 1e-6, in.macs_per_image / per_image * 1e-9,
                  in.macs_per_image / reference_seconds[i] * 1e-9, reference_seconds[i] / per_image,
                  exact ? "" : "  MISMATCH");
    }
    std::printf("%-24s %10.3f %10.2f %10.3f %7.1fx\n", "network (conv + fc)", macs_per_image * 1e-6,
                macs_per_image / fast_total * 1e-9, macs_per_image / reference_total * 1e-9,
                reference_total / fast_total);
    std::printf("=> %.0f images/s per core; 10,000 images: %.2f s on 1 thread\n", 1.0 / fast_total,
                1e4 * fast_total);
  }
  std::printf("\nfast == reference on every layer: %s\n", all_exact ? "yes" : "NO");
  return all_exact ? 0 : 1;
}
