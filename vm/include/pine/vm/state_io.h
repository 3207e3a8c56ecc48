// Errors raised while decoding an archived instance state.
#pragma once

#include <stdexcept>
#include <string>

namespace pine {

/// Thrown by the VM's state decoder when archived bytes are inconsistent
/// (a count beyond the input, an index out of range, a bad enum value...).
/// The snapshot layer reports it as SnapshotError::Kind::Corrupt.
class StateDecodeError : public std::runtime_error {
public:
  explicit StateDecodeError(const std::string& what) : std::runtime_error(what) {}
};

} // namespace pine
