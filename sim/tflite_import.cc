// .tflite -> Graph. The flatbuffer is verified as a whole before any field is
// read, so a corrupted or truncated file can only produce a ModelError. This
// file only translates (tensors, operator codes, builtin options); what makes
// a graph executable is checked afterwards by validate_graph on the IR.
#include "sim/tflite_import.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <vector>

#include <fmt/format.h>
#include <flatbuffers/flatbuffers.h>

#include "sim/graph_validate.h"
#include "sim/schema/tflite_subset_generated.h"

namespace tinyskip::sim {
namespace {

namespace fb = tinyskip::tflite;

// BuiltinOperator codes of the public TFLite schema.
enum BuiltinCode : int32_t {
  kAdd = 0,
  kAveragePool2D = 1,
  kConv2D = 3,
  kDepthwiseConv2D = 4,
  kDequantize = 6,
  kFullyConnected = 9,
  kMaxPool2D = 17,
  kReshape = 22,
  kSoftmax = 25,
  kCustom = 32,
  kQuantize = 114,
};

// Names of builtin codes that commonly turn up in TinyML models, so that an
// unsupported op is reported by name.
struct BuiltinName {
  int32_t code;
  const char* name;
};
constexpr BuiltinName kBuiltinNames[] = {
    {0, "ADD"},           {1, "AVERAGE_POOL_2D"},   {2, "CONCATENATION"},
    {3, "CONV_2D"},       {4, "DEPTHWISE_CONV_2D"}, {5, "DEPTH_TO_SPACE"},
    {6, "DEQUANTIZE"},    {8, "FLOOR"},             {9, "FULLY_CONNECTED"},
    {11, "L2_NORMALIZATION"}, {12, "L2_POOL_2D"},   {14, "LOGISTIC"},
    {16, "LSTM"},         {17, "MAX_POOL_2D"},      {18, "MUL"},
    {19, "RELU"},         {20, "RELU_N1_TO_1"},     {21, "RELU6"},
    {22, "RESHAPE"},      {23, "RESIZE_BILINEAR"},  {25, "SOFTMAX"},
    {26, "SPACE_TO_DEPTH"}, {27, "SVDF"},           {28, "TANH"},
    {32, "CUSTOM"},       {34, "PAD"},              {36, "GATHER"},
    {39, "TRANSPOSE"},    {40, "MEAN"},             {41, "SUB"},
    {42, "DIV"},          {43, "SQUEEZE"},          {45, "STRIDED_SLICE"},
    {47, "EXP"},          {49, "SPLIT"},            {50, "LOG_SOFTMAX"},
    {53, "CAST"},         {54, "PRELU"},            {55, "MAXIMUM"},
    {56, "ARG_MAX"},      {57, "MINIMUM"},          {60, "PADV2"},
    {65, "SLICE"},        {67, "TRANSPOSE_CONV"},   {70, "EXPAND_DIMS"},
    {74, "SUM"},          {82, "REDUCE_MAX"},       {83, "PACK"},
    {88, "UNPACK"},       {97, "RESIZE_NEAREST_NEIGHBOR"}, {98, "LEAKY_RELU"},
    {100, "MIRROR_PAD"},  {102, "SPLIT_V"},         {114, "QUANTIZE"},
    {117, "HARD_SWISH"},  {126, "BATCH_MATMUL"},
};

[[noreturn]] void fail(const std::string& source, const std::string& what) {
  throw ModelError(fmt::format("{}: {}", source, what));
}

// The start of every message about one tensor or op: "lenet.tflite: op 4 (MUL)".
struct Context {
  std::string prefix;

