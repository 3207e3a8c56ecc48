// Shared by the snapshot tests: the outcome of an operation as a string.
#pragma once

#include <exception>
#include <functional>
#include <new>
#include <string>
#include <typeinfo>

#include "pine/snapshot/snapshot_error.h"

namespace pine::test {

/// Runs `f` and names its outcome: the snake_case kind of a SnapshotError,
/// "success", or "other: <type> <what>" for any other exception. Comparing
/// strings makes a failing CHECK print both kinds.
inline std::string outcome(const std::function<void()>& f) {
  try {
    f();
  } catch (const SnapshotError& e) {
    return snapshot_error_kind_name(e.kind());
  } catch (const std::bad_alloc& e) {
    return std::string("other: std::bad_alloc ") + e.what();
  } catch (const std::exception& e) {
    return std::string("other: ") + typeid(e).name() + " " + e.what();
  } catch (...) {
    return "other: non-std exception";
  }
  return "success";
}

/// The message of the SnapshotError `f` throws, or "" when it throws none:
/// for tests that must tell which check rejected an input, not only its kind.
inline std::string snapshot_error_message(const std::function<void()>& f) {
  try {
    f();
  } catch (const SnapshotError& e) {
    return e.what();
  }
  return "";
}

} // namespace pine::test
