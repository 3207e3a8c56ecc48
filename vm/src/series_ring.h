// History storage for one series: a ring of per-bar values.
//
// A series records, for each bar, the last value written to it during that
// bar. Bars on which nothing was written (a local scope that did not run)
// repeat the previous bar's value: Pine's "forward fill" rule for locals
// (Pine Script User Manual, "Execution model"). Globals are written on every bar, so for them this is simply a
// dense history.
#pragma once

#include <cstdint>
#include <vector>

#include "archive.h"
#include "pine/vm/value.h"

namespace pine {

class SeriesRing {
public:
  /// Allocates the ring once; `na` is what reads before the first bar give.
  void init(std::uint32_t capacity, Value na) {
    buf_.assign(capacity, na);
    na_ = na;
    head_ = 0;
    last_bar_ = -1;
    written_ = 0;
  }

  /// Records `v` as the value of bar `bar` (>= the last bar written).
  void set(std::int64_t bar, Value v) {
    if (bar != last_bar_) advance_to(bar);
    buf_[head_] = v;
  }

  /// Outcome of a read: the value, or that the offset is beyond the ring.
  struct Read {
    Value value;
    bool beyond_buffer;
  };

  /// The value as of bar `bar - offset` (offset >= 0).
  Read get(std::int64_t bar, std::int64_t offset) const {
    const std::int64_t target = bar - offset;
    if (written_ == 0 || target < 0) return {na_, false};
    if (target >= last_bar_) return {buf_[head_], false};
    const std::uint64_t back = static_cast<std::uint64_t>(last_bar_ - target);
    if (back >= buf_.size()) {
      // Older than the ring holds: na before the data start, else an error.
      return {na_, back < written_};
    }
    if (back >= written_) return {na_, false};
    std::size_t idx = head_ >= back ? head_ - back : head_ + buf_.size() - back;
    return {buf_[idx], false};
  }

  /// Visits every stored value (string collection rewrites handles).
  template <class F>
  void for_each_value(F&& f) {
    for (Value& v : buf_) f(v);
  }

  std::uint32_t capacity() const { return static_cast<std::uint32_t>(buf_.size()); }

  /// Archive hooks (the capacity comes from the program, not the input).
  void save(archive::Out& ar) const {
    ar(head_, last_bar_, written_);
    archive::save_values(ar, buf_.data(), buf_.size());
  }
  /// `bars_processed` is the restored instance's bar count: bars are
  /// numbered from 0 and the bar being run is bars_processed (a halted
  /// instance may have written on it), so no ring can have written later,
  /// nor covered more bars than there are up to its last one. A later bar
  /// would make the next write step backwards and wrap the count.
  void load(archive::In& ar, std::int64_t bars_processed) {
    ar(head_, last_bar_, written_);
    archive::require(head_ < buf_.size(), "series ring head out of range");
    archive::require(last_bar_ >= -1 && last_bar_ <= bars_processed, "series ring bar out of range");
    archive::require((written_ == 0) == (last_bar_ == -1), "series ring counters inconsistent");
    archive::require(written_ <= static_cast<std::uint64_t>(last_bar_ + 1), "series ring covers more bars than exist");
    archive::load_values(ar, buf_.data(), buf_.size());
  }

private:
  /// Moves the head to `bar`, forward-filling the bars in between.
  void advance_to(std::int64_t bar) {
    if (written_ == 0) {
      head_ = 0;
      written_ = 1;
      last_bar_ = bar;
      return;
    }
    const Value carry = buf_[head_];
    std::int64_t steps = bar - last_bar_;
    // Filling more than one ring's worth would only overwrite itself.
    const std::int64_t fill = steps < static_cast<std::int64_t>(buf_.size()) ? steps : static_cast<std::int64_t>(buf_.size());
    for (std::int64_t i = 0; i < fill; ++i) {
      head_ = head_ + 1 == buf_.size() ? 0 : head_ + 1;
      buf_[head_] = carry;
    }
    written_ += static_cast<std::uint64_t>(steps);
    last_bar_ = bar;
  }

  std::vector<Value> buf_;
  Value na_{};
  std::size_t head_ = 0;
  std::int64_t last_bar_ = -1;
  std::uint64_t written_ = 0; ///< bars covered since the first write
};

} // namespace pine
