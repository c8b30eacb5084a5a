// One file the code generator produces: where it goes (relative to the output
// directory) and its full contents. Generators return these instead of writing
// to disk so that tests can compile them wherever they like and the CLI can
// write the whole set at once.
#pragma once

#include <string>
#include <vector>

namespace tinyskip::engine {

struct GeneratedFile {
  std::string relative_path;  // e.g. "model_lenet.c", "cortex_m4/main.c"
  std::string content;
  int op_index = -1;          // the graph op this file implements, -1 for shared code
};

using GeneratedFiles = std::vector<GeneratedFile>;

}  // namespace tinyskip::engine
