// Tests of the snapshot stores (pine/snapshot/store.h).
//
// One contract suite (TEST_CASE_TEMPLATE) runs against both backends: every
// expectation comes from the contract in store.h (order by bar_index,
// replacement of an equal bar_index, retention, key rules), with payloads
// made here from a seed, never from what a store returned before. Then each
// backend's own promises: the file store's naming contract and what it
// ignores or cleans up; the SQLite store's pragmas, schema versioning and
// busy timeout. The crash test is in test_store_crash.cpp.
#include <doctest/doctest.h>

#include "pine/compiler/compile.h"
#include "pine/snapshot/snapshot.h"
#include "pine/snapshot/store.h"
#include "snapshot_outcome.h"
#include "temp_dir.h"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

using namespace pine;
namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

namespace {

using pine::test::outcome;

/// Scratch directories named after this file's tests.
struct TempDir : pine::test::TempDir {
  TempDir() : pine::test::TempDir("pinevm-store-test") {}
};

/// Deterministic pseudo-random bytes, so failures reproduce.
Bytes random_bytes(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Bytes out(n);
  for (auto& b : out) b = static_cast<std::uint8_t>(rng());
  return out;
}

/// A small payload that differs for every (key, bar, version) triple.
Bytes payload_for(const std::string& key, std::int64_t bar, int version = 0) {
  return random_bytes(100 + static_cast<std::size_t>(bar % 50),
                      std::hash<std::string>{}(key) ^ (static_cast<std::uint64_t>(bar) << 8) ^
                          static_cast<std::uint64_t>(version));
}

/// The bar indexes of `entries`, in their order.
std::vector<std::int64_t> bars_of(const std::vector<SnapshotEntry>& entries) {
  std::vector<std::int64_t> out;
  for (const SnapshotEntry& e : entries) out.push_back(e.bar_index);
  return out;
}

/// Reads a whole file with the standard library (independent of the store).
Bytes read_whole(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// Writes `text` to `path`, replacing it.
void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

/// Runs one SQL statement on the database `file` through a connection of its
/// own (the test's view of the file, independent of the store).
void sql_exec(const fs::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  const std::string message = error ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  REQUIRE_MESSAGE(rc == SQLITE_OK, sql << ": " << message);
}

/// The first column of the first row of `sql` as text, through a connection
/// of its own.
std::string sql_text(const fs::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  std::string out = "<error>";
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    out = text ? text : "<null>";
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

/// The file-store backend under test: a directory inside the test's root.
struct FileBackend {
  static constexpr const char* kName = "file";
  static fs::path location(const fs::path& root) { return root / "snapshots"; }
  static std::unique_ptr<SnapshotStore> open(const fs::path& root, std::size_t keep) {
    return open_file_store(location(root), keep);
  }
  /// Cuts the stored bytes of (key, bar) to `size`, as a torn disk write would.
  static void truncate(const fs::path& root, const std::string& key, std::int64_t bar, std::uint64_t size) {
    fs::resize_file(location(root) / (key + "-" + std::to_string(bar) + ".pvms"), size);
  }
};

/// The SQLite backend under test: a database file inside the test's root.
struct SqliteBackend {
  static constexpr const char* kName = "sqlite";
  static fs::path location(const fs::path& root) { return root / "snapshots.db"; }
  static std::unique_ptr<SnapshotStore> open(const fs::path& root, std::size_t keep) {
    return open_sqlite_store(location(root), keep);
  }
  /// Cuts the stored bytes of (key, bar) to `size`, as a damaged row would be.
  static void truncate(const fs::path& root, const std::string& key, std::int64_t bar, std::uint64_t size) {
    sql_exec(location(root), "UPDATE snapshots SET bytes = substr(bytes, 1, " + std::to_string(size) +
                                 ") WHERE key = '" + key + "' AND bar_index = " + std::to_string(bar));
  }
};

/// A real snapshot: a small script run over `bars` bars, saved with save_state.
Bytes real_snapshot(int bars) {
  const std::string source = "//@version=6\nindicator(\"store\")\nvar float total = 0.0\ntotal += close\n"
                             "plot(ta.sma(close, 3) + total)\n";
  CompileResult r = compile(source, CompileOptions{});
  REQUIRE(r.ok());
  Instance inst = InstanceBuilder(r.program).build();
  for (int i = 0; i < bars; ++i) {
    const double price = 100.0 + i;
    inst.run_bar(Bar{1'700'000'000'000 + i * 86'400'000LL, price, price + 1, price - 1, price, 1000});
  }
  return save_state(inst);
}

} // namespace

TEST_CASE_TEMPLATE("store contract: an empty store has nothing", Backend, FileBackend, SqliteBackend) {
  TempDir root;
  const auto store = Backend::open(root.path(), 0);
  CHECK_FALSE(store->load("none").has_value());
  CHECK(store->list("none").empty());
  CHECK(store->keep() == 0);
}

TEST_CASE_TEMPLATE("store contract: newest is the highest bar_index, whatever the save order", Backend, FileBackend,
                   SqliteBackend) {
  TempDir root;
  const auto store = Backend::open(root.path(), 0);
  for (const std::int64_t bar : {3, 10, 7, 0}) store->save("k", bar, payload_for("k", bar));
  CHECK(store->load("k") == payload_for("k", 10));
  const std::vector<SnapshotEntry> entries = store->list("k");
  CHECK(bars_of(entries) == std::vector<std::int64_t>{10, 7, 3, 0});
  for (const SnapshotEntry& e : entries) {
    CHECK(e.key == "k");
    CHECK(e.size == payload_for("k", e.bar_index).size());
    CHECK_FALSE(e.locator.empty());
    CHECK(store->read(e) == payload_for("k", e.bar_index));
  }
}

TEST_CASE_TEMPLATE("store contract: saving an existing bar_index replaces it", Backend, FileBackend, SqliteBackend) {
  TempDir root;
  const auto store = Backend::open(root.path(), 0);
  store->save("k", 5, payload_for("k", 5, 1));
  store->save("k", 5, payload_for("k", 5, 2));
  CHECK(bars_of(store->list("k")) == std::vector<std::int64_t>{5});
  CHECK(store->load("k") == payload_for("k", 5, 2));
}

TEST_CASE_TEMPLATE("store contract: retention keeps the newest K per key", Backend, FileBackend, SqliteBackend) {
  TempDir root;
  const auto store = Backend::open(root.path(), 2);
  CHECK(store->keep() == 2);
  for (std::int64_t bar = 1; bar <= 5; ++bar) store->save("k", bar, payload_for("k", bar));
  const std::vector<SnapshotEntry> entries = store->list("k");
  CHECK(bars_of(entries) == std::vector<std::int64_t>{5, 4});
  CHECK(store->read(entries[0]) == payload_for("k", 5));
  CHECK(store->read(entries[1]) == payload_for("k", 4));

  // An entry listed before retention removed it cannot be read any more.
  const SnapshotEntry four = entries[1];
  store->save("k", 6, payload_for("k", 6));
  CHECK(outcome([&] { store->read(four); }) == "io");

  // A snapshot older than the K newest goes as soon as it is saved.
  store->save("k", 0, payload_for("k", 0));
  CHECK(bars_of(store->list("k")) == std::vector<std::int64_t>{6, 5});
  CHECK(store->load("k") == payload_for("k", 6));
}

TEST_CASE_TEMPLATE("store contract: keep = 0 keeps everything", Backend, FileBackend, SqliteBackend) {
  TempDir root;
  const auto store = Backend::open(root.path(), 0);
  std::vector<std::int64_t> expected;
  for (std::int64_t bar = 0; bar < 25; ++bar) {
    store->save("k", bar, payload_for("k", bar));
    expected.insert(expected.begin(), bar);
  }
  CHECK(bars_of(store->list("k")) == expected);
}

TEST_CASE_TEMPLATE("store contract: keys are isolated, including keys that are prefixes of each other", Backend,
                   FileBackend, SqliteBackend) {
  TempDir root;
  const auto store = Backend::open(root.path(), 1);
  // With the file store these are "a-5.pvms", "a-1-7.pvms", "a--9.pvms",
  // "ab-3.pvms": each must be seen by its own key only.
  store->save("a", 5, payload_for("a", 5));
  store->save("a-1", 7, payload_for("a-1", 7));
  store->save("a-", 9, payload_for("a-", 9));
  store->save("ab", 3, payload_for("ab", 3));
  CHECK(bars_of(store->list("a")) == std::vector<std::int64_t>{5});
  CHECK(bars_of(store->list("a-1")) == std::vector<std::int64_t>{7});
  CHECK(bars_of(store->list("a-")) == std::vector<std::int64_t>{9});
  CHECK(bars_of(store->list("ab")) == std::vector<std::int64_t>{3});
  CHECK(store->load("a") == payload_for("a", 5));
  CHECK(store->load("a-1") == payload_for("a-1", 7));
  CHECK(store->load("a-") == payload_for("a-", 9));
  // Retention of one key never touches another.
  store->save("a", 6, payload_for("a", 6));
  CHECK(bars_of(store->list("a")) == std::vector<std::int64_t>{6});
  CHECK(bars_of(store->list("a-1")) == std::vector<std::int64_t>{7});
  CHECK(bars_of(store->list("ab")) == std::vector<std::int64_t>{3});
  CHECK_FALSE(store->load("b").has_value());
}

TEST_CASE_TEMPLATE("store contract: bad keys and bar indexes are refused", Backend, FileBackend, SqliteBackend) {
  TempDir root;
  const auto store = Backend::open(root.path(), 0);
  const Bytes bytes = payload_for("k", 1);
  const std::string too_long(kMaxKeyLength + 1, 'x');
  const std::string with_nul("a\0b", 3);
  for (const std::string& key : {std::string(), std::string("a/b"), std::string("/"), with_nul, too_long}) {
    CAPTURE(key);
    CHECK_THROWS_AS(store->save(key, 1, bytes), std::invalid_argument);
    CHECK_THROWS_AS(store->load(key), std::invalid_argument);
    CHECK_THROWS_AS(store->list(key), std::invalid_argument);
    CHECK_THROWS_AS(store->read(SnapshotEntry{key, 1, 0, ""}), std::invalid_argument);
  }
  CHECK_THROWS_WITH_AS(store->save("a/b", 1, bytes), doctest::Contains("'/'"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(store->save(too_long, 1, bytes), doctest::Contains("129 bytes"), std::invalid_argument);
  CHECK_THROWS_AS(store->save("k", -1, bytes), std::invalid_argument);
  // The longest allowed key works, and odd but legal characters too.
  const std::string longest(kMaxKeyLength, 'y');
  for (const std::string& key : {longest, std::string(".."), std::string("NASDAQ:AAPL 1D rsi(14)")}) {
    CAPTURE(key);
    store->save(key, 2, bytes);
    CHECK(store->load(key) == bytes);
  }
}

TEST_CASE_TEMPLATE("store contract: a reopened store sees everything saved before", Backend, FileBackend,
                   SqliteBackend) {
  TempDir root;
  std::vector<SnapshotEntry> before_a, before_b;
  {
    const auto store = Backend::open(root.path(), 3);
    for (std::int64_t bar = 10; bar < 15; ++bar) store->save("a", bar, payload_for("a", bar));
    store->save("b", 1, payload_for("b", 1));
    before_a = store->list("a");
    before_b = store->list("b");
  }
  const auto again = Backend::open(root.path(), 3);
  CHECK(bars_of(before_a) == std::vector<std::int64_t>{14, 13, 12});
  CHECK(again->list("a") == before_a);
  CHECK(again->list("b") == before_b);
  CHECK(again->load("a") == payload_for("a", 14));
  CHECK(again->load("b") == payload_for("b", 1));
}

TEST_CASE_TEMPLATE("store contract: large and empty snapshots round-trip", Backend, FileBackend, SqliteBackend) {
  TempDir root;
  const auto store = Backend::open(root.path(), 0);
  const Bytes large = random_bytes(std::size_t{6} << 20, 42);  // 6 MiB, incompressible
  store->save("big", 1, large);
  store->save("empty", 1, Bytes{});
  CHECK(store->load("big") == large);
  CHECK(store->list("big").at(0).size == large.size());
  const std::optional<Bytes> empty = store->load("empty");
  REQUIRE(empty.has_value());
  CHECK(empty->empty());
  CHECK(store->list("empty").at(0).size == 0);
}

TEST_CASE_TEMPLATE("store contract: a truncated newest snapshot is listed, and the caller falls back", Backend,
                   FileBackend, SqliteBackend) {
  TempDir root;
  const Bytes older = real_snapshot(5);
  const Bytes newer = real_snapshot(10);
  const auto store = Backend::open(root.path(), 0);
  store->save("inst", 5, older);
  store->save("inst", 10, newer);
  Backend::truncate(root.path(), "inst", 10, newer.size() / 2);

  // The store does not validate content: the damaged file is still newest.
  const std::vector<SnapshotEntry> entries = store->list("inst");
  REQUIRE(bars_of(entries) == std::vector<std::int64_t>{10, 5});
  CHECK(entries[0].size == newer.size() / 2);
  const std::optional<Bytes> loaded = store->load("inst");
  REQUIRE(loaded.has_value());
  CHECK(*loaded == Bytes(newer.begin(), newer.begin() + static_cast<std::ptrdiff_t>(newer.size() / 2)));
  CHECK(outcome([&] { RestoreBuilder(*loaded).build(); }) == "truncated");

  // The fallback a server does: the next entry restores.
  const Bytes fallback = store->read(entries[1]);
  CHECK(fallback == older);
  const Instance restored = RestoreBuilder(fallback).build();
  CHECK(restored.bars_processed() == 5);
}

TEST_CASE_TEMPLATE("store contract: two store objects on one location see each other's saves", Backend, FileBackend,
                   SqliteBackend) {
  TempDir root;
  const auto first = Backend::open(root.path(), 2);
  const auto second = Backend::open(root.path(), 2);
  first->save("k", 1, payload_for("k", 1));
  CHECK(second->load("k") == payload_for("k", 1));
  second->save("k", 2, payload_for("k", 2));
  second->save("k", 3, payload_for("k", 3));
  CHECK(bars_of(first->list("k")) == std::vector<std::int64_t>{3, 2});
  CHECK(first->load("k") == payload_for("k", 3));
}

TEST_CASE_TEMPLATE("store contract: one store object used from several threads", Backend, FileBackend,
                   SqliteBackend) {
  TempDir root;
  const auto store = Backend::open(root.path(), 5);
  // 4 threads x 20 saves: enough interleaving to break shared statements or
  // temp file names if they were not safe, fast enough for every run.
  constexpr int kThreads = 4;
  constexpr std::int64_t kSaves = 20;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&store, t] {
      const std::string key = "thread" + std::to_string(t);
      for (std::int64_t bar = 0; bar < kSaves; ++bar) {
        store->save(key, bar, payload_for(key, bar));
        (void)store->load(key);
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    const std::string key = "thread" + std::to_string(t);
    CHECK(bars_of(store->list(key)) == std::vector<std::int64_t>{19, 18, 17, 16, 15});
    CHECK(store->load(key) == payload_for(key, 19));
  }
}

// ---- open_store ----------------------------------------------------------------

TEST_CASE("open_store: sqlite:PATH opens SQLite, anything else is a directory") {
  TempDir root;
  const fs::path db = root.path() / "state.db";
  open_store("sqlite:" + db.string(), 0)->save("k", 1, payload_for("k", 1));
  // Every SQLite 3 database starts with this 16-byte string (its file format).
  const Bytes head = read_whole(db);
  REQUIRE(head.size() >= 16);
  CHECK(std::string(head.begin(), head.begin() + 16) == std::string("SQLite format 3\0", 16));

  const fs::path dir = root.path() / "dir";
  open_store(dir.string(), 0)->save("k", 1, payload_for("k", 1));
  CHECK(read_whole(dir / "k-1.pvms") == payload_for("k", 1));

  CHECK_THROWS_AS(open_store("", 0), std::invalid_argument);
  CHECK_THROWS_AS(open_store("sqlite:", 0), std::invalid_argument);
  CHECK(open_store("sqlite:" + db.string(), 0)->describe() == "sqlite store " + db.string());
  CHECK(open_store(dir.string(), 0)->describe() == "file store " + dir.string());
}

// ---- File store ----------------------------------------------------------------

TEST_CASE("file store: DIR/<key>-<bar_index>.pvms holds exactly the saved bytes") {
  TempDir root;
  const fs::path dir = root.path() / "nested" / "deeper";  // created on open
  const auto store = open_file_store(dir, 0);
  const Bytes bytes = payload_for("BTCUSD", 42);
  store->save("BTCUSD", 42, bytes);
  CHECK(read_whole(dir / "BTCUSD-42.pvms") == bytes);
  const std::vector<SnapshotEntry> entries = store->list("BTCUSD");
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].locator == (dir / "BTCUSD-42.pvms").string());
  // The only file is the snapshot: no temporary file is left behind.
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 1);
  // A trailing slash names the same directory.
  CHECK(open_file_store(dir.string() + "/", 0)->load("BTCUSD") == bytes);
}

TEST_CASE("file store: unrelated files are ignored and left alone") {
  TempDir root;
  const fs::path dir = root.path() / "snaps";
  const auto store = open_file_store(dir, 1);
  const std::vector<std::string> unrelated = {
      "notes.txt",      "k-x.pvms",         "k-007.pvms", "k-+5.pvms", "k-5.pvms.bak", "k-5.PVMS", "k-.pvms",
      "k-99999999999999999999.pvms",  // beyond int64
      "k-5.pvms.tmp-1-abc",           // a temporary file of pid 1, which is alive
      "kk-3.pvms", "k"};
  for (const std::string& name : unrelated) write_text(dir / name, "not a snapshot");
  fs::create_directory(dir / "k-100.pvms");  // a directory with a snapshot's name
  store->save("k", 1, payload_for("k", 1));
  store->save("k", 2, payload_for("k", 2));
  CHECK(bars_of(store->list("k")) == std::vector<std::int64_t>{2});
  CHECK(store->load("k") == payload_for("k", 2));
  for (const std::string& name : unrelated) CHECK_MESSAGE(fs::exists(dir / name), name);
  CHECK(fs::is_directory(dir / "k-100.pvms"));
}

TEST_CASE("file store: stale temporary files of the key are removed on save") {
  TempDir root;
  const fs::path dir = root.path() / "snaps";
  const auto store = open_file_store(dir, 0);
  // A pid that no longer exists: a child that has exited and been reaped.
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) ::_exit(0);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  const std::string dead = std::to_string(child);
  const std::string alive = std::to_string(::getpid());
  write_text(dir / ("k-5.pvms.tmp-" + dead + "-1f2e"), "half a snapshot");
  write_text(dir / ("other-5.pvms.tmp-" + dead + "-1f2e"), "another key's");
  write_text(dir / ("k-6.pvms.tmp-" + alive + "-2a"), "a save in progress");
  store->save("k", 7, payload_for("k", 7));
  CHECK_FALSE(fs::exists(dir / ("k-5.pvms.tmp-" + dead + "-1f2e")));
  CHECK(fs::exists(dir / ("other-5.pvms.tmp-" + dead + "-1f2e")));
  CHECK(fs::exists(dir / ("k-6.pvms.tmp-" + alive + "-2a")));
  CHECK(bars_of(store->list("k")) == std::vector<std::int64_t>{7});
}

