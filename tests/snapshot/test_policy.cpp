// SnapshotPolicy: which bars an interval selects, on-demand requests, and
// the refusal of a negative interval.
#include <doctest/doctest.h>

#include <stdexcept>
#include <vector>

#include "pine/snapshot/policy.h"

TEST_CASE("snapshot policy: every N bars of an instance's life") {
  pine::SnapshotPolicy p = pine::SnapshotPolicy::every(3);
  std::vector<std::int64_t> due;
  for (std::int64_t n = 0; n <= 10; ++n)
    if (p.due(n)) due.push_back(n);
  CHECK(due == std::vector<std::int64_t>{3, 6, 9});
  // The cadence follows the life count, so a restored instance at bar 7 is
  // next due at 9, as it would have been without the restart.
  pine::SnapshotPolicy restarted = pine::SnapshotPolicy::every(3);
  CHECK_FALSE(restarted.due(7));
  CHECK_FALSE(restarted.due(8));
  CHECK(restarted.due(9));
}

TEST_CASE("snapshot policy: interval 0 disables, requests are one-shot") {
  pine::SnapshotPolicy off = pine::SnapshotPolicy::every(0);
  for (std::int64_t n = 0; n < 100; ++n) CHECK_FALSE(off.due(n));
  off.request();
  CHECK(off.due(5));
  CHECK_FALSE(off.due(6));
  pine::SnapshotPolicy both = pine::SnapshotPolicy::every(10);
  both.request();
  CHECK(both.due(1));
  CHECK_FALSE(both.due(2));
  CHECK(both.due(10));
  CHECK(pine::SnapshotPolicy().interval() == 0);
  CHECK_THROWS_AS(pine::SnapshotPolicy::every(-1), std::invalid_argument);
}