  [[noreturn]] void fail(const std::string& what) const { throw ModelError(fmt::format("{}: {}", prefix, what)); }
};

// ------------------------------------------------------------- envelope --

std::string printable(std::span<const uint8_t> bytes) {
  std::string text;
  for (uint8_t b : bytes) text += (b >= 0x20 && b < 0x7f) ? fmt::format("{:c}", b) : fmt::format("\\x{:02x}", b);
  return text;
}

// Size and file identifier, before the verifier runs, for clearer messages
// than "verification failed" on files that are not TFLite at all.
void check_envelope(std::span<const uint8_t> bytes, const std::string& source) {
  constexpr size_t kHeaderSize = 8;  // root offset + "TFL3"
  if (bytes.empty()) fail(source, "file is empty");
  if (bytes.size() < kHeaderSize)
    fail(source, fmt::format("file is too small ({} bytes) to be a TFLite model", bytes.size()));
  if (bytes.size() >= FLATBUFFERS_MAX_BUFFER_SIZE)
    fail(source, fmt::format("file is too large ({} bytes) for a flatbuffer", bytes.size()));
  if (!fb::ModelBufferHasIdentifier(bytes.data()))
    fail(source, fmt::format("not a TFLite model: file identifier is '{}', expected '{}'",
                             printable(bytes.subspan(4, 4)), fb::ModelIdentifier()));
}

// --------------------------------------------------------------- tensors --

DataType convert_type(int8_t ordinal) {
  switch (ordinal) {  // TensorType ordinals of the TFLite schema
    case 0: return DataType::kFloat32;
    case 2: return DataType::kInt32;
    case 3: return DataType::kUInt8;
    case 4: return DataType::kInt64;
    case 7: return DataType::kInt16;
    case 9: return DataType::kInt8;
    default: return DataType::kOther;
  }
}

template <class T>
std::vector<T> copy_vector(const flatbuffers::Vector<T>* vector) {
  return vector ? std::vector<T>(vector->begin(), vector->end()) : std::vector<T>{};
}

// Constant data and the vectors below are copied as raw bytes: flatbuffers
// are little-endian, and so must the host be.
static_assert(FLATBUFFERS_LITTLEENDIAN, "tinyskip reads .tflite data in host byte order");

// The verifier aligns a vector's length field to 4 bytes only, so 8-byte
// elements may sit at 4 mod 8: copy them bytewise instead of loading in place.
std::vector<int64_t> copy_int64_vector(const flatbuffers::Vector<int64_t>* vector) {
  std::vector<int64_t> values(vector ? vector->size() : 0);
  if (!values.empty()) std::memcpy(values.data(), vector->Data(), values.size() * sizeof(int64_t));
  return values;
}

class ModelReader {
 public:
  ModelReader(const fb::Model& model, const std::string& source) : model_(model), source_(source) {}

  Graph read() {
    const fb::SubGraph& subgraph = single_subgraph();
    Graph graph;
    graph.source = source_;
    graph.input = single_index(subgraph.inputs(), "inputs");
    graph.output = single_index(subgraph.outputs(), "outputs");
    if (const auto* tensors = subgraph.tensors())
      for (flatbuffers::uoffset_t i = 0; i < tensors->size(); ++i)
        graph.tensors.push_back(read_tensor(*tensors->Get(i), static_cast<int>(i)));
    if (const auto* operators = subgraph.operators())
      for (flatbuffers::uoffset_t i = 0; i < operators->size(); ++i)
        graph.ops.push_back(read_op(*operators->Get(i), static_cast<int>(i)));
    return graph;
  }

 private:
  const fb::SubGraph& single_subgraph() const {
    const auto* subgraphs = model_.subgraphs();
    const size_t count = subgraphs ? subgraphs->size() : 0;
    if (count != 1) fail(source_, fmt::format("model has {} subgraphs, expected exactly 1", count));
    return *subgraphs->Get(0);
  }

  int single_index(const flatbuffers::Vector<int32_t>* indices, const char* what) const {
    const size_t count = indices ? indices->size() : 0;
    if (count != 1) fail(source_, fmt::format("graph has {} {}, expected exactly 1", count, what));
    return indices->Get(0);
  }

  Tensor read_tensor(const fb::Tensor& in, int index) {
    Tensor tensor;
    tensor.name = in.name() ? in.name()->str() : std::string{};
    const Context context{fmt::format("{}: tensor {} '{}'", source_, index, tensor.name)};
    tensor.shape = copy_vector(in.shape());
    tensor.type = convert_type(in.type());
    if (in.is_variable()) context.fail("variable tensors are not supported");
    if (const fb::QuantizationParameters* quant = in.quantization()) {
      if (quant->details_type() != fb::QuantizationDetails::NONE)
        context.fail("custom quantization is not supported");
      tensor.quant.scale = copy_vector(quant->scale());
      for (int64_t zero_point : copy_int64_vector(quant->zero_point())) {
        if (zero_point < std::numeric_limits<int32_t>::min() || zero_point > std::numeric_limits<int32_t>::max())
          context.fail(fmt::format("zero point {} does not fit in 32 bits", zero_point));
        tensor.quant.zero_point.push_back(static_cast<int32_t>(zero_point));
      }
      tensor.quant.quantized_dimension = quant->quantized_dimension();
    }
    const auto* buffers = model_.buffers();
    const size_t num_buffers = buffers ? buffers->size() : 0;
    if (in.buffer() >= num_buffers)
      context.fail(fmt::format("buffer index {} out of range (model has {} buffers)", in.buffer(), num_buffers));
    const fb::Buffer& buffer = *buffers->Get(in.buffer());
    if (buffer.offset() != 0)
      context.fail(fmt::format("data stored outside the flatbuffer (buffer {} at offset {}) is not supported",
                              in.buffer(), buffer.offset()));
    // Tensors may share a buffer, so a small file could ask for many copies
    // of a large one; bound the total instead of trusting the file.
    const size_t size = buffer.data() ? buffer.data()->size() : 0;
    if (size > kMaxConstantBytes - constant_bytes_)
      context.fail(fmt::format("constants exceed {} bytes in total", kMaxConstantBytes));
    constant_bytes_ += size;
    tensor.data = copy_vector(buffer.data());  // size checked against the shape by validate_graph
    return tensor;
  }

