// pinevm executable entry point.
#include <iostream>

#include "app.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  return pine::cli::run_app(argc, argv, std::cout, std::cerr);
}
