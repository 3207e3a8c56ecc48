// `pinevm run` never destroys anything before every check passed: scripts
// from pipes, --force deleting only at the first save, stores created only
// after the data is read, outputs truncated only once all opened, unwritable
// snapshot targets found up front; and the smaller contract points around
// them (limits, store paths, help, bench, file modes).
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_test_support.h"
#include "pine/snapshot/store.h"

using namespace cli_test;

namespace {

constexpr const char* kScriptA = "//@version=6\nindicator(\"a\")\nvar n = 0\nn += 1\nplot(n)\n";
constexpr const char* kScriptB = "//@version=6\nindicator(\"b\")\nvar n = 0\nn += 2\nplot(n)\n";
constexpr const char* kBadCsv = "time,open,high,low,close\nx,1,1,1,1\n";

/// The number of snapshot files of `key` in `dir`.
std::size_t files_of(const std::string& dir, const std::string& key) {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir))
    n += e.path().filename().string().rfind(key + "-", 0) == 0 && e.path().extension() == ".pvms";
  return n;
}

/// Runs `command` with /bin/sh (bash for process substitution), stdout and
/// stderr into files of `dir`; the exit code.
int shell(const TempDir& dir, const std::string& command, std::string& out, std::string& err) {
  const std::string o = dir.file("sh.out"), e = dir.file("sh.err");
  const std::string full = "bash -c '" + command + "' >'" + o + "' 2>'" + e + "' </dev/null";
  const int status = std::system(full.c_str());
  out = read_file(o);
  err = read_file(e);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/// Changes the working directory for a scope (relative store specs).
struct InDir {
  fs::path old = fs::current_path();
  explicit InDir(const fs::path& p) { fs::current_path(p); }
  ~InDir() { fs::current_path(old); }
};

} // namespace

// A script read from a pipe can be read once: the magic test and the
// compile must use the same bytes (regression: "no indicator() declaration").
TEST_CASE("cli safety: scripts and programs from pipes run") {
  TempDir dir;
  const std::string script = dir.write("s.pine", kScriptA);
  const std::string data = dir.write("d.csv", sample_prefix(3));
  const std::string expected = pinevm({"run", script, "--data", data}).out;
  REQUIRE(split_lines(expected).size() == 4);
  const std::string bin = PINEVM_BINARY;
  std::string out, err;
  CHECK(shell(dir, "cat " + script + " | " + bin + " run /dev/stdin --data " + data, out, err) == 0);
  CHECK(out == expected);
  CHECK(err == "");
  CHECK(shell(dir, bin + " run <(cat " + script + ") --data " + data, out, err) == 0);
  CHECK(out == expected);
  const std::string program = dir.file("s.pvmc");
  REQUIRE(pinevm({"compile", script, "-o", program}).code == 0);
  CHECK(shell(dir, "cat " + program + " | " + bin + " run /dev/stdin --data " + data, out, err) == 0);
  CHECK(out == expected);
}

// --force with data that fails leaves the other script's snapshots intact
// (directory and SQLite stores), and prints no warning before the error.
TEST_CASE("cli safety: --force deletes nothing when a later check fails") {
  TempDir dir;
  const std::string a = dir.write("a.pine", kScriptA);
  const std::string b = dir.write("b.pine", kScriptB);
  const std::string data = dir.write("d.csv", sample_prefix(3));
  const std::string bad = dir.write("bad.csv", kBadCsv);
  const std::string snaps = dir.file("snaps");
  REQUIRE(pinevm({"run", a, "--data", data, "--snapshot-dir", snaps, "--key", "k"}).code == 0);
  REQUIRE(files_of(snaps, "k") == 1);
  const Result r = pinevm({"run", b, "--data", bad, "--snapshot-dir", snaps, "--key", "k", "--force"});
  CHECK_FAILURE(r, 5);
  CHECK_FALSE(contains(r.err, "warning"));
  CHECK(files_of(snaps, "k") == 1);
  // A --log that cannot be opened: checked before the deletion too.
  const Result l = pinevm({"run", b, "--data", data, "--snapshot-dir", snaps, "--key", "k", "--force", "--log",
                           dir.file("missing/l.jsonl")});
  CHECK_FAILURE(l, 2);
  CHECK_FALSE(contains(l.err, "warning"));
  CHECK(files_of(snaps, "k") == 1);

  const std::string db = dir.file("s.db");
  REQUIRE(pinevm({"run", a, "--data", data, "--store", "sqlite:" + db, "--key", "k"}).code == 0);
  const Result s = pinevm({"run", b, "--data", bad, "--store", "sqlite:" + db, "--key", "k", "--force"});
  CHECK_FAILURE(s, 5);
  CHECK(pine::open_sqlite_store(db, 0)->list("k").size() == 1);
  // a still resumes from its own snapshot.
  const Result resumed = pinevm({"run", a, "--data", dir.write("all.csv", sample_prefix(5)), "--store", "sqlite:" + db,
                                 "--key", "k"});
  CHECK(resumed.code == 0);
  CHECK(split_lines(resumed.out).size() == 3);
  // And the forced run that passes every check does replace the key.
  const Result forced = pinevm({"run", b, "--data", data, "--snapshot-dir", snaps, "--key", "k", "--force"});
  CHECK(forced.code == 0);
  CHECK(contains(forced.err, "pinevm: warning: --force"));
  CHECK(files_of(snaps, "k") == 1);
}

