// `pinevm run` with checkpoints (cli/src/checkpoints.h): --snapshot-every N
// into --snapshot-dir DIR (files <key>-<bar_index>.pvms) with --keep K,
// --restore-state DIR taking the newest valid snapshot and falling back past
// damaged ones, and --store sqlite:PATH --key NAME restoring and saving.
//
// The reference for every restored run is the straight run of the same CLI
// over the full sample: a restore after bar b must print exactly the rows
// after b (the project's split-run invariant, through the command line).
#include <doctest/doctest.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "cli_test_support.h"

using namespace cli_test;

namespace {

/// The names of the files in `dir`, sorted.
std::set<std::string> names_in(const fs::path& dir) {
  std::set<std::string> out;
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
  return out;
}

/// The header plus the data rows after bar `b` of a straight run's output.
std::string rows_after(const std::vector<std::string>& straight, std::size_t b) {
  std::string out = straight[0] + "\n";
  for (std::size_t i = b + 2; i < straight.size(); ++i) out += straight[i] + "\n";
  return out;
}

} // namespace

TEST_CASE("cli checkpoints: --snapshot-every into a directory, newest K kept, restore from the directory") {
  TempDir dir;
  const std::string script = snapshot_script("ta_all.pine");
  const Result straight = pinevm({"run", script, "--data", sample_csv_path(), "--log", dir.file("s.log")});
  REQUIRE(straight.code == 0);
  const std::vector<std::string> rows = split_lines(straight.out);
  REQUIRE(rows.size() == 2601);

  // 1,234 bars, a checkpoint every 300 bars of the instance's life: after
  // bars 299, 599, 899, 1199, plus the final state after bar 1233. Keep 3.
  const std::string snaps = dir.file("snaps");
  const Result run = pinevm({"run", script, "--data", dir.write("a.csv", sample_prefix(1234)), "--snapshot-every", "300",
                             "--snapshot-dir", snaps, "--keep", "3", "--out", dir.file("a.out"), "--log",
                             dir.file("a.log")});
  INFO("stderr: ", run.err);
  REQUIRE(run.code == 0);
  CHECK(names_in(snaps) == std::set<std::string>{"ta_all-899.pvms", "ta_all-1199.pvms", "ta_all-1233.pvms"});

  // Restoring the directory resumes after bar 1233 with the straight rows.
  const Result resumed =
      pinevm({"run", script, "--data", sample_csv_path(), "--restore-state", snaps, "--log", dir.file("b.log")});
  INFO("stderr: ", resumed.err);
  REQUIRE(resumed.code == 0);
  CHECK(resumed.out == rows_after(rows, 1233));
  CHECK(resumed.err.empty());

  // Damage the newest: the restore reports it and falls back to bar 1199.
  dir.write("snaps/ta_all-1233.pvms", "not a snapshot");
  const Result fallback =
      pinevm({"run", script, "--data", sample_csv_path(), "--restore-state", snaps, "--log", dir.file("c.log")});
  REQUIRE(fallback.code == 0);
  CHECK(fallback.out == rows_after(rows, 1199));
  CHECK(contains(fallback.err, "pinevm: warning: skipped snapshot"));
  CHECK(contains(fallback.err, "ta_all-1233.pvms (bad_magic)"));

  // Truncate the next one too: bar 899 it is.
  const std::string good = read_file(snaps + "/ta_all-1199.pvms");
  dir.write("snaps/ta_all-1199.pvms", good.substr(0, good.size() / 2));
  const Result second = pinevm({"run", script, "--data", sample_csv_path(), "--restore-state", snaps, "--log", dir.file("d.log")});
  REQUIRE(second.code == 0);
  CHECK(second.out == rows_after(rows, 899));
  CHECK(contains(second.err, "ta_all-1199.pvms (truncated)"));

  // All damaged: a snapshot error naming the key and the store.
  dir.write("snaps/ta_all-899.pvms", "");
  const Result none = pinevm({"run", script, "--data", sample_csv_path(), "--restore-state", snaps, "--log", dir.file("e.log")});
  CHECK_FAILURE(none, 3);
  CHECK(contains(none.err, "no snapshot of 'ta_all'"));
  CHECK(contains(none.err, "ta_all-899.pvms (truncated)")); // each damaged one is listed after the error line

  // A directory without snapshots of the key.
  const Result other = pinevm({"run", script, "--data", sample_csv_path(), "--restore-state", snaps, "--key", "other"});
  CHECK_FAILURE(other, 3);
  CHECK(contains(other.err, "no snapshot of 'other'"));
}

