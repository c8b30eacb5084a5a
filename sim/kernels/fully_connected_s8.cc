#include "sim/kernels/fully_connected_s8.h"

#include <string>

#include "sim/kernels/fixed_point.h"
#include "sim/kernels/kernel_check.h"

namespace tinyskip::sim {

void fully_connected_s8(const FullyConnectedParams& params, const ChannelRequant& requant,
                        const Shape4& input_shape, const int8_t* input, const Shape4& filter_shape,
                        const int8_t* filter, const int32_t* bias, const Shape4& output_shape,
                        int8_t* output) {
  constexpr const char* kKernel = "fully_connected_s8";
  check_shape_positive(input_shape, kKernel, "input");
  check_shape_positive(filter_shape, kKernel, "filter");
  check_shape_positive(output_shape, kKernel, "output");
  const int depth = filter_shape.c;
  const int units = output_shape.c;
  kernel_check(filter_shape.elements() == int64_t{units} * depth, kKernel,
               "weights hold " + std::to_string(filter_shape.elements()) + " values, expected " +
                   std::to_string(units) + " units x " + std::to_string(depth));
  const int64_t batches = output_shape.elements() / units;
  kernel_check(input_shape.elements() == batches * depth, kKernel,
               "input has " + std::to_string(input_shape.elements()) + " values, expected " +
                   std::to_string(batches) + " rows of " + std::to_string(depth));
  check_activation_range(params.activation, kKernel);
  check_channel_requant(requant, units, kKernel);

  for (int64_t b = 0; b < batches; ++b) {
    const int8_t* row = input + b * depth;
    for (int unit = 0; unit < units; ++unit) {
      const int8_t* weights = filter + int64_t{unit} * depth;
      int32_t acc = 0;
      for (int d = 0; d < depth; ++d) {
        acc += int32_t{weights[d]} * (int32_t{row[d]} + params.input_offset);
      }
      if (bias != nullptr) acc += bias[unit];
      output[b * units + unit] = requantize_to_s8(
          acc, requant.multiplier[static_cast<size_t>(unit)], requant.shift[static_cast<size_t>(unit)],
          params.output_offset, params.activation);
    }
  }
}

}  // namespace tinyskip::sim