TEST_CASE("file store: a failed save is an Io error naming the file, and earlier snapshots stay") {
  TempDir root;
  const fs::path dir = root.path() / "snaps";
  const auto store = open_file_store(dir, 0);
  store->save("k", 1, payload_for("k", 1));
  // A directory where the snapshot file must go: rename(2) cannot replace it.
  fs::create_directory(dir / "k-2.pvms");
  CHECK(outcome([&] { store->save("k", 2, payload_for("k", 2)); }) == "io");
  CHECK_THROWS_WITH(store->save("k", 2, payload_for("k", 2)), doctest::Contains((dir / "k-2.pvms").string().c_str()));
  CHECK(store->load("k") == payload_for("k", 1));
  // The failed save removed its temporary file: only the snapshot and the directory remain.
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 2);
}

TEST_CASE("file store: a path that is not a usable directory is an Io error naming it") {
  TempDir root;
  const fs::path file = root.path() / "plain-file";
  write_text(file, "x");
  CHECK(outcome([&] { open_file_store(file, 0); }) == "io");
  CHECK_THROWS_WITH(open_file_store(file, 0), doctest::Contains(file.string().c_str()));
  CHECK(outcome([&] { open_file_store(file / "sub", 0); }) == "io");
  CHECK_THROWS_AS(open_file_store("", 0), std::invalid_argument);
}

