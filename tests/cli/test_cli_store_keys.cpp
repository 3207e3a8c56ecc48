// Snapshot stores from the command line: one key per script (--force to
// replace), store spec schemes and empty values, and configurations that
// differ only in spelling (default symbol spelled out, D = 1D).
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "cli_test_support.h"

using namespace cli_test;

namespace {

constexpr const char* kScriptA = "//@version=6\nindicator(\"a\")\nvar n = 0\nn += 1\nplot(n)\n";
constexpr const char* kScriptB = "//@version=6\nindicator(\"b\")\nvar n = 0\nn += 2\nplot(n)\n";

/// The number of snapshot files of `key` in `dir`.
std::size_t files_of(const std::string& dir, const std::string& key) {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir))
    n += e.path().filename().string().rfind(key + "-", 0) == 0 && e.path().extension() == ".pvms";
  return n;
}

} // namespace

// A second script saving under a key that holds another
// script's snapshots is refused (exit 3, naming the key, --key and --force)
// with --snapshot-dir and with --store (directory and sqlite), and nothing is
// written; --force deletes the old snapshots and the second script then
// resumes from its own. The same script under its own key is never refused.
TEST_CASE("cli store keys: a key holding another script's snapshots is refused unless --force") {
  TempDir dir;
  const std::string a = dir.write("a.pine", kScriptA);
  const std::string b = dir.write("b.pine", kScriptB);
  const std::string first = dir.write("first.csv", sample_prefix(3));
  const std::string all = dir.write("all.csv", sample_prefix(6));
  const std::string snaps = dir.file("snaps");

  REQUIRE(pinevm({"run", a, "--data", first, "--snapshot-dir", snaps, "--key", "k"}).code == 0);
  REQUIRE(files_of(snaps, "k") == 1);
  // Same script, same key, a fresh run again: a second series would mix
  // with the first, so it is refused too; resuming it is fine.
  const Result again = pinevm({"run", a, "--data", first, "--snapshot-dir", snaps, "--key", "k"});
  CHECK_FAILURE(again, 3);
  CHECK(contains(first_line(again.err), "earlier run"));
  CHECK(pinevm({"run", a, "--data", first, "--restore-state", snaps, "--snapshot-dir", snaps, "--key", "k"}).code == 0);

  const Result refused = pinevm({"run", b, "--data", first, "--snapshot-dir", snaps, "--key", "k"});
  CHECK_FAILURE(refused, 3);
  CHECK(contains(first_line(refused.err), "key 'k'"));
  CHECK(contains(first_line(refused.err), "another program"));
  CHECK(contains(first_line(refused.err), "--force"));
  CHECK(refused.out == "");
  CHECK(files_of(snaps, "k") == 1);

  const Result forced = pinevm({"run", b, "--data", first, "--snapshot-dir", snaps, "--key", "k", "--force"});
  CHECK(forced.code == 0);
  CHECK(contains(forced.err, "pinevm: warning: --force"));
  // Now the key is b's: b resumes from it (bars 3..5 continue b's counter).
  const Result resumed = pinevm({"run", b, "--data", all, "--restore-state", snaps, "--key", "k"});
  CHECK(resumed.code == 0);
  const std::vector<std::string> lines = split_lines(resumed.out);
  REQUIRE(lines.size() == 4);
  CHECK(lines[1].substr(lines[1].rfind(',') + 1) == "8");  // 2 per bar, 4th bar

  for (const std::string& store : {dir.file("store-dir"), "sqlite:" + dir.file("s.db")}) {
    INFO("store ", store);
    REQUIRE(pinevm({"run", a, "--data", first, "--store", store, "--key", "x"}).code == 0);
    const Result r = pinevm({"run", b, "--data", first, "--store", store, "--key", "x"});
    CHECK_FAILURE(r, 3);
    CHECK(contains(first_line(r.err), "key 'x'"));
    CHECK(contains(first_line(r.err), "--force"));
    const Result f = pinevm({"run", b, "--data", first, "--store", store, "--key", "x", "--force"});
    CHECK(f.code == 0);
    CHECK(f.out == pinevm({"run", b, "--data", first}).out);  // started over, not resumed
    const Result again = pinevm({"run", b, "--data", all, "--store", store, "--key", "x"});
    CHECK(again.code == 0);
    CHECK(split_lines(again.out).size() == 4);  // resumed from b's own snapshot
  }
  // A different configuration of the same script is a conflict too.
  const std::string in = dir.write("in.pine", "//@version=6\nindicator(\"i\")\nk = input.int(1, \"K\")\nplot(k)\n");
  REQUIRE(pinevm({"run", in, "--data", first, "--snapshot-dir", snaps, "--key", "cfg"}).code == 0);
  const Result cfg = pinevm({"run", in, "--data", first, "--snapshot-dir", snaps, "--key", "cfg", "--input", "K=2"});
  CHECK_FAILURE(cfg, 3);
  CHECK(contains(first_line(cfg.err), "another configuration"));
  CHECK(contains(first_line(cfg.err), "input 'K'"));
  // --force without a store is a usage error.
  CHECK_FAILURE(pinevm({"run", a, "--data", first, "--force"}), 2);
}

