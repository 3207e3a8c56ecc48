// Smaller points of the CLI contract: version/help/unknown commands, bench's
// error contract, compiled programs given to run, --syminfo with a BOM,
// JSONL infinities, repeated --input, warnings for runs that run nothing,
// fast rejection of non-snapshots, and out of memory.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "cli_test_support.h"

using namespace cli_test;

namespace {

constexpr const char* kCsv = "time,open,high,low,close\n1000,1,2,0.5,1.5\n2000,2,3,1,2.5\n3000,3,4,2,3.5\n";

/// The project version as CMakeLists.txt declares it, read independently of
/// the CLI ("project(pinevm VERSION x.y.z").
std::string cmake_version() {
  const std::string text = read_file((fs::path(PINEVM_SOURCE_DIR) / "CMakeLists.txt").string());
  std::smatch m;
  REQUIRE(std::regex_search(text, m, std::regex(R"(project\(pinevm VERSION ([0-9]+\.[0-9]+\.[0-9]+))")));
  return m[1].str();
}

} // namespace

// --version and `version` print "pinevm <CMake version>",
// `help` and --help print the help (exit 0), an unknown command names
// itself (exit 2), and no command at all is a usage error.
TEST_CASE("cli contract: version, help and unknown commands") {
  const std::string expected = "pinevm " + cmake_version() + "\n";
  for (const std::vector<std::string>& args : {std::vector<std::string>{"--version"}, std::vector<std::string>{"version"}}) {
    const Result r = pinevm(args);
    CHECK(r.code == 0);
    CHECK(r.out == expected);
    CHECK(r.err == "");
  }
  for (const std::vector<std::string>& args : {std::vector<std::string>{"help"}, std::vector<std::string>{"--help"}}) {
    const Result r = pinevm(args);
    CHECK(r.code == 0);
    CHECK(contains(r.out, "inspect"));  // lists the commands
    CHECK(contains(r.out, "bench"));
  }
  const Result unknown = pinevm({"frobnicate", "x"});
  CHECK_FAILURE(unknown, 2);
  CHECK(contains(first_line(unknown.err), "unknown command 'frobnicate'"));
  const Result none = pinevm({});
  CHECK_FAILURE(none, 2);
  CHECK(contains(first_line(none.err), "a command is required"));
}

// Bench fails like run: `pinevm: error:` first, exit 4 for
// a runtime error naming the bar, 1 for a compile error, 5 for bad data.
TEST_CASE("cli contract: bench has run's error contract") {
  TempDir dir;
  const std::string data = dir.write("bars.csv", kCsv);
  const std::string boom =
      dir.write("boom.pine", "//@version=6\nindicator(\"b\")\nif bar_index == 1\n    runtime.error(\"boom\")\nplot(close)\n");
  const Result runtime = pinevm({"bench", boom, "--data", data, "--repeat", "1"});
  CHECK_FAILURE(runtime, 4);
  CHECK(contains(first_line(runtime.err), "runtime error on bar 1"));
  CHECK(contains(first_line(runtime.err), "boom"));
  const std::string broken = dir.write("broken.pine", "//@version=6\nindicator(\"b\")\nplot(nope)\n");
  const Result compile = pinevm({"bench", broken, "--data", data});
  CHECK_FAILURE(compile, 1);
  CHECK(contains(first_line(compile.err), "did not compile"));
  const Result bad = pinevm({"bench", boom, "--data", dir.write("bad.csv", "time,open\n1,2\n")});
  CHECK_FAILURE(bad, 5);
  CHECK_FAILURE(pinevm({"bench", dir.file("missing.pine"), "--data", data}), 2);
}

