// A quick walk over a function body before it is compiled, collecting what
// the one-pass compiler must know ahead: which variables are `var` (they get
// registers no temporary ever reuses), which are reassigned (their qualifier
// is series), and which are read with `[]` and how deep (their history ring).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "ast.h"

namespace pine {

/// How a name is read with the history operator.
struct HistoryUse {
  bool dynamic = false;        ///< some offset is not a literal
  std::int64_t max_offset = 0; ///< deepest literal offset
};

struct PrescanResult {
  std::vector<const ast::Stmt*> var_decls;           ///< var/varip declarations, in order
  std::unordered_set<std::string> reassigned;        ///< targets of := and compound assignment
  std::unordered_map<std::string, HistoryUse> history; ///< names read with []
  std::vector<std::pair<std::string, SourceLoc>> calls; ///< callees called by name, where
  std::unordered_set<std::string> names;                ///< every name read as a value
};

/// Scans `body` (not descending into nested function declarations).
PrescanResult prescan(const ast::Block& body);

} // namespace pine