// Bad data creates no store: neither the directory nor the database.
TEST_CASE("cli safety: no store is created before the data is read") {
  TempDir dir;
  const std::string a = dir.write("a.pine", kScriptA);
  const std::string bad = dir.write("bad.csv", kBadCsv);
  CHECK_FAILURE(pinevm({"run", a, "--data", bad, "--snapshot-dir", dir.file("new/dir")}), 5);
  CHECK_FALSE(fs::exists(dir.file("new")));
  CHECK_FAILURE(pinevm({"run", a, "--data", bad, "--store", "sqlite:" + dir.file("new.db")}), 5);
  CHECK_FALSE(fs::exists(dir.file("new.db")));
  CHECK_FAILURE(pinevm({"run", a, "--data", bad, "--store", dir.file("newstore")}), 5);
  CHECK_FALSE(fs::exists(dir.file("newstore")));
  CHECK_FAILURE(pinevm({"run", a, "--data", dir.write("d.csv", sample_prefix(2)), "--snapshot-dir",
                        dir.file("bad/dir"), "--key", "bad/key"}),
                2);
  CHECK_FALSE(fs::exists(dir.file("bad")));
}

// A --log that cannot be opened must not have emptied --out.
TEST_CASE("cli safety: a failed output open truncates no other output") {
  TempDir dir;
  const std::string a = dir.write("a.pine", kScriptA);
  const std::string data = dir.write("d.csv", sample_prefix(3));
  const std::string out = dir.write("out.csv", "keep me\n");
  const Result r = pinevm({"run", a, "--data", data, "--out", out, "--log", dir.file("missing/log.jsonl")});
  CHECK_FAILURE(r, 2);
  CHECK(read_file(out) == "keep me\n");
  // A successful run does replace the old contents (truncated, not overwritten in place).
  const std::string longer = dir.write("long.csv", std::string(10000, 'x'));
  REQUIRE(pinevm({"run", a, "--data", data, "--out", longer}).code == 0);
  CHECK(read_file(longer) == pinevm({"run", a, "--data", data}).out);
}

// Where a snapshot cannot be written is found before the run (exit 2),
// with --out untouched.
TEST_CASE("cli safety: unwritable snapshot targets are refused up front") {
  TempDir dir;
  const std::string a = dir.write("a.pine", kScriptA);
  const std::string data = dir.write("d.csv", sample_prefix(3));
  const std::string out = dir.write("out.csv", "keep me\n");
  const std::string file = dir.write("plain.txt", "x");
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{"--save-state", file + "/s.pvms"},
        std::vector<std::string>{"--save-state", dir.file("missing/s.pvms")},
        std::vector<std::string>{"--snapshot-dir", file},
        std::vector<std::string>{"--snapshot-dir", file + "/sub"},
        std::vector<std::string>{"--store", file},
        std::vector<std::string>{"--store", "sqlite:" + dir.file("missing/s.db")},
        std::vector<std::string>{"--store", "sqlite:" + file + "/s.db"}}) {
    std::vector<std::string> args = {"run", a, "--data", data, "--out", out};
    args.insert(args.end(), extra.begin(), extra.end());
    INFO(extra[0], " ", extra[1]);
    CHECK_FAILURE(pinevm(args), 2);
    CHECK(read_file(out) == "keep me\n");
  }
  if (::geteuid() == 0) return; // root writes everywhere: access() cannot refuse
  fs::create_directory(dir.path() / "ro");
  ::chmod(dir.file("ro").c_str(), 0500);
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{"--save-state", dir.file("ro/s.pvms")},
        std::vector<std::string>{"--snapshot-dir", dir.file("ro")},
        std::vector<std::string>{"--snapshot-dir", dir.file("ro/sub")},
        std::vector<std::string>{"--store", "sqlite:" + dir.file("ro/s.db")}}) {
    std::vector<std::string> args = {"run", a, "--data", data, "--out", out};
    args.insert(args.end(), extra.begin(), extra.end());
    INFO(extra[0], " ", extra[1]);
    const Result r = pinevm(args);
    CHECK_FAILURE(r, 2);
    CHECK(contains(first_line(r.err), "not writable"));
    CHECK(read_file(out) == "keep me\n");
  }
  ::chmod(dir.file("ro").c_str(), 0700);
}