// Run takes a compiled program (by its magic bytes, whatever
// its name) and gives the source's output; a binary "script" or a snapshot
// given as the script is a clear usage error.
TEST_CASE("cli contract: run accepts compiled programs, refuses binary scripts") {
  TempDir dir;
  const std::string data = dir.write("bars.csv", kCsv);
  const std::string script = dir.write("s.pine", "//@version=6\nindicator(\"s\")\nvar n = 0\nn += 1\nplot(n * close)\n");
  const Result source = pinevm({"run", script, "--data", data});
  REQUIRE(source.code == 0);
  const std::string pvmc = dir.file("s.pvmc");
  REQUIRE(pinevm({"compile", script, "-o", pvmc}).code == 0);
  const Result compiled = pinevm({"run", pvmc, "--data", data});
  CHECK(compiled.code == 0);
  CHECK(compiled.out == source.out);
  const std::string renamed = dir.write("renamed.pine", read_file(pvmc));
  const Result by_magic = pinevm({"run", renamed, "--data", data});
  CHECK(by_magic.code == 0);
  CHECK(by_magic.out == source.out);
  CHECK(pinevm({"check", pvmc}).code == 0);

  const Result binary = pinevm({"run", dir.write("bin.pine", std::string("//@version=6\n\0\x01\x02", 16)), "--data", data});
  CHECK_FAILURE(binary, 2);
  CHECK(contains(first_line(binary.err), "NUL bytes"));
  const std::string state = dir.file("state.bin");
  REQUIRE(pinevm({"run", script, "--data", data, "--save-state", state}).code == 0);
  const Result snap = pinevm({"run", state, "--data", data});
  CHECK_FAILURE(snap, 2);
  CHECK(contains(first_line(snap.err), "is a pinevm snapshot, not a script"));
  const Result fake = pinevm({"run", dir.write("fake.pvmc", "not a program"), "--data", data});
  CHECK_FAILURE(fake, 5);
  CHECK(contains(first_line(fake.err), "not a pinevm program file"));
}

// The run limits reach the instance: bar b of the script runs b * 1000 + 1
// loop iterations, 10 work units each, so a budget of 25,000 units admits
// bars 0-2 (10, 10,010 and 20,010 units) and stops bar 3 (30,010) at the
// loop's line; 1,000 distinct strings of 40,000 characters (40 MB, made by
// far more than the 256 allocating instructions between two measurements)
// pass the default memory limit and fail a 1 MiB one; a negative time limit
// is a usage error.
TEST_CASE("cli contract: run limits from the command line") {
  TempDir dir;
  const std::string data = dir.write("bars.csv", "time,open,high,low,close\n1000,1,2,0.5,1.5\n2000,2,3,1,2.5\n"
                                                 "3000,3,4,2,3.5\n4000,4,5,3,4.5\n");
  const std::string loop = dir.write("loop.pine", "//@version=6\nindicator(\"loop\")\nn = 0\n"
                                                  "for i = 0 to bar_index * 1000\n    n += 1\nplot(n)\n");
  CHECK(pinevm({"run", loop, "--data", data}).code == 0);
  const Result work = pinevm({"run", loop, "--data", data, "--max-bar-work", "25000"});
  CHECK_FAILURE(work, 4);
  CHECK(contains(first_line(work.err), "bar 3"));
  CHECK(contains(first_line(work.err), "too much work"));
  CHECK(contains(first_line(work.err), ":4"));

  const std::string strings = dir.write("strings.pine", "//@version=6\nindicator(\"strings\")\n"
                                                        "var a = array.new_string(0)\nif bar_index == 0\n"
                                                        "    for i = 1 to 1000\n"
                                                        "        a.push(str.repeat(\"x\", 40000) + str.tostring(i))\n"
                                                        "plot(a.size())\n");
  CHECK(pinevm({"run", strings, "--data", data}).code == 0);
  const Result memory = pinevm({"run", strings, "--data", data, "--max-memory-mib", "1"});
  CHECK_FAILURE(memory, 4);
  CHECK(contains(first_line(memory.err), "bar 0"));
  CHECK(contains(first_line(memory.err), "memory limit"));

  CHECK(pinevm({"run", loop, "--data", data, "--max-bar-seconds", "0"}).code == 0);
  CHECK_FAILURE(pinevm({"run", loop, "--data", data, "--max-bar-seconds", "-1"}), 2);
}

