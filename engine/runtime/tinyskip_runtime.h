/* tinyskip portable int8 runtime kernels (C99, no malloc, no third-party code).
 *
 * These are the kernels a generated whole-network source uses for layers that
 * are NOT approximated. They follow the CMSIS-NN algorithms (im2col of two
 * output pixels into q15 + a 2 output channels x 2 pixels matrix multiply for
 * conv) and give byte-identical results to the simulator's kernels in
 * sim/kernels/ (TFLM reference semantics, double-rounding requantisation).
 *
 * Conventions (CMSIS-NN-like):
 *   ts_<op>(params, [quant,] input_dims, input, [filter_dims, filter, bias,]
 *           output_dims, output[, context])
 * Activations are NHWC; conv filters OHWI; depthwise filters 1HWC; fully
 * connected weights [units][depth]. Every kernel validates its arguments up
 * front and returns TS_OK or TS_ERROR_ARGUMENT without touching the output.
 * Everything derived from quantisation (offsets, multipliers, clamp ranges) is
 * precomputed by the code generator, exactly as sim/kernels/op_params.cc does.
 */
#ifndef TINYSKIP_RUNTIME_H
#define TINYSKIP_RUNTIME_H

#include <stdint.h>

#include "ts_fixed_point.h"

#ifdef __cplusplus
extern "C" {
#endif

/* TS_ERROR_SCRATCH: a library kernel (CMSIS-NN) asked for more scratch than
 * the generated model's static scratch area holds; nothing was written. */
typedef enum { TS_OK = 0, TS_ERROR_ARGUMENT = 1, TS_ERROR_SCRATCH = 2 } ts_status;

typedef struct {
  int32_t n, h, w, c;
} ts_dims;


/* Per-output-channel requantisation (per-tensor layers repeat one entry).
 * multiplier is Q0.31 in [2^30, 2^31) or 0, shift in [-31, 31]. */
typedef struct {
  const int32_t *multiplier;
  const int32_t *shift;
} ts_per_channel_quant;

/* Caller-owned scratch memory (the runtime never allocates). buf must be
 * aligned for int16_t; size is in bytes. */
typedef struct {
  void *buf;
  int32_t size;
} ts_context;

typedef struct {
  int32_t input_offset;  /* -input zero point */
  int32_t output_offset; /* output zero point */
  int32_t stride_h, stride_w;
  int32_t dilation_h, dilation_w;
  int32_t pad_h, pad_w; /* padding before the first row / column */
  ts_activation activation;
} ts_conv_params;

typedef struct {
  int32_t input_offset, output_offset;
  int32_t stride_h, stride_w;
  int32_t dilation_h, dilation_w;
  int32_t pad_h, pad_w;
  int32_t depth_multiplier;
  ts_activation activation;
} ts_depthwise_conv_params;

typedef struct {
  int32_t input_offset, output_offset;
  ts_activation activation;
} ts_fully_connected_params;

typedef struct {
  int32_t stride_h, stride_w;
  int32_t filter_h, filter_w;
  int32_t pad_h, pad_w;
  ts_activation activation;
} ts_pool_params;

typedef struct {
  int32_t input1_offset, input2_offset; /* -zero points */
  int32_t output_offset;
  int32_t left_shift; /* inputs are widened by 2^left_shift, in [0, 24] */
  int32_t input1_multiplier, input1_shift; /* shifts <= 0: scale down only */
  int32_t input2_multiplier, input2_shift;
  int32_t output_multiplier, output_shift;
  ts_activation activation;
} ts_add_params;

typedef struct {
  int32_t input_multiplier;  /* beta * input_scale * 2^26 in fixed point */
  int32_t input_left_shift;  /* in [0, 31] */
  int32_t diff_min;          /* differences below this contribute exp = 0 */
} ts_softmax_params;

typedef struct {
  float scale;
  int32_t zero_point;
} ts_quantize_params;

typedef struct {
  double scale; /* the product is formed in double, as the reference does */
  int32_t zero_point;
} ts_dequantize_params;

/* ---- kernels ---- */

/* Bytes of scratch ts_conv_s8 needs: two im2col columns of
 * filter_h * filter_w * input_channels q15 values. */
int32_t ts_conv_s8_scratch_size(const ts_dims *filter_dims);

ts_status ts_conv_s8(const ts_conv_params *params, const ts_per_channel_quant *quant,
                     const ts_dims *input_dims, const int8_t *input, const ts_dims *filter_dims,
                     const int8_t *filter, const int32_t *bias, const ts_dims *output_dims,
                     int8_t *output, const ts_context *context);

ts_status ts_depthwise_conv_s8(const ts_depthwise_conv_params *params,
                               const ts_per_channel_quant *quant, const ts_dims *input_dims,
                               const int8_t *input, const ts_dims *filter_dims,
                               const int8_t *filter, const int32_t *bias,
                               const ts_dims *output_dims, int8_t *output);

/* filter holds units * depth weights (filter_dims->c = depth); output_dims->c =
 * units and every other output dimension is a batch. */
ts_status ts_fully_connected_s8(const ts_fully_connected_params *params,
                                const ts_per_channel_quant *quant, const ts_dims *input_dims,
                                const int8_t *input, const ts_dims *filter_dims,
                                const int8_t *filter, const int32_t *bias,
                                const ts_dims *output_dims, int8_t *output);

ts_status ts_max_pool_s8(const ts_pool_params *params, const ts_dims *input_dims,
                         const int8_t *input, const ts_dims *output_dims, int8_t *output);

ts_status ts_avg_pool_s8(const ts_pool_params *params, const ts_dims *input_dims,
                         const int8_t *input, const ts_dims *output_dims, int8_t *output);

/* Same-shape element-wise add (no broadcasting). */
ts_status ts_add_s8(const ts_add_params *params, const ts_dims *dims, const int8_t *input1,
                    const int8_t *input2, int8_t *output);

/* Softmax over the last dimension (rows of dims->c <= 4096 values); output
 * scale 1/256, zero point -128. */
ts_status ts_softmax_s8(const ts_softmax_params *params, const ts_dims *dims,
                        const int8_t *input, int8_t *output);

ts_status ts_quantize_f32_s8(const ts_quantize_params *params, int32_t size, const float *input,
                             int8_t *output);

ts_status ts_dequantize_s8_f32(const ts_dequantize_params *params, int32_t size,
                               const int8_t *input, float *output);

#ifdef __cplusplus
}
#endif

#endif /* TINYSKIP_RUNTIME_H */