TEST_CASE("cli checkpoints: --store sqlite:PATH --key NAME restores its newest snapshot and saves into the store") {
  TempDir dir;
  const std::string script = snapshot_script("functions.pine");
  const Result straight = pinevm({"run", script, "--data", sample_csv_path(), "--log", dir.file("s.log")});
  REQUIRE(straight.code == 0);
  const std::vector<std::string> rows = split_lines(straight.out);
  const std::string store = "sqlite:" + dir.file("state.db");

  // First run: 700 bars, checkpoints every 250 (249, 499) and the end (699).
  const Result first = pinevm({"run", script, "--data", dir.write("a.csv", sample_prefix(700)), "--store", store,
                               "--key", "AAPL-functions", "--snapshot-every", "250", "--out", dir.file("a.out"), "--log",
                               dir.file("a.log")});
  INFO("stderr: ", first.err);
  REQUIRE(first.code == 0);
  // Second run over more bars: resumes from bar 699, saves the end (1799).
  const Result second = pinevm({"run", script, "--data", dir.write("b.csv", sample_prefix(1800)), "--store", store,
                                "--key", "AAPL-functions", "--log", dir.file("b.log")});
  REQUIRE(second.code == 0);
  std::string expected = rows[0] + "\n";
  for (std::size_t i = 701; i <= 1800; ++i) expected += rows[i] + "\n";
  CHECK(second.out == expected);
  // Third run: the rest.
  const Result third = pinevm({"run", script, "--data", sample_csv_path(), "--store", store, "--key", "AAPL-functions",
                               "--log", dir.file("c.log")});
  REQUIRE(third.code == 0);
  CHECK(third.out == rows_after(rows, 1799));
  // Another key in the same store starts from scratch.
  const Result fresh = pinevm({"run", script, "--data", dir.write("c.csv", sample_prefix(10)), "--store", store, "--key",
                               "MSFT-functions", "--log", dir.file("d.log")});
  REQUIRE(fresh.code == 0);
  CHECK(split_lines(fresh.out).size() == 11);
  // A different input on an existing key is refused, not silently replayed.
  const Result mismatch = pinevm({"run", snapshot_script("inputs.pine"), "--data", sample_csv_path(), "--store", store,
                                  "--key", "AAPL-functions"});
  CHECK_FAILURE(mismatch, 3);
  CHECK(contains(mismatch.err, "program_mismatch"));
  CHECK(contains(mismatch.err, "replay history from scratch"));
  CHECK_FALSE(contains(mismatch.err, "skipped")); // a mismatch is not damage: no fallback
}

TEST_CASE("cli checkpoints: contradictory or incomplete options are usage errors") {
  TempDir dir;
  const std::string script = snapshot_script("functions.pine");
  const std::string data = dir.write("a.csv", sample_prefix(5));
  struct Case {
    std::vector<std::string> extra;
    const char* says;
  };
  const Case cases[] = {
      {{"--snapshot-every", "10"}, "--snapshot-every needs --snapshot-dir DIR or --store SPEC"},
      {{"--keep", "2"}, "--keep needs"},
      {{"--key", "x"}, "--key needs"},
      {{"--snapshot-dir", dir.file("d"), "--store", "sqlite:" + dir.file("s.db")}, "not both"},
      {{"--store", dir.file("d"), "--restore-state", dir.file("x.pvms")}, "drop --restore-state"},
      {{"--snapshot-every", "-1", "--snapshot-dir", dir.file("d")}, "--snapshot-every must be 0 or more"},
      {{"--snapshot-dir", dir.file("d"), "--key", "a/b"}, "--key:"},
      {{"--store", "sqlite:"}, "--store:"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args{"run", script, "--data", data};
    args.insert(args.end(), c.extra.begin(), c.extra.end());
    const Result r = pinevm(args);
    INFO("case: ", c.says);
    CHECK_FAILURE(r, 2);
    CHECK(contains(r.err, c.says));
  }
}

// Proves --restore-memory-limit: a legitimate state of 45 arrays of 100,000
// zeros (36 MB in memory, a few KiB on disk) is refused by the default
// restore limit (64 MiB + 16 x the file size) with exit 3 and a message that
// names the option; in a directory the refusal stops the search (older
// snapshots of the key are as large; skipping them would silently lose bars);
// with the option raised the run resumes exactly where the straight run is.
TEST_CASE("cli checkpoints: --restore-memory-limit lets a huge, very compressible state restore") {
  TempDir dir;
  std::string source = "//@version=6\nindicator(\"zeros\")\n";
  for (int i = 0; i < 45; ++i) source += "var a" + std::to_string(i) + " = array.new<float>(100000, 0)\n";
  source += "a0.set(bar_index % 100000, close)\nplot(a0.sum())\n";
  const std::string script = dir.write("zeros.pine", source);
  const std::string data = dir.write("all.csv", sample_prefix(8));
  const Result straight = pinevm({"run", script, "--data", data});
  REQUIRE(straight.code == 0);
  const std::vector<std::string> rows = split_lines(straight.out);
  REQUIRE(rows.size() == 9);

  const std::string snaps = dir.file("snaps");
  const Result first = pinevm({"run", script, "--data", dir.write("a.csv", sample_prefix(5)), "--save-state",
                               dir.file("s.pvms"), "--snapshot-every", "2", "--snapshot-dir", snaps});
  INFO("stderr: ", first.err);
  REQUIRE(first.code == 0);

  for (const std::string& from : {dir.file("s.pvms"), snaps}) {
    const Result refused = pinevm({"run", script, "--data", data, "--restore-state", from});
    INFO("from ", from, ": ", refused.err);
    CHECK_FAILURE(refused, 3);
    CHECK(contains(refused.err, "--restore-memory-limit"));
    CHECK_FALSE(contains(refused.err, "skipped"));
    const Result resumed = pinevm({"run", script, "--data", data, "--restore-state", from, "--restore-memory-limit", "256"});
    CHECK(resumed.code == 0);
    CHECK(resumed.out == rows_after(rows, 4));
  }
  CHECK_FAILURE(pinevm({"run", script, "--data", data, "--restore-memory-limit", "0"}), 2);
}