// A library has no body to run: check and disasm accept it, run, compile
// and bench refuse it with a usage error instead of an empty output.
TEST_CASE("cli contract: a library is checked, never run") {
  TempDir dir;
  const std::string data = dir.write("bars.csv", kCsv);
  const std::string lib = dir.write("lib.pine",
                                    "//@version=6\nlibrary(\"lib\")\nexport twice(float x) =>\n    x * 2\n");
  CHECK(pinevm({"check", lib}).code == 0);
  CHECK(pinevm({"disasm", lib}).code == 0);
  for (const std::vector<std::string>& args : {std::vector<std::string>{"run", lib, "--data", data},
                                               std::vector<std::string>{"compile", lib, "-o", dir.file("lib.pvmc")},
                                               std::vector<std::string>{"bench", lib, "--data", data}}) {
    CAPTURE(args[0]);
    const Result r = pinevm(args);
    CHECK_FAILURE(r, 2);
    CHECK(contains(first_line(r.err), "is a library"));
    CHECK(r.out.empty());
  }
  CHECK_FALSE(fs::exists(dir.file("lib.pvmc")));
}

// A UTF-8 BOM before a --syminfo object is accepted and the
// fields apply (the description reaches the script).
TEST_CASE("cli contract: --syminfo with a UTF-8 BOM") {
  TempDir dir;
  const std::string data = dir.write("bars.csv", kCsv);
  const std::string script = dir.write(
      "d.pine", "//@version=6\nindicator(\"d\")\nif barstate.isfirst\n    log.info(syminfo.description)\nplot(close)\n");
  const std::string json = dir.write("info.json", "\xEF\xBB\xBF{\"description\": \"Bom Inc.\"}\n");
  const Result r = pinevm({"run", script, "--data", data, "--syminfo", json});
  CHECK(r.code == 0);
  CHECK(r.err == "INFO: Bom Inc.\n");
  // A BOM anywhere else is still an error with its position.
  const Result late = pinevm({"run", script, "--data", data, "--syminfo", dir.write("late.json", " \xEF\xBB\xBF{}")});
  CHECK_FAILURE(late, 2);
}

// JSONL writes +-infinity as the strings "Infinity" and
// "-Infinity" (the CSV spellings), never null, which stays na.
TEST_CASE("cli contract: JSONL infinities are strings, na is null") {
  TempDir dir;
  const std::string data = dir.write("bars.csv", "time,open,high,low,close\n1000,1,1,1,1\n");
  const std::string script =
      dir.write("i.pine", "//@version=6\nindicator(\"i\")\nplot(math.pow(10, 400), \"up\")\n"
                          "plot(-math.pow(10, 400), \"down\")\nplot(na, \"none\")\n");
  const Result jsonl = pinevm({"run", script, "--data", data, "--format", "jsonl"});
  CHECK(jsonl.code == 0);
  CHECK(jsonl.out == "{\"time\":1000000,\"bar_index\":0,\"up\":\"Infinity\",\"down\":\"-Infinity\",\"none\":null}\n");
  const Result csv = pinevm({"run", script, "--data", data});
  CHECK(csv.out == "time,bar_index,up,down,none\n1000000,0,Infinity,-Infinity,NaN\n");
}

// The same --input twice is a usage error naming it.
TEST_CASE("cli contract: a repeated --input is an error") {
  TempDir dir;
  const std::string data = dir.write("bars.csv", kCsv);
  const std::string script =
      dir.write("in.pine", "//@version=6\nindicator(\"in\")\nlen = input.int(5, \"Length\")\nplot(len)\n");
  const Result twice = pinevm({"run", script, "--data", data, "--input", "Length=6", "--input", "Length=7"});
  CHECK_FAILURE(twice, 2);
  CHECK(contains(first_line(twice.err), "--input 'Length' is given more than once"));
  const Result once = pinevm({"run", script, "--data", data, "--input", "Length=6"});
  CHECK(once.code == 0);
  CHECK(contains(once.out, ",6\n"));
}

