/* Int8 fully connected layer (CMSIS-NN arm_fully_connected_s8 semantics with
 * per-unit requantisation): each output unit is the dot product of one weight
 * row with (input + input_offset), plus bias, requantised. */
#include "ts_internal.h"

static int32_t dot_with_offset(const int8_t *weights, const int8_t *row, int32_t depth,
                               int32_t input_offset) {
  int32_t acc = 0;
  int32_t d;
  for (d = 0; d < depth; ++d) acc += weights[d] * (row[d] + input_offset);
  return acc;
}

ts_status ts_fully_connected_s8(const ts_fully_connected_params *params,
                                const ts_per_channel_quant *quant, const ts_dims *input_dims,
                                const int8_t *input, const ts_dims *filter_dims,
                                const int8_t *filter, const int32_t *bias,
                                const ts_dims *output_dims, int8_t *output) {
  int32_t depth, units, unit;
  int64_t batches, b;
  if (params == 0 || input == 0 || filter == 0 || output == 0) return TS_ERROR_ARGUMENT;
  if (!ts_dims_valid(input_dims) || !ts_dims_valid(filter_dims) || !ts_dims_valid(output_dims))
    return TS_ERROR_ARGUMENT;
  depth = filter_dims->c;
  units = output_dims->c;
  batches = ts_dims_elements(output_dims) / units;
  if (ts_dims_elements(filter_dims) != (int64_t)units * depth ||
      ts_dims_elements(input_dims) != batches * depth)
    return TS_ERROR_ARGUMENT;
  if (!ts_activation_valid(&params->activation) || !ts_per_channel_quant_valid(quant, units))
    return TS_ERROR_ARGUMENT;

  for (b = 0; b < batches; ++b) {
    const int8_t *row = input + b * depth;
    for (unit = 0; unit < units; ++unit) {
      int32_t acc = dot_with_offset(filter + (int64_t)unit * depth, row, depth,
                                    params->input_offset);
      if (bias) acc += bias[unit];
      output[b * units + unit] =
          ts_requantize_s8(acc, quant->multiplier[unit], quant->shift[unit],
                           params->output_offset, &params->activation);
    }
  }
  return TS_OK;
}