  // ----------------------------------------------------------- operators --

  Op read_op(const fb::Operator& in, int index) const {
    const auto* codes = model_.operator_codes();
    const size_t num_codes = codes ? codes->size() : 0;
    if (in.opcode_index() >= num_codes)
      fail(source_, fmt::format("op {}: opcode index {} out of range (model has {} operator codes)", index,
                                in.opcode_index(), num_codes));
    const fb::OperatorCode& code = *codes->Get(in.opcode_index());
    // Files from before the int32 builtin_code field only fill the byte;
    // newer ones put 127 (a placeholder) in the byte for codes above 127.
    const int32_t builtin = std::max<int32_t>(code.deprecated_builtin_code(), code.builtin_code());
    const Context context{fmt::format("{}: op {} ({})", source_, index, builtin_operator_name(builtin))};
    if (builtin == kCustom)
      context.fail(fmt::format("custom operator '{}' is not supported",
                          code.custom_code() ? code.custom_code()->str() : std::string("<unnamed>")));

    Op op;
    op.index = index;
    op.inputs = copy_vector(in.inputs());
    op.outputs = copy_vector(in.outputs());
    const char* missing = nullptr;  // name of required options that are absent
    switch (builtin) {
      case kConv2D:
        op.type = OpType::kConv2D;
        if (const auto* o = in.builtin_options_as_Conv2DOptions()) {
          op.options.padding = convert_padding(o->padding(), context);
          op.options.stride_h = o->stride_h();
          op.options.stride_w = o->stride_w();
          op.options.dilation_h = o->dilation_h_factor();
          op.options.dilation_w = o->dilation_w_factor();
          op.options.activation = convert_activation(o->fused_activation_function(), context);
        } else {
          missing = "Conv2DOptions";
        }
        break;
      case kDepthwiseConv2D:
        op.type = OpType::kDepthwiseConv2D;
        if (const auto* o = in.builtin_options_as_DepthwiseConv2DOptions()) {
          op.options.padding = convert_padding(o->padding(), context);
          op.options.stride_h = o->stride_h();
          op.options.stride_w = o->stride_w();
          op.options.dilation_h = o->dilation_h_factor();
          op.options.dilation_w = o->dilation_w_factor();
          op.options.depth_multiplier = o->depth_multiplier();
          op.options.activation = convert_activation(o->fused_activation_function(), context);
        } else {
          missing = "DepthwiseConv2DOptions";
        }
        break;
      case kMaxPool2D:
      case kAveragePool2D:
        op.type = builtin == kMaxPool2D ? OpType::kMaxPool2D : OpType::kAveragePool2D;
        if (const auto* o = in.builtin_options_as_Pool2DOptions()) {
          op.options.padding = convert_padding(o->padding(), context);
          op.options.stride_h = o->stride_h();
          op.options.stride_w = o->stride_w();
          op.options.filter_h = o->filter_height();
          op.options.filter_w = o->filter_width();
          op.options.activation = convert_activation(o->fused_activation_function(), context);
        } else {
          missing = "Pool2DOptions";
        }
        break;
      case kFullyConnected:  // options optional: all-default means no activation
        op.type = OpType::kFullyConnected;
        if (const auto* o = in.builtin_options_as_FullyConnectedOptions()) {
          if (o->weights_format() != 0)
            context.fail(fmt::format("weights format {} (shuffled) is not supported", o->weights_format()));
          op.options.activation = convert_activation(o->fused_activation_function(), context);
        }
        break;
      case kAdd:  // options optional, as for FULLY_CONNECTED
        op.type = OpType::kAdd;
        if (const auto* o = in.builtin_options_as_AddOptions())
          op.options.activation = convert_activation(o->fused_activation_function(), context);
        break;
      case kSoftmax:
        op.type = OpType::kSoftmax;
        if (const auto* o = in.builtin_options_as_SoftmaxOptions())
          op.options.softmax_beta = o->beta();
        else
          missing = "SoftmaxOptions";  // beta has no usable default (the schema's is 0)
        break;
      case kReshape:  // ReshapeOptions.new_shape is redundant with the output shape
        op.type = OpType::kReshape;
        break;
      case kQuantize:
        op.type = OpType::kQuantize;
        break;
      case kDequantize:
        op.type = OpType::kDequantize;
        break;
      default:
        context.fail("unsupported operator");
    }
    if (missing)
      context.fail(fmt::format("missing {} (builtin options are {})", missing,
                          options_type_name(in.builtin_options_type())));
    return op;
  }

