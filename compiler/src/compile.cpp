// compile(): parse, check and lower, then verify the program.
//
// The front end runs on a thread of its own with a large stack
// (kCompilerStackBytes): the parser, the checker and the code generator
// recurse over the syntax tree, and their depth limits (kMaxNesting,
// kMaxExprHeight, kMaxCompileNesting, kMaxUserCallDepth) are sized for that
// stack, not for whatever stack the caller happens to run on (a server's
// worker thread may have far less than the 8 MiB of a main thread).
#include "pine/compiler/compile.h"

#include <pthread.h>

#include <exception>

#include "codegen.h"
#include "parser.h"

namespace pine {

namespace {

/// Stack of the compiler thread: 256 MiB of address space, of which only
/// the pages a compilation touches are ever committed (a typical script
/// uses well under 1 MiB). The deepest input the limits allow was measured
/// at about 170 MiB under AddressSanitizer (frames several times larger
/// than a normal build's, see kMaxCompileNesting); NestingGuard also stops
/// at kCompilerStackBudget (192 MiB) whatever the count, leaving 64 MiB for
/// the frames below the last guard.
constexpr std::size_t kCompilerStackBytes = std::size_t{256} << 20;

/// The whole compilation, run on the compiler thread.
CompileResult compile_here(std::string_view source, const CompileOptions& options) {
  // options.file_name is used by callers when they format diagnostics.
  CompileResult result;
  ParseResult parsed = parse(source);
  const bool parsed_ok = parsed.ok();
  result.diagnostics = std::move(parsed.diagnostics);
  if (!parsed_ok) return result;
  ProgramCompiler pc;
  pc.lib_paths = options.lib_paths;
  std::shared_ptr<Program> program = pc.compile(*parsed.script);
  for (Diagnostic& d : pc.diagnostics) result.diagnostics.push_back(std::move(d));
  result.is_library = pc.is_library;
  if (!program) return result;
  try {
    verify_program(*program);
  } catch (const ProgramError& e) {
    // A verifier failure here is a compiler bug; report it, never run it.
    result.diagnostics.push_back({Severity::Error, {1, 1}, std::string("internal compiler error: ") + e.what()});
    return result;
  }
  result.program = std::move(program);
  return result;
}

/// What the compiler thread receives and hands back.
struct Job {
  std::string_view source;
  const CompileOptions* options = nullptr;
  CompileResult result;
  std::exception_ptr failure;
};

/// The compiler thread's body: runs the job, keeping any exception for the
/// caller (only resource exhaustion, such as bad_alloc, can get here).
void* run_job(void* arg) {
  Job& job = *static_cast<Job*>(arg);
  compiler_stack_base() = static_cast<const char*>(__builtin_frame_address(0));
  try {
    job.result = compile_here(job.source, *job.options);
  } catch (...) {
    job.failure = std::current_exception();
  }
  compiler_stack_base() = nullptr;
  return nullptr;
}

/// A failed compilation carrying one error without a position.
CompileResult internal_failure(const std::string& why) {
  CompileResult r;
  r.diagnostics.push_back({Severity::Error, {}, "internal error: " + why});
  return r;
}

} // namespace

const char*& compiler_stack_base() {
  thread_local const char* base = nullptr;
  return base;
}

CompileResult compile(std::string_view source, const CompileOptions& options) {
  Job job;
  job.source = source;
  job.options = &options;
  pthread_attr_t attr;
  if (pthread_attr_init(&attr) != 0) return internal_failure("cannot start the compiler thread");
  pthread_t thread;
  const bool started = pthread_attr_setstacksize(&attr, kCompilerStackBytes) == 0 &&
                       pthread_create(&thread, &attr, run_job, &job) == 0;
  pthread_attr_destroy(&attr);
  // Without the large stack the depth limits would not be safe: report the
  // failure rather than compile on the caller's stack.
  if (!started) return internal_failure("cannot start the compiler thread (out of memory or threads)");
  pthread_join(thread, nullptr);
  if (job.failure) {
    try {
      std::rethrow_exception(job.failure);
    } catch (const std::exception& e) {
      return internal_failure(e.what());
    } catch (...) {
      return internal_failure("unknown exception");
    }
  }
  return std::move(job.result);
}

} // namespace pine