// Unknown schemes and empty values are usage errors; a
// directory with ':' after a '/' or written ./x:y is still a directory.
TEST_CASE("cli store keys: unknown store schemes and empty values are refused") {
  TempDir dir;
  const std::string a = dir.write("a.pine", kScriptA);
  const std::string data = dir.write("d.csv", sample_prefix(2));
  for (const std::string& spec : {std::string("sqlite3:x.db"), std::string("SQLITE:x.db"),
                                  std::string("redis://localhost/0"), std::string("s3:bucket")}) {
    INFO("spec ", spec);
    const Result r = pinevm({"run", a, "--data", data, "--store", spec});
    CHECK_FAILURE(r, 2);
    CHECK(contains(first_line(r.err), "unknown snapshot store scheme"));
    CHECK(r.out == "");
  }
  CHECK_FALSE(fs::exists("sqlite3:x.db"));
  CHECK_FALSE(fs::exists("SQLITE:x.db"));
  for (const char* option : {"--store", "--snapshot-dir", "--save-state", "--out", "--log", "--key"}) {
    INFO("option ", option);
    const Result r = pinevm({"run", a, "--data", data, option, ""});
    CHECK_FAILURE(r, 2);
    CHECK(contains(first_line(r.err), option + std::string(" needs a non-empty value")));
  }
  CHECK_FAILURE(pinevm({"compile", a, "-o", ""}), 2);
  // ':' later in a path, or after "./", is a directory store.
  fs::create_directory(dir.path() / "d");
  const std::string later = dir.file("d/run:1");
  CHECK(pinevm({"run", a, "--data", data, "--store", later, "--key", "k"}).code == 0);
  CHECK(fs::exists(later + "/k-1.pvms"));
}

// The default symbol spelled out and "D" for the default
// "1D" restore a snapshot saved with defaults (and the other way round);
// a real difference names the differing field.
TEST_CASE("cli store keys: equivalent symbol and timeframe spellings restore") {
  TempDir dir;
  const std::string a = dir.write("a.pine", kScriptA);
  const std::string first = dir.write("first.csv", sample_prefix(3));
  const std::string all = dir.write("all.csv", sample_prefix(5));
  const std::string plain = dir.file("plain.bin");
  REQUIRE(pinevm({"run", a, "--data", first, "--save-state", plain}).code == 0);
  const std::string spelled = dir.file("spelled.bin");
  REQUIRE(pinevm({"run", a, "--data", first, "--save-state", spelled, "--symbol", "PINEVM:SAMPLE", "--timeframe",
                  "D"})
              .code == 0);
  const std::string expected = pinevm({"run", a, "--data", all, "--restore-state", plain}).out;
  REQUIRE(split_lines(expected).size() == 3);
  for (const std::string& state : {plain, spelled}) {
    for (const std::vector<std::string>& extra :
         {std::vector<std::string>{}, std::vector<std::string>{"--symbol", "PINEVM:SAMPLE"},
          std::vector<std::string>{"--timeframe", "D"}, std::vector<std::string>{"--timeframe", "1D"}}) {
      std::vector<std::string> args = {"run", a, "--data", all, "--restore-state", state};
      args.insert(args.end(), extra.begin(), extra.end());
      INFO("state ", state, " extra ", extra.empty() ? "" : extra[0] + " " + extra[1]);
      const Result r = pinevm(args);
      CHECK(r.code == 0);
      CHECK(r.out == expected);
    }
  }
  const std::string weekly = dir.file("weekly.bin");
  REQUIRE(pinevm({"run", a, "--data", first, "--save-state", weekly, "--timeframe", "W"}).code == 0);
  CHECK(pinevm({"run", a, "--data", all, "--restore-state", weekly, "--timeframe", "1W"}).code == 0);
  const Result tf = pinevm({"run", a, "--data", all, "--restore-state", weekly});
  CHECK_FAILURE(tf, 3);
  CHECK(contains(first_line(tf.err), "timeframe W (this run: 1D)"));
  const Result sym = pinevm({"run", a, "--data", all, "--restore-state", plain, "--symbol", "SAMPLE"});
  CHECK_FAILURE(sym, 3);
  CHECK(contains(first_line(sym.err), "symbol PINEVM:SAMPLE (this run: SAMPLE)"));
  const Result info = pinevm({"run", a, "--data", all, "--restore-state", plain, "--syminfo",
                              dir.write("i.json", "{\"timezone\": \"UTC+3\"}")});
  CHECK_FAILURE(info, 3);
  CHECK(contains(first_line(info.err), "syminfo.timezone = \"Etc/UTC\" (this run: \"UTC+3\")"));
}
