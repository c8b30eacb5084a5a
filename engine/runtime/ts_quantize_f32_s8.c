/* float32 -> int8: q = round(x / scale) + zero_point, division in float,
 * rounding half away from zero, clamped to [-128, 127]. NaN maps to the zero
 * point and +-inf / huge values saturate, like the Cortex-M VCVT (and
 * sim/kernels/quantize_f32_s8.cc). */
#include <math.h>

#include "ts_internal.h"

static int8_t quantize_value(float value, float scale, int32_t zero_point) {
  const float rounded = roundf(value / scale);
  int64_t q = 0; /* NaN -> 0 */
  if (rounded >= 2147483648.0f) {
    q = 2147483647;
  } else if (rounded < -2147483648.0f) {
    q = -2147483647 - 1;
  } else if (rounded == rounded) { /* not NaN */
    q = (int64_t)rounded;
  }
  q += zero_point;
  if (q < -128) q = -128;
  if (q > 127) q = 127;
  return (int8_t)q;
}

ts_status ts_quantize_f32_s8(const ts_quantize_params *params, int32_t size, const float *input,
                             int8_t *output) {
  int32_t i;
  if (params == 0 || input == 0 || output == 0 || size <= 0) return TS_ERROR_ARGUMENT;
  /* scale > 0 and finite (the comparison is false for NaN). */
  if (!(params->scale > 0.0f && params->scale <= 3.402823466e38f)) return TS_ERROR_ARGUMENT;
  for (i = 0; i < size; ++i) output[i] = quantize_value(input[i], params->scale, params->zero_point);
  return TS_OK;
}
