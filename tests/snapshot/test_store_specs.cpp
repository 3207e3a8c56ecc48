// Store specs with schemes, SnapshotStore::remove() on both backends, and
// the snapshot file IO around stores: write_file_atomic on links and
// non-regular targets, read_snapshot_file's header-first reading.
#include <doctest/doctest.h>

#include "pine/compiler/compile.h"
#include "pine/snapshot/snapshot.h"
#include "pine/snapshot/store.h"
#include "snapshot_outcome.h"
#include "temp_dir.h"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

using namespace pine;
namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

namespace {

using pine::test::outcome;

/// Scratch directories named after this file's tests.
struct TempDir : pine::test::TempDir {
  TempDir() : pine::test::TempDir("pinevm-store-spec-test") {}
};

/// Bytes that differ per (key, bar): what a store must give back.
Bytes payload(const std::string& key, std::int64_t bar) {
  Bytes out(64 + static_cast<std::size_t>(bar));
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(key.size() * 31 + bar * 7 + i);
  return out;
}

/// Reads a file with the standard library (independent of the code tested).
Bytes read_whole(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// A real snapshot of a small script after `bars` bars.
Bytes real_snapshot(int bars) {
  CompileResult r = compile("//@version=6\nindicator(\"s\")\nvar n = 0\nn += 1\nplot(n)\n", CompileOptions{});
  REQUIRE(r.ok());
  Instance inst = InstanceBuilder(r.program).build();
  for (int i = 0; i < bars; ++i) inst.run_bar(Bar{1'700'000'000'000 + i * 60'000LL, 1, 1, 1, 1, 1});
  return save_state(inst);
}

/// Writes `bytes` to `path` with the standard library.
void write_whole(const fs::path& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

} // namespace

// The rule of store.h: a scheme is letters/digits/+-. before a ':' that
// comes before any '/', starting with a letter; only "sqlite" is known.
TEST_CASE("store specs: the scheme of a spec") {
  CHECK(store_spec_scheme("sqlite:x.db") == "sqlite");
  CHECK(store_spec_scheme("sqlite3:x.db") == "sqlite3");
  CHECK(store_spec_scheme("SQLITE:x") == "SQLITE");
  CHECK(store_spec_scheme("redis://host/0") == "redis");
  CHECK(store_spec_scheme("a+b.c-d:x") == "a+b.c-d");
  CHECK_FALSE(store_spec_scheme("dir").has_value());
  CHECK_FALSE(store_spec_scheme("./a:b").has_value());
  CHECK_FALSE(store_spec_scheme("data/run:1").has_value());
  CHECK_FALSE(store_spec_scheme("/abs/x:y").has_value());
  CHECK_FALSE(store_spec_scheme("1x:y").has_value());
  CHECK_FALSE(store_spec_scheme(":x").has_value());
  CHECK_FALSE(store_spec_scheme("a b:c").has_value());
}

TEST_CASE("store specs: unknown schemes are refused, directories with ':' still open") {
  TempDir root;
  for (const char* spec : {"sqlite3:x.db", "SQLITE:x.db", "Sqlite:x", "redis://localhost/0", "file:x"}) {
    INFO("spec ", spec);
    CHECK_THROWS_AS(open_store(spec, 0), std::invalid_argument);
  }
  // Run in the temporary directory, where a wrongly created "sqlite3:x.db"
  // directory or database would appear (and be cleaned up).
  const fs::path cwd = fs::current_path();
  fs::current_path(root.path());
  bool threw = false;
  try {
    open_store("sqlite3:x.db", 0);
  } catch (const std::invalid_argument& e) {
    threw = true;
    CHECK(std::string(e.what()).find("unknown snapshot store scheme 'sqlite3:'") != std::string::npos);
  }
  CHECK_THROWS_AS(open_store("SQLITE:x.db", 0), std::invalid_argument);
  const bool created = fs::exists("sqlite3:x.db") || fs::exists("x.db") || fs::exists("SQLITE:x.db");
  fs::current_path(cwd);
  CHECK_MESSAGE(threw, "open_store(\"sqlite3:x.db\") did not throw");
  CHECK_FALSE(created);
  CHECK_NOTHROW(validate_store_spec("sqlite:x.db"));
  CHECK_THROWS_AS(validate_store_spec("sqlite:"), std::invalid_argument);
  CHECK_THROWS_AS(validate_store_spec("sqlite3:x.db"), std::invalid_argument);
  const fs::path with_colon = root.path() / "run:1";
  open_store(with_colon.string(), 0)->save("k", 3, payload("k", 3));
  CHECK(read_whole(with_colon / "k-3.pvms") == payload("k", 3));
}

// remove() deletes exactly the key's snapshots, on both backends; other keys
// (including ones the key is a prefix of) stay; removing nothing is fine.
TEST_CASE("store specs: remove() deletes one key's snapshots") {
  TempDir root;
  for (const std::string& spec : {(root.path() / "dir").string(), "sqlite:" + (root.path() / "s.db").string()}) {
    INFO("spec ", spec);
    std::unique_ptr<SnapshotStore> store = open_store(spec, 0);
    for (std::int64_t bar : {1, 2, 3}) store->save("a", bar, payload("a", bar));
    for (std::int64_t bar : {4, 5}) store->save("a-1", bar, payload("a-1", bar));
    store->remove("a");
    CHECK(store->list("a").empty());
    CHECK_FALSE(store->load("a").has_value());
    REQUIRE(store->list("a-1").size() == 2);
    CHECK(*store->load("a-1") == payload("a-1", 5));
    store->remove("nothing-here");
    CHECK_THROWS_AS(store->remove(""), std::invalid_argument);
    CHECK_THROWS_AS(store->remove("a/b"), std::invalid_argument);
    // A reopened store agrees: the removal is durable, not cached.
    std::unique_ptr<SnapshotStore> again = open_store(spec, 0);
    CHECK(again->list("a").empty());
    CHECK(again->list("a-1").size() == 2);
    // The key is usable again afterwards.
    again->save("a", 9, payload("a", 9));
    CHECK(*again->load("a") == payload("a", 9));
  }
}

// write_file_atomic writes through a symbolic link (the link stays, the
// target gets the bytes) and refuses FIFOs, devices, directories and
// dangling links without touching them.
TEST_CASE("store specs: write_file_atomic on links and non-regular targets") {
  TempDir root;
  const fs::path target = root.path() / "target.bin";
  write_whole(target, Bytes{1, 2, 3});
  const fs::path link = root.path() / "link.bin";
  fs::create_symlink(target, link);
  snapshot::write_file_atomic(link.string(), Bytes{9, 8});
  CHECK(fs::is_symlink(link));
  CHECK(read_whole(target) == Bytes{9, 8});
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(root.path())) files += e.path().filename().string().find(".tmp-") == std::string::npos;
  CHECK(files == 2);

  const fs::path fifo = root.path() / "fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK(outcome([&] { snapshot::write_file_atomic(fifo.string(), Bytes{1}); }) == "io");
  CHECK(fs::is_fifo(fifo));
  CHECK(outcome([&] { snapshot::write_file_atomic("/dev/null", Bytes{1}); }) == "io");
  CHECK(fs::is_character_file("/dev/null"));
  CHECK(outcome([&] { snapshot::write_file_atomic(root.path().string(), Bytes{1}); }) == "io");
  const fs::path dangling = root.path() / "dangling";
  fs::create_symlink(root.path() / "missing" / "x", dangling);
  CHECK(outcome([&] { snapshot::write_file_atomic(dangling.string(), Bytes{1}); }) == "io");
  CHECK(fs::is_symlink(dangling));
}

// read_snapshot_file checks the header before reading on: /dev/zero and a
// large sparse file of zeros are bad magic at once; a real snapshot reads
// back whole; one cut short is truncated; bytes after it are corrupt.
TEST_CASE("store specs: read_snapshot_file reads the header first") {
  TempDir root;
  CHECK(outcome([] { snapshot::read_snapshot_file("/dev/zero"); }) == "bad_magic");
  const fs::path zeros = root.path() / "zeros.bin";
  write_whole(zeros, Bytes{});
  fs::resize_file(zeros, std::uintmax_t{1} << 30);
  CHECK(outcome([&] { snapshot::read_snapshot_file(zeros.string()); }) == "bad_magic");

  const Bytes good = real_snapshot(5);
  const fs::path file = root.path() / "good.pvms";
  write_whole(file, good);
  CHECK(snapshot::read_snapshot_file(file.string()) == good);
  write_whole(file, Bytes(good.begin(), good.end() - 3));
  CHECK(outcome([&] { snapshot::read_snapshot_file(file.string()); }) == "truncated");
  write_whole(file, Bytes(good.begin(), good.begin() + 50));
  CHECK(outcome([&] { snapshot::read_snapshot_file(file.string()); }) == "truncated");
  Bytes longer = good;
  longer.push_back(0);
  write_whole(file, longer);
  CHECK(outcome([&] { snapshot::read_snapshot_file(file.string()); }) == "corrupt");
  CHECK(outcome([&] { snapshot::read_snapshot_file((root.path() / "missing").string()); }) == "io");
  CHECK(outcome([&] { snapshot::read_snapshot_file(root.path().string()); }) == "io");
}
