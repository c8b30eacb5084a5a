/* Test driver for engine/runtime: reads kernel cases as whitespace-separated
 * tokens from stdin, runs the runtime kernel, and prints one line per case:
 * the ts_status followed by the output values (floats as hex bit patterns).
 * Built and run by runtime_kernels_test.cc with the host C compiler; the case
 * format is written by that test (see its CaseWriter). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/runtime/tinyskip_runtime.h"

static int64_t next_int(void) {
  char token[64];
  if (scanf("%63s", token) != 1) {
    fprintf(stderr, "driver: unexpected end of input\n");
    exit(2);
  }
  return strtoll(token, NULL, 0);
}

static uint64_t next_bits(void) {
  char token[64];
  if (scanf("%63s", token) != 1) {
    fprintf(stderr, "driver: unexpected end of input\n");
    exit(2);
  }
  return strtoull(token, NULL, 0);
}

static void *checked_malloc(size_t bytes) {
  void *p = malloc(bytes ? bytes : 1);
  if (!p) {
    fprintf(stderr, "driver: out of memory\n");
    exit(2);
  }
  return p;
}

static ts_dims next_dims(void) {
  ts_dims d;
  d.n = (int32_t)next_int();
  d.h = (int32_t)next_int();
  d.w = (int32_t)next_int();
  d.c = (int32_t)next_int();
  return d;
}

static int64_t elements(const ts_dims *d) { return (int64_t)d->n * d->h * d->w * d->c; }

static int8_t *next_s8(int64_t count) {
  int8_t *p = (int8_t *)checked_malloc((size_t)count);
  int64_t i;
  for (i = 0; i < count; ++i) p[i] = (int8_t)next_int();
  return p;
}

static int32_t *next_i32(int64_t count) {
  int32_t *p = (int32_t *)checked_malloc((size_t)count * sizeof(int32_t));
  int64_t i;
  for (i = 0; i < count; ++i) p[i] = (int32_t)next_int();
  return p;
}

static ts_activation next_activation(void) {
  ts_activation a;
  a.min = (int32_t)next_int();
  a.max = (int32_t)next_int();
  return a;
}

static void print_s8(ts_status status, const int8_t *out, int64_t count) {
  int64_t i;
  printf("%d", (int)status);
  if (status == TS_OK) {
    for (i = 0; i < count; ++i) printf(" %d", (int)out[i]);
  }
  printf("\n");
}

/* conv / depthwise / fc share: dims, scalar params, quant, data. */
static void run_filter_op(const char *op) {
  const ts_dims in_dims = next_dims(), filter_dims = next_dims(), out_dims = next_dims();
  int32_t scalars[10];
  int i;
  ts_activation activation;
  int has_bias;
  ts_per_channel_quant quant;
  int8_t *input, *filter, *output;
  int32_t *multiplier, *shift, *bias = NULL;
  ts_status status = TS_ERROR_ARGUMENT;
  const int is_fc = strcmp(op, "fc") == 0;
  const int scalar_count = is_fc ? 2 : strcmp(op, "conv") == 0 ? 8 : 9;
  for (i = 0; i < scalar_count; ++i) scalars[i] = (int32_t)next_int();
  activation = next_activation();
  has_bias = (int)next_int();
  multiplier = next_i32(out_dims.c);
  shift = next_i32(out_dims.c);
  input = next_s8(elements(&in_dims));
  filter = next_s8(elements(&filter_dims));
  if (has_bias) bias = next_i32(out_dims.c);
  output = (int8_t *)checked_malloc((size_t)elements(&out_dims));
  quant.multiplier = multiplier;
  quant.shift = shift;
  if (is_fc) {
    ts_fully_connected_params p;
    p.input_offset = scalars[0];
    p.output_offset = scalars[1];
    p.activation = activation;
    status = ts_fully_connected_s8(&p, &quant, &in_dims, input, &filter_dims, filter, bias,
                                   &out_dims, output);
  } else if (scalar_count == 8) {
    ts_conv_params p;
    ts_context context;
    p.input_offset = scalars[0];
    p.output_offset = scalars[1];
    p.stride_h = scalars[2];
    p.stride_w = scalars[3];
    p.dilation_h = scalars[4];
    p.dilation_w = scalars[5];
    p.pad_h = scalars[6];
    p.pad_w = scalars[7];
    p.activation = activation;
    context.size = ts_conv_s8_scratch_size(&filter_dims);
    context.buf = checked_malloc((size_t)context.size);
    status = ts_conv_s8(&p, &quant, &in_dims, input, &filter_dims, filter, bias, &out_dims, output,
                        &context);
    free(context.buf);
  } else {
    ts_depthwise_conv_params p;
    p.input_offset = scalars[0];
    p.output_offset = scalars[1];
    p.stride_h = scalars[2];
    p.stride_w = scalars[3];
    p.dilation_h = scalars[4];
    p.dilation_w = scalars[5];
    p.pad_h = scalars[6];
    p.pad_w = scalars[7];
    p.depth_multiplier = scalars[8];
    p.activation = activation;
    status = ts_depthwise_conv_s8(&p, &quant, &in_dims, input, &filter_dims, filter, bias,
                                  &out_dims, output);
  }
  print_s8(status, output, elements(&out_dims));
  free(multiplier);
  free(shift);
  free(input);
  free(filter);
  free(bias);
  free(output);
}

