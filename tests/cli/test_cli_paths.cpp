// The files `pinevm` writes: non-regular targets, symbolic links, outputs
// that collide with inputs or each other, directories given as files, and
// write errors (cli/src/output_paths.h has the rules).
#include <doctest/doctest.h>

#include <signal.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "cli_test_support.h"

using namespace cli_test;

namespace {

constexpr const char* kScript = "//@version=6\nindicator(\"p\")\nplot(close)\nlog.info(\"x\")\n";
constexpr const char* kCsv = "time,open,high,low,close\n1000,1,2,0.5,1.5\n2000,2,3,1,2.5\n";
constexpr const char* kExpected = "time,bar_index,plot\n1000000,0,1.5\n2000000,1,2.5\n";

/// True when /dev/full exists and fails writes with ENOSPC (Linux).
bool have_dev_full() {
  struct stat st{};
  return ::stat("/dev/full", &st) == 0 && S_ISCHR(st.st_mode);
}

} // namespace

// A FIFO or device as --save-state or compile -o is refused
// (exit 2, naming what it is) and left in place; a symbolic link is written
// through to its target, which gets the snapshot, and stays a link.
TEST_CASE("cli paths: atomic outputs refuse non-regular targets and write through symbolic links") {
  TempDir dir;
  const std::string script = dir.write("p.pine", kScript);
  const std::string data = dir.write("bars.csv", kCsv);
  const std::string fifo = dir.file("fifo");
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);

  for (const std::string& target : {fifo, std::string("/dev/null")}) {
    INFO("target ", target);
    const Result r = pinevm({"run", script, "--data", data, "--save-state", target});
    CHECK_FAILURE(r, 2);
    CHECK(contains(first_line(r.err), "--save-state"));
    CHECK(contains(first_line(r.err), target == fifo ? "a FIFO" : "a character device"));
    CHECK(r.out == "");  // refused before the run
    const Result c = pinevm({"compile", script, "-o", target});
    CHECK_FAILURE(c, 2);
    CHECK(contains(first_line(c.err), "-o"));
  }
  struct stat st{};
  REQUIRE(::lstat(fifo.c_str(), &st) == 0);
  CHECK(S_ISFIFO(st.st_mode));
  REQUIRE(::stat("/dev/null", &st) == 0);
  CHECK(S_ISCHR(st.st_mode));

  // A link to a regular file: the target is replaced, the link kept.
  fs::create_directory(dir.path() / "real");
  const std::string real = dir.write("real/state.bin", "old");
  const std::string link = dir.file("link.bin");
  fs::create_symlink(real, link);
  REQUIRE(pinevm({"run", script, "--data", data, "--save-state", link, "--log", dir.file("l")}).code == 0);
  CHECK(fs::is_symlink(link));
  CHECK(read_file(real).substr(0, 8) == std::string("PINEVMS\0", 8));
  CHECK(pinevm({"inspect", link}).code == 0);
  // No temporary file is left next to the link or the target.
  for (const auto& e : fs::directory_iterator(dir.path() / "real")) CHECK(e.path().filename() == "state.bin");

  // A dangling link is refused.
  const std::string dangling = dir.file("dangling.bin");
  fs::create_symlink(dir.file("nowhere/x.bin"), dangling);
  const Result d = pinevm({"run", script, "--data", data, "--save-state", dangling});
  CHECK_FAILURE(d, 2);
  CHECK(contains(first_line(d.err), "symbolic link"));
}

// `compile -o DIR` says the target is a
// directory and that -o takes the program file's path.
TEST_CASE("cli paths: compile -o DIR names the directory") {
  TempDir dir;
  const std::string script = dir.write("p.pine", kScript);
  const Result r = pinevm({"compile", script, "-o", dir.path().string()});
  CHECK_FAILURE(r, 2);
  CHECK(contains(first_line(r.err), "is a directory"));
  CHECK(contains(first_line(r.err), "-o takes the path of the file"));
  CHECK_FALSE(contains(r.err, "snapshot"));
}

