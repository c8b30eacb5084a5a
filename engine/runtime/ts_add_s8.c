/* Int8 element-wise add of two same-shape tensors with independent
 * quantisation: both inputs are widened by 2^left_shift, rescaled to a common
 * scale, summed, and the sum requantised to the output scale. */
#include "ts_internal.h"

/* One input value on the common scale: (q + offset) * 2^left_shift * multiplier. */
static int32_t rescale_input(int8_t value, int32_t offset, int32_t left_shift, int32_t multiplier,
                             int32_t shift) {
  const int32_t widened = ts_shift_left_wrapping(value + offset, left_shift);
  return ts_multiply_by_quantized_multiplier(widened, multiplier, shift);
}

static int scale_down_valid(int32_t multiplier, int32_t shift) {
  return multiplier >= 0 && shift <= 0 && shift >= -31;
}

ts_status ts_add_s8(const ts_add_params *params, const ts_dims *dims, const int8_t *input1,
                    const int8_t *input2, int8_t *output) {
  int64_t size, i;
  if (params == 0 || input1 == 0 || input2 == 0 || output == 0 || !ts_dims_valid(dims))
    return TS_ERROR_ARGUMENT;
  if (params->left_shift < 0 || params->left_shift > 24 ||
      !scale_down_valid(params->input1_multiplier, params->input1_shift) ||
      !scale_down_valid(params->input2_multiplier, params->input2_shift) ||
      !scale_down_valid(params->output_multiplier, params->output_shift) ||
      !ts_activation_valid(&params->activation))
    return TS_ERROR_ARGUMENT;
  size = ts_dims_elements(dims);
  for (i = 0; i < size; ++i) {
    const int32_t sum =
        rescale_input(input1[i], params->input1_offset, params->left_shift,
                      params->input1_multiplier, params->input1_shift) +
        rescale_input(input2[i], params->input2_offset, params->left_shift,
                      params->input2_multiplier, params->input2_shift);
    const int32_t result = ts_multiply_by_quantized_multiplier(sum, params->output_multiplier,
                                                               params->output_shift) +
                           params->output_offset;
    output[i] = (int8_t)ts_clamp_i32(result, params->activation.min, params->activation.max);
  }
  return TS_OK;
}