static void run_pool(int is_max) {
  const ts_dims in_dims = next_dims(), out_dims = next_dims();
  ts_pool_params p;
  int8_t *input, *output;
  ts_status status;
  p.stride_h = (int32_t)next_int();
  p.stride_w = (int32_t)next_int();
  p.filter_h = (int32_t)next_int();
  p.filter_w = (int32_t)next_int();
  p.pad_h = (int32_t)next_int();
  p.pad_w = (int32_t)next_int();
  p.activation = next_activation();
  input = next_s8(elements(&in_dims));
  output = (int8_t *)checked_malloc((size_t)elements(&out_dims));
  status = is_max ? ts_max_pool_s8(&p, &in_dims, input, &out_dims, output)
                  : ts_avg_pool_s8(&p, &in_dims, input, &out_dims, output);
  print_s8(status, output, elements(&out_dims));
  free(input);
  free(output);
}

static void run_add(void) {
  const ts_dims dims = next_dims();
  ts_add_params p;
  int8_t *in1, *in2, *output;
  ts_status status;
  p.input1_offset = (int32_t)next_int();
  p.input2_offset = (int32_t)next_int();
  p.output_offset = (int32_t)next_int();
  p.left_shift = (int32_t)next_int();
  p.input1_multiplier = (int32_t)next_int();
  p.input1_shift = (int32_t)next_int();
  p.input2_multiplier = (int32_t)next_int();
  p.input2_shift = (int32_t)next_int();
  p.output_multiplier = (int32_t)next_int();
  p.output_shift = (int32_t)next_int();
  p.activation = next_activation();
  in1 = next_s8(elements(&dims));
  in2 = next_s8(elements(&dims));
  output = (int8_t *)checked_malloc((size_t)elements(&dims));
  status = ts_add_s8(&p, &dims, in1, in2, output);
  print_s8(status, output, elements(&dims));
  free(in1);
  free(in2);
  free(output);
}

static void run_softmax(void) {
  const ts_dims dims = next_dims();
  ts_softmax_params p;
  int8_t *input, *output;
  ts_status status;
  p.input_multiplier = (int32_t)next_int();
  p.input_left_shift = (int32_t)next_int();
  p.diff_min = (int32_t)next_int();
  input = next_s8(elements(&dims));
  output = (int8_t *)checked_malloc((size_t)elements(&dims));
  status = ts_softmax_s8(&p, &dims, input, output);
  print_s8(status, output, elements(&dims));
  free(input);
  free(output);
}

static float float_from_bits(uint32_t bits) {
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

static void run_quantize(void) {
  const int32_t size = (int32_t)next_int();
  ts_quantize_params p;
  float *input = (float *)checked_malloc((size_t)size * sizeof(float));
  int8_t *output = (int8_t *)checked_malloc((size_t)size);
  int32_t i;
  ts_status status;
  p.scale = float_from_bits((uint32_t)next_bits());
  p.zero_point = (int32_t)next_int();
  for (i = 0; i < size; ++i) input[i] = float_from_bits((uint32_t)next_bits());
  status = ts_quantize_f32_s8(&p, size, input, output);
  print_s8(status, output, size);
  free(input);
  free(output);
}

static void run_dequantize(void) {
  const int32_t size = (int32_t)next_int();
  ts_dequantize_params p;
  const uint64_t scale_bits = next_bits();
  int8_t *input;
  float *output = (float *)checked_malloc((size_t)size * sizeof(float));
  int32_t i;
  ts_status status;
  memcpy(&p.scale, &scale_bits, sizeof p.scale);
  p.zero_point = (int32_t)next_int();
  input = next_s8(size);
  status = ts_dequantize_s8_f32(&p, size, input, output);
  printf("%d", (int)status);
  if (status == TS_OK) {
    for (i = 0; i < size; ++i) {
      uint32_t bits;
      memcpy(&bits, &output[i], sizeof bits);
      printf(" 0x%08" PRIx32, bits);
    }
  }
  printf("\n");
  free(input);
  free(output);
}

int main(void) {
  char op[32];
  while (scanf("%31s", op) == 1) {
    if (strcmp(op, "conv") == 0 || strcmp(op, "dwconv") == 0 || strcmp(op, "fc") == 0) {
      run_filter_op(op);
    } else if (strcmp(op, "maxpool") == 0 || strcmp(op, "avgpool") == 0) {
      run_pool(strcmp(op, "maxpool") == 0);
    } else if (strcmp(op, "add") == 0) {
      run_add();
    } else if (strcmp(op, "softmax") == 0) {
      run_softmax();
    } else if (strcmp(op, "quantize") == 0) {
      run_quantize();
    } else if (strcmp(op, "dequantize") == 0) {
      run_dequantize();
    } else {
      fprintf(stderr, "driver: unknown op '%s'\n", op);
      return 2;
    }
  }
  return 0;
}