// ---- SQLite store --------------------------------------------------------------

TEST_CASE("sqlite store: WAL journal, schema version 1, seq numbers in locators") {
  TempDir root;
  const fs::path db = root.path() / "s.db";
  const auto store = open_sqlite_store(db, 0);
  store->save("k", 1, payload_for("k", 1));
  store->save("k", 2, payload_for("k", 2));
  store->save("k", 1, payload_for("k", 1, 9));  // replaces bar 1: a new save, seq 3
  CHECK(sql_text(db, "PRAGMA journal_mode") == "wal");
  CHECK(sql_text(db, "PRAGMA user_version") == "1");
  CHECK(sql_text(db, "SELECT group_concat(bar_index || ':' || seq, ',') FROM "
                     "(SELECT * FROM snapshots ORDER BY bar_index)") == "1:3,2:2");
  const std::vector<SnapshotEntry> entries = store->list("k");
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].locator == db.string() + "#2");
  CHECK(entries[1].locator == db.string() + "#3");
}

TEST_CASE("sqlite store: a save and its retention are one transaction") {
  TempDir root;
  const fs::path db = root.path() / "s.db";
  const auto store = open_sqlite_store(db, 1);
  store->save("k", 1, payload_for("k", 1));
  // Make retention's DELETE fail: the insert before it must be rolled back.
  sql_exec(db, "CREATE TRIGGER no_delete BEFORE DELETE ON snapshots BEGIN SELECT RAISE(ABORT, 'injected'); END");
  CHECK(outcome([&] { store->save("k", 2, payload_for("k", 2)); }) == "io");
  CHECK_THROWS_WITH(store->save("k", 2, payload_for("k", 2)), doctest::Contains("injected"));
  CHECK(bars_of(store->list("k")) == std::vector<std::int64_t>{1});
  CHECK(store->load("k") == payload_for("k", 1));
  // Once retention works again, the store is usable: no transaction was left open.
  sql_exec(db, "DROP TRIGGER no_delete");
  store->save("k", 2, payload_for("k", 2));
  CHECK(bars_of(store->list("k")) == std::vector<std::int64_t>{2});
}

