#include "sim/simulator.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <set>

#include <fmt/format.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "sim/kernels/add_s8.h"
#include "sim/kernels/avg_pool_s8.h"
#include "sim/kernels/conv_s8_gemm.h"
#include "sim/kernels/depthwise_conv_s8.h"
#include "sim/kernels/fully_connected_s8_gemm.h"
#include "sim/kernels/dequantize_s8_f32.h"
#include "sim/kernels/max_pool_s8.h"
#include "sim/kernels/op_params.h"
#include "sim/kernels/quantize_f32_s8.h"
#include "sim/kernels/softmax_s8.h"

namespace tinyskip::sim {

// Everything an op needs at run time, derived once per design point.
struct PreparedOp {
  const Op* op = nullptr;
  int input = -1, input2 = -1, output = -1;  // tensor indices
  Shape4 input_shape, input2_shape, filter_shape, output_shape;  // per image (n = 1)
  ConvParams conv;
  FullyConnectedParams fully_connected;
  PoolParams pool;
  AddParams add;
  std::shared_ptr<const AddTable> add_table;  // ADD: every result, one lookup per element
  SoftmaxParams softmax;
  QuantizeParams quantize;
  DequantizeParams dequantize;
  ChannelRequant requant;
  const int32_t* bias = nullptr;
  PackedFilter packed;                   // CONV_2D, FULLY_CONNECTED (mask applied)
  std::vector<int8_t> depthwise_filter;  // DEPTHWISE_CONV_2D (mask applied)
};

class PreparedNetwork {
 public:
  std::vector<PreparedOp> ops;
  std::vector<int64_t> tensor_bytes_per_image;  // 0 for constants
};

namespace {

Shape4 batched(Shape4 shape, int images) {
  shape.n = images;
  return shape;
}

const WeightMask* mask_for(const MaskSet& masks, const Op& op) {
  const auto it = masks.find(op.index);
  return it == masks.end() ? nullptr : &it->second;
}

void check_mask(const Graph& graph, const Op& op, const WeightMask* mask) {
  if (!mask) return;
  if (op.type != OpType::kConv2D && op.type != OpType::kDepthwiseConv2D && op.type != OpType::kFullyConnected)
    throw SimulatorError(fmt::format("{}: {}: a weight mask was given for an op without weights",
                                     graph.source, graph.describe(op)));
  const int64_t weights = graph.input_of(op, 1).num_elements();
  if (static_cast<int64_t>(mask->skip.size()) != weights)
    throw SimulatorError(fmt::format("{}: {}: weight mask has {} entries, the filter has {} weights",
                                     graph.source, graph.describe(op), mask->skip.size(), weights));
}

PreparedOp prepare_op(const Graph& graph, const Op& op, const WeightMask* mask) {
  check_mask(graph, op, mask);
  PreparedOp p;
  p.op = &op;
  p.input = op.inputs.at(0);
  p.output = op.outputs.at(0);
  p.input_shape = shape_of(graph.tensor(p.input));
  p.output_shape = shape_of(graph.tensor(p.output));
  const uint8_t* skip = mask ? mask->skip.data() : nullptr;
  const auto bias_of = [&]() -> const int32_t* {
    return op.inputs.size() > 2 && op.inputs[2] >= 0 ? graph.tensor(op.inputs[2]).values<int32_t>().data() : nullptr;
  };
  switch (op.type) {
    case OpType::kConv2D: {
      const Tensor& filter = graph.input_of(op, 1);
      p.filter_shape = shape_of(filter);
      std::tie(p.conv, p.requant) = make_conv_params(graph, op);
      p.packed = pack_filter(filter.values<int8_t>().data(), p.filter_shape, skip);
      p.bias = bias_of();
      break;
    }
    case OpType::kFullyConnected: {
      const Tensor& filter = graph.input_of(op, 1);
      p.filter_shape = shape_of(filter);
      std::tie(p.fully_connected, p.requant) = make_fully_connected_params(graph, op);
      p.packed = pack_fully_connected_filter(filter.values<int8_t>().data(), p.filter_shape, skip);
      p.bias = bias_of();
      break;
    }
    case OpType::kDepthwiseConv2D: {
      const Tensor& filter = graph.input_of(op, 1);
      p.filter_shape = shape_of(filter);
      std::tie(p.conv, p.requant) = make_depthwise_params(graph, op);
      const auto weights = filter.values<int8_t>();
      p.depthwise_filter.assign(weights.begin(), weights.end());
      if (skip)
        for (size_t i = 0; i < p.depthwise_filter.size(); ++i)
          if (skip[i]) p.depthwise_filter[i] = 0;
      p.bias = bias_of();
      break;
    }
    case OpType::kMaxPool2D:
    case OpType::kAveragePool2D: p.pool = make_pool_params(graph, op); break;
    case OpType::kAdd:
      p.input2 = op.inputs.at(1);
      p.input2_shape = shape_of(graph.tensor(p.input2));
      p.add = make_add_params(graph, op);
      p.add_table = std::make_shared<const AddTable>(make_add_table(p.add));
      break;
    case OpType::kSoftmax: p.softmax = make_softmax_params(graph, op); break;
    case OpType::kQuantize: p.quantize = make_quantize_params(graph, op); break;
    case OpType::kDequantize: p.dequantize = make_dequantize_params(graph, op); break;
    case OpType::kReshape: break;
  }
  return p;
}

// Per-worker activation buffers for a chunk of images, one per tensor.
struct Workspace {
  std::vector<std::vector<uint8_t>> tensors;
  GemmScratch gemm;
};

template <class T>
T* as(std::vector<uint8_t>& buffer) {
  return reinterpret_cast<T*>(buffer.data());
}

void run_op(const PreparedOp& p, int n, Workspace& ws) {
  auto& in = ws.tensors[static_cast<size_t>(p.input)];
  auto& out = ws.tensors[static_cast<size_t>(p.output)];
  const Shape4 in_shape = batched(p.input_shape, n), out_shape = batched(p.output_shape, n);
  switch (p.op->type) {
    case OpType::kConv2D:
      conv_s8_nhwc_gemm(p.conv, p.requant, in_shape, as<int8_t>(in), p.packed, p.bias, out_shape, as<int8_t>(out),
                        ws.gemm);
      break;
    case OpType::kFullyConnected:
      fully_connected_s8_gemm(p.fully_connected, p.requant, in_shape, as<int8_t>(in), p.packed, p.bias, out_shape,
                              as<int8_t>(out), ws.gemm);
      break;
    case OpType::kDepthwiseConv2D:
      depthwise_conv_s8_nhwc(p.conv, p.requant, in_shape, as<int8_t>(in), p.filter_shape, p.depthwise_filter.data(),
                             p.bias, out_shape, as<int8_t>(out));
      break;
    case OpType::kMaxPool2D: max_pool_s8_nhwc(p.pool, in_shape, as<int8_t>(in), out_shape, as<int8_t>(out)); break;
    case OpType::kAveragePool2D: avg_pool_s8_nhwc(p.pool, in_shape, as<int8_t>(in), out_shape, as<int8_t>(out)); break;
    case OpType::kAdd: {
      auto& in2 = ws.tensors[static_cast<size_t>(p.input2)];
      add_s8_table(*p.add_table, in_shape, as<int8_t>(in), batched(p.input2_shape, n), as<int8_t>(in2), out_shape,
                   as<int8_t>(out));
      break;
    }
    case OpType::kSoftmax: softmax_s8(p.softmax, in_shape, as<int8_t>(in), out_shape, as<int8_t>(out)); break;
    case OpType::kQuantize: quantize_f32_s8(p.quantize, in_shape, as<float>(in), out_shape, as<int8_t>(out)); break;
    case OpType::kDequantize:
      dequantize_s8_f32(p.dequantize, in_shape, as<int8_t>(in), out_shape, as<float>(out));
      break;
    case OpType::kReshape:  // same bytes, new shape
      std::memcpy(out.data(), in.data(), static_cast<size_t>(out_shape.elements()) * sizeof(int8_t));
      break;
  }
}

}  // namespace

Simulator::Simulator(const Graph& graph, const MaskSet& masks)
    : graph_(graph), prepared_(std::make_unique<PreparedNetwork>()) {
  for (const auto& [op_index, mask] : masks)
    if (op_index < 0 || op_index >= static_cast<int>(graph.ops.size()))
      throw SimulatorError(fmt::format("{}: weight mask for op {}, but the model has {} ops", graph.source, op_index,
                                       graph.ops.size()));
  for (const Op& op : graph.ops) prepared_->ops.push_back(prepare_op(graph, op, mask_for(masks, op)));
  prepared_->tensor_bytes_per_image.resize(graph.tensors.size());
  for (size_t t = 0; t < graph.tensors.size(); ++t) {
    const Tensor& tensor = graph.tensors[t];
    if (!tensor.is_constant()) prepared_->tensor_bytes_per_image[t] = tensor.num_bytes();
  }
}

Simulator::~Simulator() = default;
Simulator::Simulator(Simulator&&) noexcept = default;

DataType Simulator::output_type() const { return graph_.tensor(graph_.output).type; }
int Simulator::num_classes() const { return static_cast<int>(graph_.tensor(graph_.output).num_elements()); }

size_t Activations::bytes() const {
  size_t total = 0;
  for (const auto& [tensor, buffer] : tensors) total += buffer.size();
  return total;
}

std::vector<int> Simulator::live_tensors(int position) const {
  const int num_ops = static_cast<int>(graph_.ops.size());
  if (position < 0 || position > num_ops)
    throw SimulatorError(fmt::format("{}: no op position {} (the model has {} ops)", graph_.source, position, num_ops));
  std::set<int> written = {graph_.input}, live;
  for (int o = 0; o < position; ++o)
    for (int t : graph_.ops[static_cast<size_t>(o)].outputs) written.insert(t);
  for (int o = position; o < num_ops; ++o)
    for (int t : graph_.ops[static_cast<size_t>(o)].inputs)
      if (written.count(t)) live.insert(t);
  if (written.count(graph_.output)) live.insert(graph_.output);
  return {live.begin(), live.end()};
}

Activations Simulator::activations(int position, int first_image, int images) const {
  Activations a;
  a.position = position;
  a.first_image = first_image;
  a.images = images;
  for (int t : live_tensors(position))
    a.tensors[t].resize(static_cast<size_t>(images) * prepared_->tensor_bytes_per_image[static_cast<size_t>(t)]);
  return a;
}

namespace {

// The checks run() makes before it starts: inputs of the model's type, a
// range inside them, captures of int8 activations the run computes, and
// start and checkpoint buffers that cover the range at usable positions.
void check_run(const Simulator& simulator, const ModelInputs& inputs, const RunOptions& options, int first, int count,
               const std::vector<int64_t>& tensor_bytes) {
  const Graph& graph = simulator.graph();
  const Tensor& input = graph.tensor(graph.input);
  if (inputs.input_type() != input.type || inputs.bytes_per_input() != input.num_bytes())
    throw SimulatorError(fmt::format("{}: model input is {} bytes of {}, {} was encoded as {} bytes of {}",
                                     graph.source, input.num_bytes(), data_type_name(input.type), inputs.source(),
                                     inputs.bytes_per_input(), data_type_name(inputs.input_type())));
  if (first < 0 || count < 0 || first + count > inputs.size())
    throw SimulatorError(fmt::format("{}: images [{}, {}) are outside its {} inputs", inputs.source(), first,
                                     first + count, inputs.size()));
  const int start = options.start ? options.start->position : 0;
  std::set<int> computed;  // tensors a run from `start` writes
  for (size_t o = static_cast<size_t>(start); o < graph.ops.size(); ++o)
    for (int t : graph.ops[o].outputs) computed.insert(t);
  for (int t : options.capture)
    if (t < 0 || t >= static_cast<int>(graph.tensors.size()) || graph.tensor(t).is_constant() ||
        graph.tensor(t).type != DataType::kInt8 || (start > 0 && !computed.count(t)))
      throw SimulatorError(fmt::format("{}: tensor {} cannot be captured (not an int8 activation this run computes)",
                                       graph.source, t));
  const auto check_buffers = [&](const Activations& a, const char* what) {
    if (a.first_image > first || a.first_image + a.images < first + count)
      throw SimulatorError(fmt::format("{}: {} activations cover images [{}, {}), the run needs [{}, {})",
                                       graph.source, what, a.first_image, a.first_image + a.images, first,
                                       first + count));
    const std::vector<int> live = simulator.live_tensors(a.position);
    if (a.tensors.size() != live.size() ||
        !std::equal(live.begin(), live.end(), a.tensors.begin(), [](int t, const auto& entry) { return t == entry.first; }))
      throw SimulatorError(fmt::format("{}: {} activations do not hold the tensors live before op {}", graph.source,
                                       what, a.position));
    for (const auto& [t, buffer] : a.tensors)
      if (buffer.size() != static_cast<size_t>(a.images) * tensor_bytes[static_cast<size_t>(t)])
        throw SimulatorError(fmt::format("{}: {} activations of tensor {} have {} bytes, not {}", graph.source, what,
                                         t, buffer.size(), static_cast<size_t>(a.images) * tensor_bytes[static_cast<size_t>(t)]));
  };
  if (options.start) check_buffers(*options.start, "start");
  for (const Activations* checkpoint : options.checkpoints) {
    if (!checkpoint || checkpoint->position < start || checkpoint->position > static_cast<int>(graph.ops.size()))
      throw SimulatorError(fmt::format("{}: a checkpoint must not lie before the run's start at op {}", graph.source, start));
    check_buffers(*checkpoint, "checkpoint");
  }
}

// Byte offset of run image `first` inside a range-wide buffer of `bytes` per image.
size_t range_offset(const Activations& a, int first, size_t bytes) {
  return static_cast<size_t>(first - a.first_image) * bytes;
}

// A chunk's start: `n` images of every live tensor from range-wide buffers.
void load_activations(const Activations& a, Workspace& ws, int first, int n, const std::vector<int64_t>& tensor_bytes) {
  for (const auto& [t, buffer] : a.tensors) {
    const size_t bytes = static_cast<size_t>(tensor_bytes[static_cast<size_t>(t)]);
    std::memcpy(ws.tensors[static_cast<size_t>(t)].data(), buffer.data() + range_offset(a, first, bytes), n * bytes);
  }
}

// A chunk's checkpoint: the other direction.
void store_activations(Activations& a, const Workspace& ws, int first, int n, const std::vector<int64_t>& tensor_bytes) {
  for (auto& [t, buffer] : a.tensors) {
    const size_t bytes = static_cast<size_t>(tensor_bytes[static_cast<size_t>(t)]);
    std::memcpy(buffer.data() + range_offset(a, first, bytes), ws.tensors[static_cast<size_t>(t)].data(), n * bytes);
  }
}

}  // namespace

RunOutput Simulator::run(const ModelInputs& inputs, const RunOptions& options) const {
  const int first_image = options.first_image;
  const int count = options.images < 0 ? inputs.size() - first_image : options.images;
  const std::vector<int64_t>& tensor_bytes = prepared_->tensor_bytes_per_image;
  check_run(*this, inputs, options, first_image, count, tensor_bytes);

  RunOutput result;
  result.images = count;
  result.bytes_per_image = static_cast<int>(graph_.tensor(graph_.output).num_bytes());
  result.outputs.resize(static_cast<size_t>(result.images) * result.bytes_per_image);
  for (int t : options.capture)
    result.captured[t].resize(static_cast<size_t>(result.images) * tensor_bytes[static_cast<size_t>(t)]);
  // Checkpoints in op order, so one pass over the ops meets each in turn.
  std::vector<Activations*> checkpoints = options.checkpoints;
  std::stable_sort(checkpoints.begin(), checkpoints.end(),
                   [](const Activations* a, const Activations* b) { return a->position < b->position; });
  const size_t start = options.start ? static_cast<size_t>(options.start->position) : 0;

  const int chunk = std::max(1, options.images_per_chunk);
  const int num_chunks = (count + chunk - 1) / chunk;
  tbb::enumerable_thread_specific<Workspace> workspaces([&] {
    Workspace ws;
    ws.tensors.resize(graph_.tensors.size());
    for (size_t t = 0; t < ws.tensors.size(); ++t) ws.tensors[t].resize(static_cast<size_t>(tensor_bytes[t]) * chunk);
    return ws;
  });
  std::atomic<int> done{0};

  const auto run_chunk = [&](int c) {
    Workspace& ws = workspaces.local();
    const int offset = c * chunk;  // within the run's range
    const int first = first_image + offset;
    const int n = std::min(chunk, count - offset);
    if (options.start)
      load_activations(*options.start, ws, first, n, tensor_bytes);
    else
      inputs.encode(first, n, ws.tensors[static_cast<size_t>(graph_.input)].data());
    size_t next_checkpoint = 0;
    for (size_t o = start; o <= prepared_->ops.size(); ++o) {
      for (; next_checkpoint < checkpoints.size() && checkpoints[next_checkpoint]->position == static_cast<int>(o);
           ++next_checkpoint)
        store_activations(*checkpoints[next_checkpoint], ws, first, n, tensor_bytes);
      if (o < prepared_->ops.size()) run_op(prepared_->ops[o], n, ws);
    }
    std::memcpy(result.outputs.data() + static_cast<size_t>(offset) * result.bytes_per_image,
                ws.tensors[static_cast<size_t>(graph_.output)].data(), static_cast<size_t>(n) * result.bytes_per_image);
    for (int t : options.capture) {
      const size_t bytes = static_cast<size_t>(tensor_bytes[static_cast<size_t>(t)]);
      std::memcpy(result.captured[t].data() + offset * bytes, ws.tensors[static_cast<size_t>(t)].data(), n * bytes);
    }
    const int now = done.fetch_add(n) + n;
    if (options.progress) options.progress(now, count);
  };

  const int threads = options.threads > 0 ? options.threads : tbb::info::default_concurrency();
  tbb::task_arena arena(threads);
  arena.execute([&] {
    tbb::parallel_for(tbb::blocked_range<int>(0, num_chunks, 1), [&](const tbb::blocked_range<int>& range) {
      for (int c = range.begin(); c < range.end(); ++c) run_chunk(c);
    });
  });
  return result;
}

int top1_class(const uint8_t* output, DataType type, int num_classes) {
  int best = 0;
  if (type == DataType::kFloat32) {
    const auto value = [&](int c) {
      float v;
      std::memcpy(&v, output + static_cast<size_t>(c) * sizeof(float), sizeof(float));
      return v;
    };
    for (int c = 1; c < num_classes; ++c)
      if (value(c) > value(best)) best = c;  // strict: ties keep the lower index
  } else {
    const auto* values = reinterpret_cast<const int8_t*>(output);
    for (int c = 1; c < num_classes; ++c)
      if (values[c] > values[best]) best = c;
  }
  return best;
}

std::vector<int> top1_classes(const RunOutput& run, DataType type, int num_classes) {
  std::vector<int> classes(static_cast<size_t>(run.images));
  for (int i = 0; i < run.images; ++i) classes[static_cast<size_t>(i)] = top1_class(run.output(i), type, num_classes);
  return classes;
}

int count_correct(const RunOutput& run, const ModelInputs& inputs, DataType type, int num_classes) {
  if (!inputs.labelled())
    throw SimulatorError(fmt::format("{}: has no labels, so top-1 accuracy cannot be scored", inputs.source()));
  if (run.images != inputs.size())
    throw SimulatorError(fmt::format("{}: {} inputs, but the run has {} outputs", inputs.source(), inputs.size(),
                                     run.images));
  int correct = 0;
  for (int i = 0; i < run.images; ++i)
    correct += top1_class(run.output(i), type, num_classes) == inputs.labels()[static_cast<size_t>(i)];
  return correct;
}

}  // namespace tinyskip::sim
