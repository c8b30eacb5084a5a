// Whole-network simulator throughput: the exact model on CIFAR-10 test
// images at the active SIMD level (TINYSKIP_SIMD caps it), on one thread
// (the in-process reference) and on every thread. Reports GMAC/s (the
// model's nominal MACs per image times images, over the best wall time) and
// checks that both runs give the same output bytes.
//
//   bench_network MODEL PIXEL_SCALE CIFAR10_DIR [images, default 10000] [repeats, default 3]
// e.g. bench_network ../shared/models/resnet8_cifar10_int8.tflite 1 ../shared/data/cifar-10-batches-bin
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "sim/data/cifar10.h"
#include "sim/kernels/simd_level.h"
#include "sim/simulator.h"
#include "sim/tflite_import.h"

using namespace tinyskip::sim;

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: bench_network MODEL PIXEL_SCALE CIFAR10_DIR [images] [repeats]\n");
    return 2;
  }
  try {
    const Graph graph = load_tflite(argv[1]);
    const int images = argc > 4 ? std::atoi(argv[4]) : 10000;
    const int repeats = argc > 5 ? std::atoi(argv[5]) : 3;
    const ModelInputs inputs(graph, slice(load_cifar10(std::string(argv[3]) + "/" + kCifar10TestFile), 0, images),
                             PixelScale::parse(argv[2]));
    const double macs = static_cast<double>(total_macs(graph)) * inputs.size();
    std::printf("%s: %d images, %.1f MMAC per image\n", argv[1], inputs.size(), total_macs(graph) / 1e6);
    std::printf("SIMD level %s\n", simd_level_name(active_simd_level()));
    const Simulator simulator(graph);
    std::vector<uint8_t> reference;
    double one_thread = 0;
    for (int threads : {1, 0}) {
      RunOptions options;
      options.threads = threads;
      double best = 1e30;
      std::vector<uint8_t> outputs;
      for (int r = 0; r < repeats; ++r) {
        const auto start = std::chrono::steady_clock::now();
        outputs = simulator.run(inputs, options).outputs;
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      }
      if (threads == 1) reference = outputs, one_thread = best;
      std::printf("  %-12s %8.3f s  %7.1f GMAC/s  x%.2f of one thread  %s\n", threads ? "1 thread" : "all threads",
                  best, macs / best / 1e9, one_thread / best, outputs == reference ? "same bytes" : "DIFFERENT BYTES");
      if (outputs != reference) return 1;
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench_network: %s\n", error.what());
    return 1;
  }
  return 0;
}
