#include "sim/data/tensor_set.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace tinyskip::sim {

int64_t TensorSet::elements_per_sample() const {
  int64_t n = 1;
  for (int64_t d : sample_shape) n *= d;
  return n;
}

std::string shape_string(const std::vector<int64_t>& shape) {
  return shape.size() == 1 ? fmt::format("({},)", shape[0]) : fmt::format("({})", fmt::join(shape, ", "));
}

TensorSet slice(const TensorSet& set, int begin, int end) {
  if (begin < 0 || begin > end)
    throw DataError(fmt::format("{}: invalid sample range [{}, {})", set.source, begin, end));
  end = std::min(end, set.size());
  begin = std::min(begin, end);
  TensorSet out;
  out.source = fmt::format("{}[{}:{}]", set.source, begin, end);
  out.type = set.type;
  out.sample_shape = set.sample_shape;
  out.count = end - begin;
  const auto bytes = static_cast<ptrdiff_t>(set.bytes_per_sample());
  out.bytes.assign(set.bytes.begin() + begin * bytes, set.bytes.begin() + end * bytes);
  if (set.labelled()) out.labels.assign(set.labels.begin() + begin, set.labels.begin() + end);
  return out;
}

TensorSet permuted(const TensorSet& set, const std::vector<int>& order) {
  std::vector<char> seen(static_cast<size_t>(set.size()), 0);
  for (int i : order)
    if (i < 0 || i >= set.size() || seen[static_cast<size_t>(i)]++)
      throw DataError(fmt::format("{}: not a permutation of its {} samples", set.source, set.size()));
  if (static_cast<int>(order.size()) != set.size())
    throw DataError(fmt::format("{}: a permutation of {} samples for {}", set.source, order.size(), set.size()));
  TensorSet out;
  out.source = set.source;
  out.type = set.type;
  out.sample_shape = set.sample_shape;
  out.count = set.count;
  const auto bytes = static_cast<size_t>(set.bytes_per_sample());
  out.bytes.resize(set.bytes.size());
  for (size_t i = 0; i < order.size(); ++i) std::memcpy(out.bytes.data() + i * bytes, set.sample(order[i]), bytes);
  if (set.labelled())
    for (int i : order) out.labels.push_back(set.labels[static_cast<size_t>(i)]);
  return out;
}

TensorSet concatenate(const std::vector<TensorSet>& sets) {
  TensorSet out;
  for (size_t i = 0; i < sets.size(); ++i) {
    const TensorSet& s = sets[i];
    if (i == 0) {
      out.type = s.type;
      out.sample_shape = s.sample_shape;
    } else if (s.type != out.type || s.sample_shape != out.sample_shape || s.labelled() != sets[0].labelled()) {
      throw DataError(fmt::format("{} cannot follow {}: {} {} samples{} after {} {} samples{}", s.source,
                                  sets[0].source, data_type_name(s.type), shape_string(s.sample_shape),
                                  s.labelled() ? " with labels" : "", data_type_name(out.type),
                                  shape_string(out.sample_shape), sets[0].labelled() ? " with labels" : ""));
    }
    out.source.append(out.source.empty() ? "" : "+").append(s.source);
    out.count += s.count;
    out.bytes.insert(out.bytes.end(), s.bytes.begin(), s.bytes.end());
    out.labels.insert(out.labels.end(), s.labels.begin(), s.labels.end());
  }
  return out;
}

}  // namespace tinyskip::sim