  static Padding convert_padding(int8_t code, const Context& context) {
    switch (code) {  // Padding enum of the schema; absent field = 0 = SAME
      case 0: return Padding::kSame;
      case 1: return Padding::kValid;
      default: context.fail(fmt::format("unknown padding code {}", code));
    }
  }

  static Activation convert_activation(int8_t code, const Context& context) {
    switch (code) {  // ActivationFunctionType enum of the schema
      case 0: return Activation::kNone;
      case 1: return Activation::kRelu;
      case 3: return Activation::kRelu6;
      case 2: context.fail("fused activation RELU_N1_TO_1 is not supported");
      case 4: context.fail("fused activation TANH is not supported");
      case 5: context.fail("fused activation SIGN_BIT is not supported");
      default: context.fail(fmt::format("unknown fused activation code {}", code));
    }
  }

  static std::string options_type_name(fb::BuiltinOptions type) {
    if (type == fb::BuiltinOptions::NONE) return "absent";
    const char* name = fb::EnumNameBuiltinOptions(type);
    return (name && *name) ? name : fmt::format("union type {}", static_cast<int>(type));
  }

  static constexpr size_t kMaxConstantBytes = size_t{1} << 30;

  const fb::Model& model_;
  const std::string& source_;
  size_t constant_bytes_ = 0;
};

}  // namespace

std::string builtin_operator_name(int32_t code) {
  for (const BuiltinName& entry : kBuiltinNames)
    if (entry.code == code) return entry.name;
  return fmt::format("builtin code {}", code);
}

Graph parse_tflite(std::span<const uint8_t> bytes, const std::string& source_name) {
  check_envelope(bytes, source_name);
  // Flatbuffer accessors load scalars in place, so the buffer must be aligned
  // for the widest one (the verifier checks alignment relative to its start).
  std::vector<uint8_t> aligned_copy;
  if (reinterpret_cast<uintptr_t>(bytes.data()) % alignof(uint64_t) != 0) {
    aligned_copy.assign(bytes.begin(), bytes.end());
    bytes = aligned_copy;
  }
  flatbuffers::Verifier verifier(bytes.data(), bytes.size());
  if (!fb::VerifyModelBuffer(verifier))
    fail(source_name, "corrupt or truncated model: the flatbuffer does not verify against the TFLite schema");
  Graph graph = ModelReader(*fb::GetModel(bytes.data()), source_name).read();
  validate_graph(graph);
  return graph;
}

Graph load_tflite(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  if (!fs::exists(status)) fail(path, "cannot open model file: no such file");
  if (!fs::is_regular_file(status)) fail(path, "cannot open model file: not a regular file");
  const uintmax_t size = fs::file_size(path, error);
  if (error) fail(path, fmt::format("cannot read model file: {}", error.message()));
  if (size >= FLATBUFFERS_MAX_BUFFER_SIZE) fail(path, fmt::format("file is too large ({} bytes)", size));

  std::ifstream file(path, std::ios::binary);
  if (!file) fail(path, fmt::format("cannot open model file: {}", std::strerror(errno)));
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  file.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (file.gcount() != static_cast<std::streamsize>(bytes.size()))
    fail(path, fmt::format("cannot read model file: read {} of {} bytes", file.gcount(), bytes.size()));
  return parse_tflite(bytes, path);
}

}  // namespace tinyskip::sim
