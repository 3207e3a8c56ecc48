// RestoreBuilder::expect_program(KnownProgram): a server's fast path for
// restoring many instances of one script. The restored instance shares the
// caller's Program (no second decode of the embedded copy) and continues
// exactly like an instance restored the ordinary way; another script's
// known program is a ProgramMismatch, checked before any state is read.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "pine/compiler/compile.h"
#include "pine/snapshot/snapshot.h"
#include "vm/vm_helpers.h"

namespace {

std::shared_ptr<const pine::Program> compile_body(const std::string& body) { return compile_ok(body); }

/// Runs bars [from, to) and returns the first plot's values.
std::vector<double> run(pine::Instance& inst, int from, int to) {
  std::vector<double> out;
  for (int i = from; i < to; ++i) {
    inst.run_bar(bar_at(i));
    out.push_back(inst.plot_values()[0].f);
  }
  return out;
}

} // namespace

TEST_CASE("known program: shared, not decoded again, and continues like an ordinary restore") {
  const auto program = compile_body("s = ta.sma(close, 5)\nvar float acc = 0.0\nacc += nz(s)\nplot(acc)\n");
  const pine::KnownProgram known = pine::KnownProgram::of(program);
  CHECK(known.hash == pine::program_hash(*program));
  pine::Instance inst = pine::InstanceBuilder(program).build();
  run(inst, 0, 40);
  const std::vector<std::uint8_t> bytes = pine::save_state(inst);

  pine::Instance fast = pine::RestoreBuilder(bytes).expect_program(known).build();
  pine::Instance plain = pine::RestoreBuilder(bytes).expect_program(*program).build();
  CHECK(fast.program_ptr() == program);       // shared
  CHECK(plain.program_ptr() != program);      // its own decoded copy
  CHECK(run(fast, 40, 80) == run(plain, 40, 80));
  CHECK(pine::save_state(fast) == pine::save_state(plain));

  const auto other = compile_body("plot(close * 2)\n");
  try {
    pine::RestoreBuilder(bytes).expect_program(pine::KnownProgram::of(other)).build();
    FAIL("expected a program mismatch");
  } catch (const pine::SnapshotError& e) {
    CHECK(e.kind() == pine::SnapshotError::Kind::ProgramMismatch);
    CHECK(std::string(e.what()).find("replay history from scratch") != std::string::npos);
  }
}
