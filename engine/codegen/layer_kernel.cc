#include "engine/codegen/layer_kernel.h"

namespace tinyskip::engine {

const char* layer_kernel_name(LayerKernel kernel) {
  switch (kernel) {
    case LayerKernel::kRuntime: return "runtime";
    case LayerKernel::kUnpacked: return "unpacked";
    case LayerKernel::kCmsisNn: return "cmsis-nn";
  }
  return "runtime";
}

bool cmsis_nn_implements(sim::OpType type) {
  switch (type) {
    case sim::OpType::kConv2D:
    case sim::OpType::kDepthwiseConv2D:
    case sim::OpType::kFullyConnected:
    case sim::OpType::kMaxPool2D:
    case sim::OpType::kAveragePool2D:
    case sim::OpType::kAdd:
    case sim::OpType::kSoftmax: return true;
    case sim::OpType::kQuantize:
    case sim::OpType::kDequantize:
    case sim::OpType::kReshape: return false;
  }
  return false;
}

bool can_unpack(sim::OpType type) {
  return type == sim::OpType::kConv2D || type == sim::OpType::kDepthwiseConv2D ||
         type == sim::OpType::kFullyConnected;
}

LayerKernel choose_layer_kernel(sim::OpType type, bool unpacked, bool cmsis_nn_available) {
  if (unpacked) return LayerKernel::kUnpacked;
  if (cmsis_nn_available && cmsis_nn_implements(type)) return LayerKernel::kCmsisNn;
  return LayerKernel::kRuntime;
}

}  // namespace tinyskip::engine
