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

}  // namespace tinyskip::test