TEST_CASE("sqlite store: a file that is not a database, a newer schema or a missing directory is an Io error") {
  TempDir root;
  const fs::path junk = root.path() / "junk.db";
  write_text(junk, std::string(4096, 'j'));
  CHECK(outcome([&] { open_sqlite_store(junk, 0); }) == "io");
  CHECK_THROWS_WITH(open_sqlite_store(junk, 0), doctest::Contains(junk.string().c_str()));
  CHECK_THROWS_WITH(open_sqlite_store(junk, 0), doctest::Contains("not a database"));

  const fs::path newer = root.path() / "newer.db";
  open_sqlite_store(newer, 0)->save("k", 1, payload_for("k", 1));
  sql_exec(newer, "PRAGMA user_version = 2");
  CHECK(outcome([&] { open_sqlite_store(newer, 0); }) == "io");
  CHECK_THROWS_WITH(open_sqlite_store(newer, 0), doctest::Contains("schema version 2"));

  const fs::path missing = root.path() / "no-such-dir" / "s.db";
  CHECK(outcome([&] { open_sqlite_store(missing, 0); }) == "io");
  CHECK_THROWS_WITH(open_sqlite_store(missing, 0), doctest::Contains(missing.string().c_str()));
}

TEST_CASE("sqlite store: a save waits for another connection's write lock (busy timeout)") {
  TempDir root;
  const fs::path db = root.path() / "s.db";
  const auto store = open_sqlite_store(db, 0);
  sqlite3* other = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &other) == SQLITE_OK);
  REQUIRE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  // Held long enough that a save without a busy timeout would fail at once,
  // far below the store's 10 s timeout.
  constexpr auto kHold = std::chrono::milliseconds(300);
  const auto start = std::chrono::steady_clock::now();
  std::string result;
  std::thread saver([&] { result = outcome([&] { store->save("k", 1, payload_for("k", 1)); }); });
  std::this_thread::sleep_for(kHold);
  REQUIRE(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(other);
  saver.join();
  CHECK(result == "success");
  CHECK(std::chrono::steady_clock::now() - start >= kHold);
  CHECK(store->load("k") == payload_for("k", 1));
}
