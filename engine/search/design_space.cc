#include "engine/search/design_space.h"

#include <limits>
#include <sstream>
#include <stdexcept>

namespace tinyskip::engine {

int64_t DesignSpace::grid_size() const {
  int64_t size = 1;
  for (const ApproximatedLayer& layer : layers) {
    const auto levels = static_cast<int64_t>(layer.thresholds.size());
    if (levels != 0 && size > std::numeric_limits<int64_t>::max() / levels) return std::numeric_limits<int64_t>::max();
    size *= levels;
  }
  return size;
}

std::string point_key(const DesignPoint& point) {
  std::string key;
  for (size_t i = 0; i < point.size(); ++i) {
    if (i > 0) key += '-';
    key += std::to_string(point[i]);
  }
  return key;
}

DesignPoint parse_point_key(const std::string& key) {
  DesignPoint point;
  std::stringstream stream(key);
  std::string part;
  while (std::getline(stream, part, '-')) {
    size_t used = 0;
    int level = -1;
    try {
      level = std::stoi(part, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != part.size() || level < 0)
      throw std::invalid_argument("invalid design point key '" + key + "'");
    point.push_back(level);
  }
  return point;
}

}  // namespace tinyskip::engine
