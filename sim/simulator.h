// The bit-exact int8 network simulator. A Simulator is prepared once per
// design point (graph + weight masks: multipliers derived, filters packed with
// skipped weights zeroed) and then runs whole image sets in parallel with
// oneTBB. Each worker pushes a chunk of images through the whole network
// before taking the next, so activations stay in cache.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "sim/graph.h"
#include "sim/data/model_inputs.h"
#include "sim/weight_mask.h"

namespace tinyskip::sim {

// The activations between two ops of the op order for a range of images:
// every non-constant tensor written before op `position` (or the graph input)
// that an op at or after it reads, or that is the graph output. Running ops
// [position, end) from them gives the same bytes as running the whole
// network, which is what lets design points that share their first masked
// layers share those layers' work (engine/explore/activation_cache.h).
struct Activations {
  int position = 0;
  int first_image = 0, images = 0;  // covers inputs [first_image, first_image + images)
  std::map<int, std::vector<uint8_t>> tensors;  // tensor index -> images * tensor bytes

  size_t bytes() const;
};

struct RunOptions {
  int threads = 0;           // 0: all hardware threads
  int images_per_chunk = 16;  // unit of work of one worker
  // Called now and then from worker threads with the number of images done.
  std::function<void(int done, int total)> progress;
  // Activation tensors (graph tensor indices) to copy out for every image,
  // e.g. the inputs of the layers whose significance is measured.
  std::vector<int> capture;
  // The inputs run: [first_image, first_image + images); images < 0: through the last.
  int first_image = 0, images = -1;
  // Start at op start->position from these activations (made by
  // Simulator::activations and filled by an earlier run over the range)
  // instead of encoding the inputs. Ops before the position are not run, so
  // nothing may be captured from them.
  const Activations* start = nullptr;
  // Filled with the run's live tensors just before their position, for the
  // run's images (each from Simulator::activations, covering the range; the
  // run's images (each from Simulator::activations, covering the range; at or
  // after start's position).
  std::vector<Activations*> checkpoints;
};

struct RunOutput {
  int images = 0;
  int bytes_per_image = 0;
  std::vector<uint8_t> outputs;  // images * bytes_per_image, the graph output tensor
  std::map<int, std::vector<int8_t>> captured;  // tensor index -> images * tensor size

  const uint8_t* output(int image) const { return outputs.data() + static_cast<size_t>(image) * bytes_per_image; }
};

class PreparedNetwork;  // per-op parameters and packed filters (simulator.cc)

class Simulator {
 public:
  // Masks name ops by index; each must be a CONV_2D, DEPTHWISE_CONV_2D or
  // FULLY_CONNECTED op with one entry per filter weight (else SimulatorError).
  explicit Simulator(const Graph& graph, const MaskSet& masks = {});
  ~Simulator();
  Simulator(Simulator&&) noexcept;

  // The whole network on every input of the options' range (SimulatorError
  // when the inputs were encoded for another input type or size, or the
  // range, start or checkpoints do not fit). Outputs and captures are of the
  // range's images, first_image first.
  RunOutput run(const ModelInputs& inputs, const RunOptions& options = {}) const;

  // Empty buffers for the live tensors before op `position` (0..ops) for
  // `images` inputs from `first_image`; a run fills them as a checkpoint.
  Activations activations(int position, int first_image, int images) const;
  // The tensors such buffers hold, ascending.
  std::vector<int> live_tensors(int position) const;

  const Graph& graph() const { return graph_; }
  DataType output_type() const;
  int num_classes() const;

 private:
  const Graph& graph_;
  std::unique_ptr<PreparedNetwork> prepared_;
};

class SimulatorError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Index of the largest output value; ties go to the lowest class index
// (numpy's argmax convention), which decides top-1 for int8 softmax outputs.
int top1_class(const uint8_t* output, DataType type, int num_classes);

// The top-1 class of every output of a run.
std::vector<int> top1_classes(const RunOutput& run, DataType type, int num_classes);

// Number of inputs whose top-1 class equals their label (SimulatorError when
// the inputs have no labels or the run is of another size).
int count_correct(const RunOutput& run, const ModelInputs& inputs, DataType type, int num_classes);

}  // namespace tinyskip::sim
