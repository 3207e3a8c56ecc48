// Helpers shared by the CLI tests: run `pinevm` in-process with captured
// output, temporary directories, and the sample data.
#pragma once

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app.h"

namespace cli_test {

namespace fs = std::filesystem;

/// A unique temporary directory, removed with everything in it.
class TempDir {
public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "pinevm-cli-test-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) FAIL("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  /// The path of `name` inside the directory (as a string for argv).
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  /// Writes `text` to `name` and returns its path.
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream out(path_ / name, std::ios::binary | std::ios::trunc);
    out << text;
    return file(name);
  }
  const fs::path& path() const { return path_; }

private:
  fs::path path_;
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// What one CLI invocation produced.
struct Result {
  int code = -1;
  std::string out;
  std::string err;
};

/// Runs `pinevm <args...>` in-process.
inline Result pinevm(const std::vector<std::string>& args) {
  std::vector<const char*> argv{"pinevm"};
  for (const std::string& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  Result r;
  r.code = pine::cli::run_app(static_cast<int>(argv.size()), argv.data(), out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

/// Runs the real `pinevm` executable with stdout sent to `stdout_path`
/// (e.g. /dev/full) and stdin from /dev/null; stderr is captured. For what
/// only a process shows: writes to a failing standard output.
inline Result pinevm_binary(const std::vector<std::string>& args, const std::string& stdout_path) {
  char err_template[] = "/tmp/pinevm-cli-stderr-XXXXXX";
  const int err_fd = mkstemp(err_template);
  if (err_fd < 0) FAIL("mkstemp failed");
  std::vector<const char*> argv{PINEVM_BINARY};
  for (const std::string& a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);
  Result r;
  const pid_t pid = fork();
  if (pid == 0) {
    const int out_fd = open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
    const int in_fd = open("/dev/null", O_RDONLY);
    if (out_fd < 0 || in_fd < 0) _exit(127);
    dup2(out_fd, 1);
    dup2(in_fd, 0);
    dup2(err_fd, 2);
    execv(PINEVM_BINARY, const_cast<char* const*>(argv.data()));
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  close(err_fd);
  r.err = read_file(err_template);
  unlink(err_template);
  return r;
}

inline std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

inline std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

inline bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }
inline bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

/// Checks a failure: exit code `code`, and stderr's first line is the
/// contract's `pinevm: error: ...` line.
#define CHECK_FAILURE(result, expected_code)                                                       \
  do {                                                                                             \
    const Result& r_ = (result);                                                                   \
    INFO("stderr: ", r_.err);                                                                      \
    CHECK(r_.code == (expected_code));                                                             \
    CHECK_MESSAGE(starts_with(first_line(r_.err), "pinevm: error: "),                              \
                  "first stderr line is '" << first_line(r_.err) << "'");                          \
  } while (false)

inline const std::string& sample_csv_path() {
  static const std::string p = (fs::path(PINEVM_SOURCE_DIR) / "examples/data/sample_ohlcv.csv").string();
  return p;
}

inline std::string snapshot_script(const std::string& name) {
  return (fs::path(PINEVM_SOURCE_DIR) / "tests/snapshot/scripts" / name).string();
}

/// The header line plus the first `k` data rows of the sample CSV.
inline std::string sample_prefix(std::size_t k) {
  const std::vector<std::string> lines = split_lines(read_file(sample_csv_path()));
  std::string out;
  for (std::size_t i = 0; i <= k && i < lines.size(); ++i) out += lines[i] + "\n";
  return out;
}

} // namespace cli_test
