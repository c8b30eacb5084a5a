// FNV-1a 64-bit hashes for content identity (configs, models, data files)
// recorded in run.json. The implementation is shared with mcu_model and lives
// in sim/support/fnv1a.h; these names keep engine code in its own namespace.
#pragma once

#include "sim/support/fnv1a.h"

namespace tinyskip::engine {

using support::fnv1a64;
using support::fnv1a_hex;
using support::fnv1a_hex_of_file;
using support::hash_hex;
using support::kFnv1a64OffsetBasis;
using support::kFnv1a64Prime;

}  // namespace tinyskip::engine
