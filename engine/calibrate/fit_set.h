// The calibration set of the analytic model: generated networks whose layer
// shapes are drawn at random (seeded), so that none is a shipped model's
// layer, and the programs each is timed as. Every network is a chain the
// code generator handles end to end: an int8 CIFAR-sized input (or a float
// one with QUANTIZE in front), convolutions of random channels, kernel size,
// stride and padding, pools, a residual ADD, RESHAPE, fully connected layers
// and SOFTMAX (or DEQUANTIZE); a second family is depthwise-separable
// (MobileNet / DS-CNN style). Each network is timed exact on CMSIS-NN, exact
// on the runtime and with every convolution (in the second family also every
// depthwise and FC layer) unpacked under random skip masks of two skip
// fractions.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "sim/graph.h"
#include "sim/weight_mask.h"

namespace tinyskip::engine {

struct FitProgram {
  std::string label;       // directory name, unique in the set
  bool cmsis_nn = false;   // exact layers on CMSIS-NN (else the runtime)
  std::set<int> unpacked_ops;
  sim::MaskSet masks;
  double skip_fraction = 0;
};

struct FitNetwork {
  std::string name;
  sim::Graph graph;
  bool float_input = false;  // QUANTIZE first, DEQUANTIZE last (LeNet's form); else int8 like ResNet-8
  std::vector<FitProgram> programs;
};

// `count` networks from `seed`, then separable_count(count) depthwise-
// separable ones (whose unpacked programs also unpack their depthwise and
// fully connected layers); the same arguments give the same set.
std::vector<FitNetwork> generate_fit_set(int count, uint64_t seed);
int separable_count(int count);

// One line saying what generate_fit_set draws, for the coefficient file.
std::string describe_fit_set(int count, uint64_t seed);

}  // namespace tinyskip::engine
