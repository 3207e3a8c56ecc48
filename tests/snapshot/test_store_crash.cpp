// Crash test of the snapshot stores: a child process saves snapshots in a
// loop and is SIGKILLed at random moments; after each kill the parent reopens
// the store and checks what save()'s contract promises:
//   (a) once any save has returned, the store always has a loadable snapshot;
//   (b) the newest stored bar is at least the last one whose save returned
//       (the child reports each returned save through a pipe, after save()
//       returns, so the report can lag the store but never lead it);
//   (c) every stored snapshot is intact: its bytes are exactly the pattern of
//       its counter (the bar_index it was saved at), regenerated here.
// It also checks that retention never leaves more than keep + 1 snapshots
// (keep + 1 only if a kill lands between the file store's rename and its
// deletions), and for the file store that the next save removes the
// temporary files the killed children left behind.
//
// A SIGKILL tests process death, not power loss: the page cache survives it.
// Power loss is covered by the fsyncs the stores make (reviewed, not tested).
//
// Set PINEVM_CRASH_SEED to replay a run; the seed in use is printed.
#include <doctest/doctest.h>

#include "pine/snapshot/store.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace pine;
namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

namespace {

/// Kills per backend. 50 random moments spread over startup, the write, the
/// fsyncs, the rename and retention; the whole test stays well under the
/// 20 s budget (about 50 x (10 ms average delay + reopen and verify)).
constexpr int kKills = 50;

/// Upper bound of the random delay before each kill, in microseconds. A save
/// of one payload takes a few milliseconds (dominated by fsync), so 0-20 ms
/// lands kills before the first save, mid-save and between saves.
constexpr int kMaxDelayUs = 20'000;

/// Snapshots each backend keeps during the test: small, so retention's
/// deletions run on almost every save and are crashed into too.
constexpr std::size_t kKeep = 3;

/// The key the children save under.
constexpr const char* kKey = "crash";

/// splitmix64: a tiny, well-mixed generator, so the pattern of a counter can
/// be regenerated from the counter alone.
std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/// The payload saved at `counter`: 32 KiB plus 0-15 4-KiB steps (so sizes
/// differ and a torn write would show as a wrong size), starting with the
/// counter in 8 little-endian bytes, then a splitmix64 stream seeded by it.
Bytes pattern(std::int64_t counter) {
  const std::size_t size = (std::size_t{32} << 10) + static_cast<std::size_t>(counter % 16) * 4096;
  Bytes out(size);
  for (int i = 0; i < 8; ++i) out[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(counter >> (8 * i));
  std::uint64_t state = static_cast<std::uint64_t>(counter);
  for (std::size_t i = 8; i < size; ++i) out[i] = static_cast<std::uint8_t>(splitmix64(state) >> 56);
  return out;
}

/// The child: opens the store and saves counters start, start+1, ... until
/// killed, writing each counter to `report_fd` after its save returned.
/// Never returns; exits with 3 (reported to stderr) if anything throws.
[[noreturn]] void child_save_loop(const std::function<std::unique_ptr<SnapshotStore>()>& open, std::int64_t start,
                                  int report_fd) {
  try {
    const std::unique_ptr<SnapshotStore> store = open();
    for (std::int64_t counter = start;; ++counter) {
      store->save(kKey, counter, pattern(counter));
      // 8 bytes < PIPE_BUF: the write is atomic, the parent reads whole counters.
      if (::write(report_fd, &counter, sizeof counter) != static_cast<ssize_t>(sizeof counter)) ::_exit(4);
    }
  } catch (const std::exception& e) {
    std::cerr << "crash test child: " << e.what() << "\n";
  }
  ::_exit(3);
}

/// Reads every counter the (dead) child reported; returns the last one.
std::optional<std::int64_t> last_reported(int read_fd) {
  std::optional<std::int64_t> last;
  std::int64_t counter = 0;
  for (;;) {
    const ssize_t n = ::read(read_fd, &counter, sizeof counter);
    if (n == static_cast<ssize_t>(sizeof counter)) {
      last = counter;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;  // EOF: the write end closed when the child died
  }
  return last;
}

/// The seed of this run: PINEVM_CRASH_SEED, or a fresh random one.
std::uint64_t crash_seed() {
  if (const char* env = std::getenv("PINEVM_CRASH_SEED")) return std::strtoull(env, nullptr, 10);
  return (static_cast<std::uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}();
}

/// Temporary files (".tmp-" in the name) in `dir` and its subdirectories.
int temp_files_in(const fs::path& dir) {
  int count = 0;
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(dir)) {
    if (e.path().filename().string().find(".tmp-") != std::string::npos) ++count;
  }
  return count;
}

/// A fresh directory under the system temp directory, removed at the end.
struct CrashDir {
  fs::path path = fs::temp_directory_path() / ("pinevm-store-crash-" + std::to_string(::getpid()));
  CrashDir() {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~CrashDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

/// Runs the kill loop against the store `open` opens and checks (a) (b) (c)
/// after every kill. Returns the number of kills made.
/// `root` is scanned after each kill for temporary files, to report how many
/// kills landed in the middle of a file store's write.
int run_crash_loop(const std::string& backend, const fs::path& root,
                   const std::function<std::unique_ptr<SnapshotStore>()>& open) {
  const std::uint64_t seed = crash_seed();
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> delay_us(0, kMaxDelayUs);

  std::int64_t next_counter = 0;
  std::optional<std::int64_t> max_returned;  // highest counter any child reported
  int kills = 0;
  int rounds_with_saves = 0;
  int kills_mid_write = 0;
  std::int64_t saves_reported = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int round = 0; round < kKills; ++round) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      ::close(fds[0]);
      child_save_loop(open, next_counter, fds[1]);
    }
    ::close(fds[1]);
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us(rng)));
    REQUIRE(::kill(child, SIGKILL) == 0);
    ++kills;
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    // A child that exited by itself failed to save: the store is broken.
    REQUIRE_MESSAGE((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL),
                    backend << " crash child exited on its own (status " << status << "), seed " << seed);
    if (temp_files_in(root) > 0) ++kills_mid_write;
    const std::optional<std::int64_t> reported = last_reported(fds[0]);
    ::close(fds[0]);
    if (reported) {
      ++rounds_with_saves;
      saves_reported += *reported - next_counter + 1;
      max_returned = std::max(max_returned.value_or(*reported), *reported);
    }

