// When a host takes snapshots: every N bars, on demand, or both.
//
//   pine::SnapshotPolicy policy = pine::SnapshotPolicy::every(1000);
//   for (const Bar& bar : bars) {
//     inst.run_bar(bar);
//     if (policy.due(inst.bars_processed())) store.save(key, inst.bars_processed() - 1, pine::save_state(inst));
//   }
//
// The policy only decides; saving and storing are the host's (snapshot.h,
// store.h), so a server can route the bytes wherever it keeps them.
#pragma once

#include <cstdint>

namespace pine {

/// Decides after which bars a snapshot is due.
class SnapshotPolicy {
public:
  /// A policy that is never due unless request() is called.
  SnapshotPolicy() = default;
  /// Due after every `interval`-th bar of an instance's life (bars_processed
  /// a multiple of `interval`); 0 disables the interval (on demand only).
  /// Negative intervals are refused with std::invalid_argument.
  static SnapshotPolicy every(std::int64_t interval);

  /// Asks for one snapshot at the next due() check, whatever the interval.
  void request() { requested_ = true; }
  /// Whether a snapshot should be taken now, for an instance that has
  /// processed `bars_processed` bars in total (restores included, so the
  /// cadence survives a restart). Consumes a pending request.
  bool due(std::int64_t bars_processed);
  /// The interval (0 when disabled).
  std::int64_t interval() const { return interval_; }

private:
  std::int64_t interval_ = 0;
  bool requested_ = false;
};

} // namespace pine
