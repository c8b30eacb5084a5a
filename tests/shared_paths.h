// Locations of the read-only shared material (models, CIFAR-10, TFLM reference
// outputs) for tests. TINYSKIP_SHARED in the environment overrides the
// build-time default of <source>/../shared.
#pragma once

#include <cstdlib>
#include <string>

namespace tinyskip::test {

inline std::string shared_dir() {
  if (const char* env = std::getenv("TINYSKIP_SHARED")) return env;
  return TINYSKIP_SHARED_DIR;
}
inline std::string shared_path(const std::string& relative) { return shared_dir() + "/" + relative; }
inline std::string lenet_model() { return shared_path("models/lenet_cifar10_int8.tflite"); }
inline std::string resnet8_model() { return shared_path("models/resnet8_cifar10_int8.tflite"); }
inline std::string cifar10_dir() { return shared_path("data/cifar-10-batches-bin"); }
// The pinned CMSIS-NN checkout and CMSIS-Core headers (third_party/README.md).
inline std::string cmsis_nn_dir() { return shared_path("third_party/CMSIS-NN"); }
inline std::string cmsis_core_include_dir() { return shared_path("third_party/CMSIS-Core/Include"); }

}  // namespace tinyskip::test