// Data with a header only, and a restore whose data has no
// newer bar, exit 0 with a `pinevm: warning:` line on stderr.
TEST_CASE("cli contract: runs that run nothing warn") {
  TempDir dir;
  const std::string script = dir.write("w.pine", "//@version=6\nindicator(\"w\")\nplot(close)\n");
  const Result empty = pinevm({"run", script, "--data", dir.write("h.csv", "time,open,high,low,close\n")});
  CHECK(empty.code == 0);
  CHECK(starts_with(empty.err, "pinevm: warning: "));
  CHECK(contains(empty.err, "holds no bars"));
  CHECK(empty.out == "time,bar_index,plot\n");

  const std::string data = dir.write("bars.csv", kCsv);
  const std::string state = dir.file("s.bin");
  REQUIRE(pinevm({"run", script, "--data", data, "--save-state", state}).code == 0);
  const Result stale = pinevm({"run", script, "--data", data, "--restore-state", state});
  CHECK(stale.code == 0);
  CHECK(starts_with(stale.err, "pinevm: warning: "));
  CHECK(contains(stale.err, "after the restored snapshot's last bar"));
  // A run with new bars is quiet.
  const Result fresh = pinevm({"run", script, "--data", data});
  CHECK(fresh.err == "");
}

// Inspect and --restore-state read the header
// first, so /dev/zero and a large file of zeros are rejected as bad magic
// at once (before, /dev/zero was read to the 2 GiB cap). No timing assert:
// returning at all is the proof for /dev/zero.
TEST_CASE("cli contract: non-snapshots are rejected from their first bytes") {
  TempDir dir;
  const std::string script = dir.write("z.pine", "//@version=6\nindicator(\"z\")\nplot(close)\n");
  const std::string data = dir.write("bars.csv", kCsv);
  const std::string zeros = dir.file("zeros.bin");
  {
    const int fd = ::open(zeros.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    REQUIRE(fd >= 0);
    REQUIRE(::ftruncate(fd, off_t{1} << 30) == 0);  // 1 GiB, sparse
    ::close(fd);
  }
  for (const std::string& file : {std::string("/dev/zero"), zeros}) {
    INFO("file ", file);
    const Result inspect = pinevm({"inspect", file});
    CHECK_FAILURE(inspect, 3);
    CHECK(contains(first_line(inspect.err), "bad_magic"));
    const Result restore = pinevm({"run", script, "--data", data, "--restore-state", file});
    CHECK_FAILURE(restore, 3);
    CHECK(contains(first_line(restore.err), "bad_magic"));
  }
}

// When memory runs out (here: reading --data
// under a 256 MiB address-space limit), the error says "out of memory",
// not std::bad_alloc, with exit 2. Not under sanitizers, whose shadow
// memory cannot live under such a limit.
TEST_CASE("cli contract: out of memory is reported as such") {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  MESSAGE("sanitizer build: skipped");
#else
  TempDir dir;
  // Compiled beforehand: the compiler runs on a thread of its own, whose
  // stack the limit below would not leave room for.
  const std::string source = dir.write("m.pine", "//@version=6\nindicator(\"m\")\nplot(close)\n");
  const std::string script = dir.file("m.pvmc");
  REQUIRE(pinevm({"compile", source, "-o", script}).code == 0);
  const std::string big = dir.file("big.csv");
  {
    const int fd = ::open(big.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    REQUIRE(fd >= 0);
    REQUIRE(::ftruncate(fd, off_t{1} << 30) == 0);  // 1 GiB, sparse: more than the limit
    ::close(fd);
  }
  const std::string err_path = dir.file("err.txt");
  const pid_t pid = fork();
  if (pid == 0) {
    const rlimit limit{rlim_t{256} << 20, rlim_t{256} << 20};
    setrlimit(RLIMIT_AS, &limit);
    const int err_fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int null_fd = ::open("/dev/null", O_WRONLY);
    dup2(err_fd, 2);
    dup2(null_fd, 1);
    execl(PINEVM_BINARY, PINEVM_BINARY, "run", script.c_str(), "--data", big.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  const std::string err = read_file(err_path);
  INFO("stderr: ", err);
  CHECK(WEXITSTATUS(status) == 2);
  CHECK(starts_with(err, "pinevm: error: out of memory"));
  CHECK_FALSE(contains(err, "bad_alloc"));
#endif
}