// --snapshot-dir is a directory whatever its name: no scheme parsing.
TEST_CASE("cli safety: --snapshot-dir never parses a store scheme") {
  TempDir dir;
  const std::string a = dir.write("a.pine", kScriptA);
  const std::string data = dir.write("d.csv", sample_prefix(2));
  InDir in(dir.path());
  CHECK(pinevm({"run", a, "--data", data, "--snapshot-dir", "sqlite:zz", "--key", "k"}).code == 0);
  CHECK(fs::is_directory(dir.path() / "sqlite:zz"));
  CHECK(fs::exists(dir.path() / "sqlite:zz" / "k-1.pvms"));
  CHECK_FALSE(fs::exists(dir.path() / "zz"));
  CHECK(pinevm({"run", a, "--data", data, "--snapshot-dir", "run:1", "--key", "k"}).code == 0);
  CHECK(fs::exists(dir.path() / "run:1" / "k-1.pvms"));
}

// NaN is refused, and a positive limit under 0.5 ms is 1 ms, not "no limit".
TEST_CASE("cli safety: --max-bar-seconds rejects NaN and never rounds to no limit") {
  TempDir dir;
  const std::string a = dir.write("a.pine", kScriptA);
  const std::string data = dir.write("d.csv", sample_prefix(2));
  for (const char* v : {"nan", "NaN", "inf", "-inf"}) {
    INFO(v);
    CHECK_FAILURE(pinevm({"run", a, "--data", data, "--max-bar-seconds", v}), 2);
  }
  const std::string slow = dir.write(
      "slow.pine", "//@version=6\nindicator(\"s\")\nvar float t = 0\nfor i = 0 to 3000000\n    t += i\nplot(t)\n");
  const Result r = pinevm({"run", slow, "--data", data, "--max-bar-seconds", "0.0001"});
  CHECK_FAILURE(r, 4);
  CHECK(contains(first_line(r.err), "took too long"));
  CHECK(pinevm({"run", a, "--data", data, "--max-bar-seconds", "0"}).code == 0);
}

