// pinevm executable entry point.
#include <unistd.h>

#include <iostream>

#include "app.h"
#include "output_paths.h"

// Standard output goes through an FdStreamBuf so run_app can report a
// failed write with its OS error (`pinevm inspect x > /dev/full` exits 2
// naming ENOSPC) instead of losing it in a stdio buffer at exit.
int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  pine::cli::FdStreamBuf stdout_buf(STDOUT_FILENO, false);
  std::ostream out(&stdout_buf);
  const int code = pine::cli::run_app(argc, argv, out, std::cerr);
  out.flush();
  return code;
}
