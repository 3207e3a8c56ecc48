// Shared by the hostile-snapshot tests (test_restore_hostile.cpp and the
// memory test's own executable): programs and snapshots built by hand, as an
// attacker would, with valid checksums so that the archive decoders are
// reached.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "pine/snapshot/envelope.h"
#include "pine/snapshot/snapshot.h"
#include "pine/vm/bytecode.h"
#include "pine/vm/program.h"

namespace pine::test {

/// A payload in snapshot.cpp's framing: Cereal's little-endian marker, u32
/// version 1, then the program and the state, each as u64 size + bytes.
inline std::vector<std::uint8_t> make_payload(const std::vector<std::uint8_t>& program,
                                              const std::vector<std::uint8_t>& state) {
  std::vector<std::uint8_t> p{1};
  auto put_le = [&](std::uint64_t v, std::size_t width) {
    for (std::size_t i = 0; i < width; ++i) p.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  };
  put_le(1, 4);
  put_le(program.size(), 8);
  p.insert(p.end(), program.begin(), program.end());
  put_le(state.size(), 8);
  p.insert(p.end(), state.begin(), state.end());
  return p;
}

/// `program` + `state` sealed with valid checksums and the program's real
/// hash; the other header fields are left at zero (a restore reaches the
/// archive decoders before it compares them).
inline std::vector<std::uint8_t> seal_blobs(const std::vector<std::uint8_t>& program,
                                            const std::vector<std::uint8_t>& state) {
  snapshot::SnapshotHeader h{};
  h.engine_version = kEngineVersion;
  h.program_hash = snapshot::xxh3_128(program);
  return snapshot::seal_snapshot(h, make_payload(program, state));
}

/// A minimal valid program: main with the built-in slots (plus
/// `extra_slots`) and a RET.
inline Program minimal_program(std::uint16_t extra_slots = 0) {
  Program p;
  FunctionProto main;
  main.name = "main";
  main.num_slots = static_cast<std::uint16_t>(kBuiltinVarSlots + extra_slots);
  main.code = {Instr{Opcode::RET, 0, 0, 0, 0}};
  main.lines = {1};
  p.functions.push_back(main);
  return p;
}

/// `base` plus function 1 ("leaf", code RET) called from `sites` call sites
/// of main; `shape` then fills in the leaf's layout.
inline Program fanned_out_program(Program base, std::size_t sites, const std::function<void(FunctionProto&)>& shape) {
  FunctionProto leaf;
  leaf.name = "leaf";
  leaf.num_slots = 1;
  leaf.code = {Instr{Opcode::RET, 0, 0, 0, 0}};
  leaf.lines = {1};
  shape(leaf);
  base.functions.push_back(leaf);
  base.functions[0].call_sites.assign(sites, 1);
  return base;
}

} // namespace pine::test
