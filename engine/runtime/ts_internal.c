/* Argument checks shared by the runtime kernels (declared in ts_internal.h). */
#include "ts_internal.h"

int ts_dims_valid(const ts_dims *dims) {
  return dims != 0 && dims->n > 0 && dims->h > 0 && dims->w > 0 && dims->c > 0;
}

int64_t ts_dims_elements(const ts_dims *dims) {
  return (int64_t)dims->n * dims->h * dims->w * dims->c;
}

int ts_activation_valid(const ts_activation *activation) {
  return activation->min >= -128 && activation->max <= 127 && activation->min <= activation->max;
}

int ts_per_channel_quant_valid(const ts_per_channel_quant *quant, int32_t channels) {
  int32_t c;
  if (quant == 0 || quant->multiplier == 0 || quant->shift == 0) return 0;
  for (c = 0; c < channels; ++c) {
    if (quant->multiplier[c] < 0 || quant->shift[c] < -31 || quant->shift[c] > 31) return 0;
  }
  return 1;
}
