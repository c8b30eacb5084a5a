// One file the code generator produces: where it goes (relative to the output
// directory) and its full contents. Generators return these instead of writing
// to disk so that tests can compile them wherever they like and the CLI can
// write the whole set at once.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

namespace tinyskip::engine {

struct GeneratedFile {
  std::string relative_path;  // e.g. "model_lenet.c", "cortex_m4/main.c"
  std::string content;
  int op_index = -1;          // the graph op this file implements, -1 for shared code
};

using GeneratedFiles = std::vector<GeneratedFile>;

// "runtime/ts_conv_s8.c" -> "runtime_ts_conv_s8.c": a generated file's path as
// one plain file name (what the flash measurement takes as a unit name).
inline std::string flat_file_name(std::string relative_path) {
  std::replace(relative_path.begin(), relative_path.end(), '/', '_');
  return relative_path;
}

}  // namespace tinyskip::engine
