/* int8 -> float32: x = (float)(scale * (q - zero_point)) with the product in
 * double, as the reference does (soft-float double on a Cortex-M4, but only
 * once per output value). */
#include "ts_internal.h"

ts_status ts_dequantize_s8_f32(const ts_dequantize_params *params, int32_t size,
                               const int8_t *input, float *output) {
  int32_t i;
  if (params == 0 || input == 0 || output == 0 || size <= 0) return TS_ERROR_ARGUMENT;
  for (i = 0; i < size; ++i) {
    output[i] = (float)(params->scale * (double)(input[i] - params->zero_point));
  }
  return TS_OK;
}
