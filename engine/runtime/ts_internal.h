/* Argument checks shared by the runtime kernels (not part of the public API).
 * Every kernel validates shapes and parameters before touching memory, so a
 * wrong call returns TS_ERROR_ARGUMENT instead of reading out of bounds. */
#ifndef TINYSKIP_RUNTIME_INTERNAL_H
#define TINYSKIP_RUNTIME_INTERNAL_H

#include "tinyskip_runtime.h"

/* All four dimensions positive. */
int ts_dims_valid(const ts_dims *dims);
/* Elements of the whole tensor, as a wider type so products cannot overflow. */
int64_t ts_dims_elements(const ts_dims *dims);
/* Non-empty sub-range of int8. */
int ts_activation_valid(const ts_activation *activation);
/* multiplier >= 0 and shift in [-31, 31] for every one of `channels` entries. */
int ts_per_channel_quant_valid(const ts_per_channel_quant *quant, int32_t channels);

#endif /* TINYSKIP_RUNTIME_INTERNAL_H */
