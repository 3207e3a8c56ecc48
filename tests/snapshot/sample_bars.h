// The bundled 2,600-bar sample data (examples/data/sample_ohlcv.csv) that
// the snapshot tests run their scripts on, read once per test executable.
#pragma once

#include <filesystem>
#include <vector>

#include "bars_csv.h"
#include "pine/vm/bar.h"

namespace pine::test {

inline const std::vector<Bar>& sample_bars() {
  static const std::vector<Bar> bars =
      cli::read_bars_file((std::filesystem::path(PINEVM_SOURCE_DIR) / "examples/data/sample_ohlcv.csv").string());
  return bars;
}

} // namespace pine::test