    // Reopen, as a restarted server would, and check the contract.
    const std::unique_ptr<SnapshotStore> store = open();
    const std::vector<SnapshotEntry> entries = store->list(kKey);
    const std::optional<Bytes> newest = store->load(kKey);
    INFO(backend << " round " << round << ", seed " << seed);
    if (max_returned) {
      REQUIRE_MESSAGE(!entries.empty(), "(a) no snapshot although a save returned");
      REQUIRE_MESSAGE(newest.has_value(), "(a) nothing loadable although a save returned");
      CHECK_MESSAGE(entries.front().bar_index >= *max_returned, "(b) newest stored is older than a returned save");
    }
    CHECK_MESSAGE(entries.size() <= kKeep + 1, "retention let snapshots pile up");
    if (!entries.empty()) {
      REQUIRE_MESSAGE(newest.has_value(), "load() found nothing although list() has entries");
      CHECK_MESSAGE(*newest == pattern(entries.front().bar_index), "(c) newest snapshot is damaged");
      for (const SnapshotEntry& e : entries) {
        CHECK_MESSAGE(store->read(e) == pattern(e.bar_index), "(c) snapshot at bar " << e.bar_index << " is damaged");
      }
      next_counter = std::max(next_counter, entries.front().bar_index + 1);
    }
    if (max_returned) next_counter = std::max(next_counter, *max_returned + 1);
  }
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  MESSAGE(backend << " store crash test: " << kills << " SIGKILLs at random 0-" << kMaxDelayUs / 1000
                  << " ms delays, " << rounds_with_saves << " children had completed saves (" << saves_reported
                  << " saves returned in total), " << kills_mid_write
                  << " kills left a temporary file (file store: killed mid-write), newest bar " << next_counter - 1
                  << ", " << elapsed
                  << " ms, seed " << seed);
  return kills;
}

} // namespace

TEST_CASE("file store survives SIGKILL at random moments") {
  CrashDir root;
  const fs::path dir = root.path / "snaps";
  const int kills = run_crash_loop("file", root.path, [&] { return open_file_store(dir, kKeep); });
  CHECK(kills == kKills);
  // The killed children may have left temporary files; the next save of the
  // key removes them (their writers are dead and reaped).
  open_file_store(dir, kKeep)->save(kKey, 1'000'000, pattern(1'000'000));
  CHECK(temp_files_in(dir) == 0);
}

TEST_CASE("sqlite store survives SIGKILL at random moments") {
  CrashDir root;
  const fs::path db = root.path / "snaps.db";
  const int kills = run_crash_loop("sqlite", root.path, [&] { return open_sqlite_store(db, kKeep); });
  CHECK(kills == kKills);
}