// --out and --log may be FIFOs and devices
// (written in place): /dev/null both, and a FIFO read by a child process.
TEST_CASE("cli paths: plain outputs are written in place") {
  TempDir dir;
  const std::string script = dir.write("p.pine", kScript);
  const std::string data = dir.write("bars.csv", kCsv);
  CHECK(pinevm({"run", script, "--data", data, "--out", "/dev/null", "--log", "/dev/null"}).code == 0);

  const std::string fifo = dir.file("out.fifo");
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  const std::string copy = dir.file("copy.csv");
  const pid_t reader = fork();
  if (reader == 0) {
    // cat the FIFO into a file, then exit.
    execl("/bin/sh", "sh", "-c", ("cat '" + fifo + "' > '" + copy + "'").c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  const Result r = pinevm({"run", script, "--data", data, "--out", fifo, "--log", dir.file("l")});
  // If pinevm failed before opening the FIFO, the reader is still blocked in
  // open(): opening the write end (non-blocking) releases it with an EOF; and
  // whatever happens, it is killed after 10 s, so the test cannot hang.
  const int unblock = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
  if (unblock >= 0) ::close(unblock);
  int status = 0;
  for (int i = 0; i < 1000 && waitpid(reader, &status, WNOHANG) == 0; ++i) usleep(10000);
  if (waitpid(reader, &status, WNOHANG) == 0) {
    ::kill(reader, SIGKILL);
    waitpid(reader, &status, 0);
    FAIL("the FIFO reader did not finish");
  }
  CHECK(r.code == 0);
  CHECK(read_file(copy) == kExpected);
  struct stat st{};
  REQUIRE(::lstat(fifo.c_str(), &st) == 0);
  CHECK(S_ISFIFO(st.st_mode));
}

// An output that is the same file as an input or another
// output is refused with exit 2 before anything is written (the input keeps
// its bytes, even when the run would fail); by inode (a hard link, a
// symbolic link, a ../ spelling) and by path for files not yet there. The
// one allowed pair is --restore-state FILE --save-state FILE.
TEST_CASE("cli paths: outputs that are inputs or each other are refused") {
  TempDir dir;
  const std::string script = dir.write("p.pine", kScript);
  const std::string data = dir.write("in.csv", kCsv);
  const std::string bad_data = dir.write("bad.csv", "time,open,high,low,close\nx,1,1,1,1\n");
  fs::create_directory(dir.path() / "sub");
  fs::create_hard_link(data, dir.file("hard.csv"));
  fs::create_symlink(data, dir.file("soft.csv"));
  const std::string dotted = dir.file("sub/../in.csv");

  const std::vector<std::vector<std::string>> cases = {
      {"run", script, "--data", data, "--out", data},
      {"run", script, "--data", bad_data, "--out", bad_data},
      {"run", script, "--data", data, "--save-state", data},
      {"run", script, "--data", data, "--log", data},
      {"run", script, "--data", data, "--out", dir.file("hard.csv")},
      {"run", script, "--data", data, "--out", dir.file("soft.csv")},
      {"run", script, "--data", data, "--out", dotted},
      {"run", script, "--data", data, "--out", script},
      {"run", script, "--data", data, "--out", dir.file("x.csv"), "--log", dir.file("sub/../x.csv")},
      {"run", script, "--data", data, "--out", dir.file("y.csv"), "--save-state", dir.file("y.csv")},
      {"run", script, "--data", data, "--store", "sqlite:" + data},
      {"compile", script, "-o", script},
  };
  for (const std::vector<std::string>& args : cases) {
    std::string label;
    for (const std::string& a : args) label += a + " ";
    INFO("args: ", label);
    const Result r = pinevm(args);
    CHECK_FAILURE(r, 2);
    CHECK(contains(first_line(r.err), "is the same file as"));
    CHECK(r.out == "");
  }
  CHECK(read_file(data) == kCsv);
  CHECK(read_file(script) == kScript);
  CHECK(read_file(bad_data) == "time,open,high,low,close\nx,1,1,1,1\n");
  CHECK_FALSE(fs::exists(dir.file("x.csv")));
  CHECK_FALSE(fs::exists(dir.file("y.csv")));

  // Resuming and checkpointing into the same snapshot file is the use case.
  const std::string state = dir.file("state.bin");
  const std::string first = dir.write("first.csv", "time,open,high,low,close\n1000,1,2,0.5,1.5\n");
  REQUIRE(pinevm({"run", script, "--data", first, "--save-state", state, "--log", dir.file("l")}).code == 0);
  const Result resumed = pinevm({"run", script, "--data", data, "--restore-state", state, "--save-state", state,
                                 "--log", dir.file("l")});
  CHECK(resumed.code == 0);
  CHECK(resumed.out == "time,bar_index,plot\n2000000,1,2.5\n");
}

// A directory where a file belongs says so (exit 2) for the
// script, --data, --syminfo, --out, --log, inspect, disasm, check and bench.
TEST_CASE("cli paths: a directory given as a file is named as one") {
  TempDir dir;
  const std::string script = dir.write("p.pine", kScript);
  const std::string data = dir.write("bars.csv", kCsv);
  const std::string d = dir.path().string();
  const std::vector<std::vector<std::string>> cases = {
      {"run", d, "--data", data},
      {"run", script, "--data", d},
      {"run", script, "--data", data, "--syminfo", d},
      {"run", script, "--data", data, "--out", d},
      {"run", script, "--data", data, "--log", d},
      {"inspect", d},
      {"disasm", d},
      {"check", d},
      {"compile", d, "-o", dir.file("x.pvmc")},
      {"bench", d, "--data", data},
      {"bench", script, "--data", d},
  };
  for (const std::vector<std::string>& args : cases) {
    std::string label;
    for (const std::string& a : args) label += a + " ";
    INFO("args: ", label);
    const Result r = pinevm(args);
    CHECK_FAILURE(r, 2);
    CHECK(contains(first_line(r.err), "'" + d + "' is a directory"));
  }
}

// Write errors are reported with the path (or "standard
// output") and the OS error, exit 2: --log and --out to /dev/full, and
// inspect, disasm and run writing to a standard output that is /dev/full.
TEST_CASE("cli paths: write errors name the file and the OS error") {
  if (!have_dev_full()) {
    MESSAGE("no /dev/full: skipped");
    return;
  }
  TempDir dir;
  const std::string script = dir.write("p.pine", kScript);
  const std::string data = dir.write("bars.csv", kCsv);
  const std::string state = dir.file("s.bin");
  REQUIRE(pinevm({"run", script, "--data", data, "--save-state", state, "--log", dir.file("l")}).code == 0);
  const std::string enospc = std::strerror(ENOSPC);

  const Result log = pinevm({"run", script, "--data", data, "--log", "/dev/full"});
  CHECK_FAILURE(log, 2);
  CHECK(contains(first_line(log.err), "'/dev/full' (--log)"));
  CHECK(contains(first_line(log.err), enospc));
  const Result out = pinevm({"run", script, "--data", data, "--out", "/dev/full", "--log", dir.file("l")});
  CHECK_FAILURE(out, 2);
  CHECK(contains(first_line(out.err), "'/dev/full' (--out)"));

  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"inspect", state}, std::vector<std::string>{"inspect", state, "--json"},
        std::vector<std::string>{"disasm", script},
        std::vector<std::string>{"run", script, "--data", data, "--log", dir.file("l")},
        std::vector<std::string>{"--version"}}) {
    INFO("args: ", args[0]);
    const Result r = pinevm_binary(args, "/dev/full");
    CHECK_FAILURE(r, 2);
    CHECK(contains(first_line(r.err), "standard output"));
    CHECK(contains(first_line(r.err), enospc));
  }
  // The same commands succeed on a working standard output.
  CHECK(pinevm_binary({"inspect", state}, dir.file("o.txt")).code == 0);
  CHECK(contains(read_file(dir.file("o.txt")), "bars processed:      2\n"));
}