// A huge file named like a snapshot is rejected at its header: a 3 GiB
// sparse file is above the size cap, so a whole-file read would say
// size_limit, the header-first read says bad_magic.
TEST_CASE("cli safety: store restores read the header first") {
  TempDir dir;
  const std::string a = dir.write("a.pine", kScriptA);
  const std::string data = dir.write("d.csv", sample_prefix(2));
  fs::create_directory(dir.path() / "sd");
  const std::string huge = dir.file("sd/k-100.pvms");
  const int fd = ::open(huge.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  REQUIRE(fd >= 0);
  REQUIRE(::ftruncate(fd, off_t{3} << 30) == 0);
  ::close(fd);
  const Result r = pinevm({"run", a, "--data", data, "--restore-state", dir.file("sd"), "--key", "k"});
  CHECK_FAILURE(r, 3);
  CHECK(contains(r.err, "bad_magic"));
  CHECK_FALSE(contains(r.err, "size_limit"));
  // bad_magic, not size_limit: only the header was read (a whole-file read
  // of these 3 GiB would stop at the size cap first).
  // The same through the store API.
  auto store = pine::open_file_store(dir.path() / "sd", 0);
  const auto entries = store->list("k");
  REQUIRE(entries.size() == 1);
  try {
    store->read_snapshot(entries[0]);
    FAIL("read_snapshot accepted a file of zeros");
  } catch (const pine::SnapshotError& e) {
    CHECK(e.kind() == pine::SnapshotError::Kind::BadMagic);
  }
  // A fresh run into it is refused, and key_conflict does not read it whole.
  const Result fresh = pinevm({"run", a, "--data", data, "--snapshot-dir", dir.file("sd"), "--key", "k"});
  CHECK_FAILURE(fresh, 3);
}

// A FIFO (or any non-regular file) is no SQLite database.
TEST_CASE("cli safety: --store sqlite: refuses non-regular files") {
  TempDir dir;
  const std::string a = dir.write("a.pine", kScriptA);
  const std::string data = dir.write("d.csv", sample_prefix(2));
  const std::string fifo = dir.file("db.fifo");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const Result r = pinevm({"run", a, "--data", data, "--store", "sqlite:" + fifo});
  CHECK_FAILURE(r, 2);
  CHECK(contains(first_line(r.err), "FIFO"));
  const Result n = pinevm({"run", a, "--data", data, "--store", "sqlite:/dev/null"});
  CHECK_FAILURE(n, 2);
  CHECK(contains(first_line(n.err), "character device"));
}

// A fresh run into a key that already holds snapshots of the same script
// is refused: with --keep 1 the new series' snapshot used to be deleted by
// retention while the old one survived.
TEST_CASE("cli safety: a fresh run does not start a second series under a key") {
  TempDir dir;
  const std::string a = dir.write("a.pine", kScriptA);
  const std::string data = dir.write("d.csv", sample_prefix(5));
  const std::string sd = dir.file("sd");
  REQUIRE(pinevm({"run", a, "--data", data, "--snapshot-dir", sd, "--key", "k", "--keep", "1"}).code == 0);
  REQUIRE(fs::exists(sd + "/k-4.pvms"));
  const std::string shorter = dir.write("short.csv", sample_prefix(2));
  const Result r = pinevm({"run", a, "--data", shorter, "--snapshot-dir", sd, "--key", "k", "--keep", "1"});
  CHECK_FAILURE(r, 3);
  CHECK(contains(first_line(r.err), "earlier run"));
  CHECK(contains(first_line(r.err), "--restore-state"));
  CHECK(contains(first_line(r.err), "--force"));
  CHECK(r.out == "");
  CHECK(fs::exists(sd + "/k-4.pvms"));
  const Result f = pinevm({"run", a, "--data", shorter, "--snapshot-dir", sd, "--key", "k", "--keep", "1", "--force"});
  CHECK(f.code == 0);
  CHECK(files_of(sd, "k") == 1);
  CHECK(fs::exists(sd + "/k-1.pvms"));
  // A --store run restores first, so its key holding snapshots is normal.
  const std::string st = dir.file("st");
  REQUIRE(pinevm({"run", a, "--data", shorter, "--store", st, "--key", "k"}).code == 0);
  CHECK(pinevm({"run", a, "--data", data, "--store", st, "--key", "k"}).code == 0);
}

// help COMMAND, bench over a program file and a snapshot, and kept modes.
TEST_CASE("cli safety: help run, bench loading, compile -o wording, kept file modes") {
  TempDir dir;
  const std::string a = dir.write("a.pine", kScriptA);
  const std::string data = dir.write("d.csv", sample_prefix(3));
  const Result h = pinevm({"help", "run"});
  CHECK(h.code == 0);
  CHECK(contains(h.out, "--data"));
  CHECK(contains(h.out, "--snapshot-dir"));
  CHECK_FAILURE(pinevm({"help", "nope"}), 2);

  const std::string program = dir.file("a.pvmc");
  REQUIRE(pinevm({"compile", a, "-o", program}).code == 0);
  const Result b = pinevm({"bench", program, "--data", data, "--repeat", "1"});
  CHECK(b.code == 0);
  CHECK(contains(b.out, "bars:"));
  const std::string state = dir.file("s.pvms");
  REQUIRE(pinevm({"run", a, "--data", data, "--save-state", state}).code == 0);
  const Result bs = pinevm({"bench", state, "--data", data});
  CHECK_FAILURE(bs, 2);
  CHECK(contains(first_line(bs.err), "snapshot, not a script"));
  const Result bad = pinevm({"bench", dir.write("x.pvmc", "not a program"), "--data", data});
  CHECK_FAILURE(bad, 5);

  // A file that cannot be created says "program file", never "snapshot".
  const Result c = pinevm({"compile", a, "-o", "/proc/pinevm-test.pvmc"});
  CHECK_FAILURE(c, 2);
  CHECK_FALSE(contains(c.err, "snapshot"));

  // Replacing a 0600 file keeps 0600 (--save-state and compile -o).
  for (const std::string& path : {state, program}) {
    INFO(path);
    REQUIRE(::chmod(path.c_str(), 0600) == 0);
  }
  REQUIRE(pinevm({"run", a, "--data", data, "--save-state", state}).code == 0);
  REQUIRE(pinevm({"compile", a, "-o", program}).code == 0);
  for (const std::string& path : {state, program}) {
    INFO(path);
    struct stat st{};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0600);
  }
}

// The compiler's warnings are printed once every check passed: before a
// data error they would take the error's place as the first stderr line.
TEST_CASE("cli safety: compiler warnings wait until the checks passed") {
  TempDir dir;
  const std::string w = dir.write(
      "w.pine", "//@version=6\nindicator(\"w\")\nfloat y = na\nif close > open\n    y := ta.sma(close, 2)\nplot(y)\n");
  const Result ok = pinevm({"run", w, "--data", dir.write("d.csv", sample_prefix(2))});
  CHECK(ok.code == 0);
  CHECK(contains(ok.err, "warning:"));
  const Result bad = pinevm({"run", w, "--data", dir.write("bad.csv", kBadCsv)});
  CHECK_FAILURE(bad, 5);
  CHECK_FALSE(contains(bad.err, "warning"));
}
