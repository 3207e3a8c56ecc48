// SnapshotPolicy (policy.h).
#include "pine/snapshot/policy.h"

#include <stdexcept>
#include <string>

namespace pine {

// A negative interval is a host bug, not a way to disable: say so.
SnapshotPolicy SnapshotPolicy::every(std::int64_t interval) {
  if (interval < 0) throw std::invalid_argument("snapshot interval must be 0 (disabled) or positive, got " + std::to_string(interval));
  SnapshotPolicy p;
  p.interval_ = interval;
  return p;
}

// Bar 0 of a life (bars_processed 0) is never an interval point: there is
// nothing worth saving before the first bar.
bool SnapshotPolicy::due(std::int64_t bars_processed) {
  const bool on_interval = interval_ > 0 && bars_processed > 0 && bars_processed % interval_ == 0;
  const bool requested = requested_;
  requested_ = false;
  return on_interval || requested;
}

} // namespace pine
