// Matrix tests: the numeric kernels behind matrix.* (vm/src/matrix_algebra.h)
// against results worked out by hand (cofactors, adjugates, characteristic
// polynomials) and against deliberately naive reference implementations
// written here (cofactor expansion, the Moore-Penrose conditions, A v = l v),
// plus the runtime errors of matrix operations.
#include <doctest/doctest.h>

#include <cmath>
#include <complex>
#include <cstdint>
#include <initializer_list>
#include <string>

#include "matrix_algebra.h"
#include "pine/compiler/compile.h"
#include "pine/vm/instance.h"

using pine::linalg::Dense;

namespace {

Dense from_rows(std::initializer_list<std::initializer_list<double>> rows) {
  Dense d(rows.size(), rows.size() == 0 ? 0 : rows.begin()->size());
  std::size_t i = 0;
  for (const auto& r : rows) {
    std::size_t j = 0;
    for (double v : r) d(i, j++) = v;
    ++i;
  }
  return d;
}

bool near(double a, double b, double tol = 1e-9) { return std::fabs(a - b) <= tol * std::max(1.0, std::fabs(b)); }

bool dense_near(const Dense& a, const Dense& b, double tol = 1e-9) {
  if (a.rows != b.rows || a.cols != b.cols) return false;
  for (std::size_t i = 0; i < a.a.size(); ++i)
    if (!near(a.a[i], b.a[i], tol)) return false;
  return true;
}

/// The determinant by cofactor expansion along the first row: exponential
/// time, but obviously right, so it can judge the LU version.
double cofactor_det(const Dense& x) {
  const std::size_t n = x.rows;
  if (n == 0) return 1;
  if (n == 1) return x(0, 0);
  double d = 0;
  for (std::size_t c = 0; c < n; ++c) {
    Dense minor(n - 1, n - 1);
    for (std::size_t i = 1; i < n; ++i)
      for (std::size_t j = 0, k = 0; j < n; ++j)
        if (j != c) minor(i - 1, k++) = x(i, j);
    d += (c % 2 ? -1.0 : 1.0) * x(0, c) * cofactor_det(minor);
  }
  return d;
}

/// A deterministic pseudo-random matrix with entries in [-5, 5) (an LCG, so
/// the test is the same on every platform).
Dense pseudo_random(std::size_t rows, std::size_t cols, std::uint64_t seed) {
  Dense d(rows, cols);
  std::uint64_t s = seed;
  for (double& v : d.a) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    v = static_cast<double>(s >> 11) / 9007199254740992.0 * 10.0 - 5.0;
  }
  return d;
}

/// Checks the eigenpairs of `e` against x: A v = l v for a real l; for a
/// pair a +- bi with columns (R, I): A R = a R - b I and A I = b R + a I.
void check_eigenpairs(const Dense& x, const pine::linalg::Eigen& e, double tol) {
  const std::size_t n = x.rows;
  REQUIRE(e.values.size() == n);
  const Dense av = pine::linalg::multiply(x, e.vectors);
  for (std::size_t k = 0; k < n; ++k) {
    const double a = e.values[k].real(), b = e.values[k].imag();
    INFO("eigenvalue " << k << ": " << a << (b >= 0 ? "+" : "") << b << "i");
    if (b == 0) {
      for (std::size_t i = 0; i < n; ++i) CHECK(std::fabs(av(i, k) - a * e.vectors(i, k)) <= tol);
    } else if (b > 0) {
      REQUIRE(k + 1 < n);
      for (std::size_t i = 0; i < n; ++i) {
        CHECK(std::fabs(av(i, k) - (a * e.vectors(i, k) - b * e.vectors(i, k + 1))) <= tol);
        CHECK(std::fabs(av(i, k + 1) - (b * e.vectors(i, k) + a * e.vectors(i, k + 1))) <= tol);
      }
    }
  }
}

/// Runs `body` (a v6 script body) for one bar and returns the runtime
/// error's message, or "" when none was raised.
std::string runtime_error_of(const std::string& body) {
  const std::string src = "//@version=6\nindicator(\"t\")\n" + body;
  pine::CompileResult r = pine::compile(src);
  REQUIRE_MESSAGE(r.ok(), r.format(src, "t.pine"));
  pine::Instance inst = pine::InstanceBuilder(r.program).build();
  pine::Bar bar;
  bar.time = 1'700'000'000'000;
  bar.open = bar.high = bar.low = bar.close = 100;
  bar.volume = 1;
  try {
    inst.run_bar(bar);
  } catch (const pine::RuntimeError& e) {
    return e.message();
  }
  return "";
}

std::string compile_error_of(const std::string& body) {
  const std::string src = "//@version=6\nindicator(\"t\")\n" + body;
  pine::CompileResult r = pine::compile(src);
  return r.ok() ? "" : r.diagnostics.front().message;
}

} // namespace

TEST_CASE("linalg: determinants worked out by hand") {
  CHECK(near(pine::linalg::determinant(from_rows({{3, 7}, {1, -4}})), -19));  // 3*-4 - 7*1
  // 2*(3*2-2*1) - 0*(1*2-2*1) + 1*(1*1-3*1) = 8 - 2
  CHECK(near(pine::linalg::determinant(from_rows({{2, 0, 1}, {1, 3, 2}, {1, 1, 2}})), 6));
  CHECK(near(pine::linalg::determinant(from_rows({{0, 1}, {1, 0}})), -1));  // needs a row swap
  // 0*(0*3-0*0) - 2*(1*3-0*0) + 1*(1*0-0*0)
  CHECK(near(pine::linalg::determinant(from_rows({{0, 2, 1}, {1, 0, 0}, {0, 0, 3}})), -6));
  CHECK(pine::linalg::determinant(from_rows({{1, 2}, {2, 4}})) == 0);  // row 2 = 2 * row 1
  CHECK(pine::linalg::determinant(Dense(0, 0)) == 1);
  CHECK(std::isnan(pine::linalg::determinant(from_rows({{1, NAN}, {0, 1}}))));
}

TEST_CASE("linalg: the LU determinant agrees with cofactor expansion") {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const Dense x = pseudo_random(2 + seed % 5, 2 + seed % 5, seed);
    INFO("seed " << seed << ", size " << x.rows);
    CHECK(near(pine::linalg::determinant(x), cofactor_det(x), 1e-9));
  }
}

TEST_CASE("linalg: inverses worked out by hand, and singular matrices") {
  // [1 2; 3 4]^-1 = [4 -2; -3 1] / (1*4 - 2*3)
  const auto inv2 = pine::linalg::inverse(from_rows({{1, 2}, {3, 4}}));
  REQUIRE(inv2);
  CHECK(dense_near(*inv2, from_rows({{-2, 1}, {1.5, -0.5}})));
  // The adjugate of [2 0 1; 1 3 2; 1 1 2] (transposed cofactors) over its determinant 6.
  const auto inv3 = pine::linalg::inverse(from_rows({{2, 0, 1}, {1, 3, 2}, {1, 1, 2}}));
  REQUIRE(inv3);
  CHECK(dense_near(*inv3, from_rows({{4.0 / 6, 1.0 / 6, -3.0 / 6}, {0, 3.0 / 6, -3.0 / 6}, {-2.0 / 6, -2.0 / 6, 1}})));
  CHECK_FALSE(pine::linalg::inverse(from_rows({{1, 2}, {2, 4}})));
  CHECK_FALSE(pine::linalg::inverse(from_rows({{1, 2, 3}, {4, 5, 6}, {7, 8, 9}})));  // row1 + row3 = 2 row2
  for (std::uint64_t seed = 30; seed < 40; ++seed) {
    const Dense x = pseudo_random(5, 5, seed);
    const auto inv = pine::linalg::inverse(x);
    REQUIRE(inv);
    CHECK(dense_near(pine::linalg::multiply(x, *inv), Dense::identity(5), 1e-9));
  }
}

TEST_CASE("linalg: products, transposes, powers and Kronecker products") {
  const Dense p = from_rows({{1, 2}, {3, 4}}), q = from_rows({{5, 6}, {7, 8}});
  CHECK(dense_near(pine::linalg::multiply(p, q), from_rows({{19, 22}, {43, 50}})));
  CHECK(dense_near(pine::linalg::transpose(from_rows({{1, 2, 3}})), from_rows({{1}, {2}, {3}})));
  // [1 1; 1 0]^n = [F(n+1) F(n); F(n) F(n-1)]: F(11) = 89, F(10) = 55, F(9) = 34.
  CHECK(dense_near(pine::linalg::power(from_rows({{1, 1}, {1, 0}}), 10), from_rows({{89, 55}, {55, 34}})));
  CHECK(dense_near(pine::linalg::power(p, 0), Dense::identity(2)));
  CHECK(dense_near(pine::linalg::power(p, 1), p));
  CHECK(dense_near(pine::linalg::kronecker(p, from_rows({{1, 10}})), from_rows({{1, 10, 2, 20}, {3, 30, 4, 40}})));
}

TEST_CASE("linalg: singular values, rank and the pseudoinverse") {
  const std::vector<double> s1 = pine::linalg::singular_values(from_rows({{3, 0}, {0, -2}}));
  REQUIRE(s1.size() == 2);
  CHECK(near(s1[0], 3));
  CHECK(near(s1[1], 2));
  // [3 0; 4 5]: A^T A = [25 20; 20 25] has eigenvalues 45 and 5.
  const std::vector<double> s2 = pine::linalg::singular_values(from_rows({{3, 0}, {4, 5}}));
  CHECK(near(s2[0], std::sqrt(45.0)));
  CHECK(near(s2[1], std::sqrt(5.0)));
  CHECK(pine::linalg::rank(from_rows({{1, 2, 3}, {2, 4, 6}, {1, 0, 1}})) == 2);
  CHECK(pine::linalg::rank(from_rows({{1, 2}, {3, 4}, {5, 6}})) == 2);
  CHECK(pine::linalg::rank(Dense(3, 3)) == 0);
  // Tall: (T^T T)^-1 T^T with T^T T = [35 44; 44 56], determinant 24.
  const Dense tall = from_rows({{1, 2}, {3, 4}, {5, 6}});
  const Dense want = from_rows({{-4.0 / 3, -1.0 / 3, 2.0 / 3}, {13.0 / 12, 1.0 / 3, -5.0 / 12}});
  CHECK(dense_near(pine::linalg::pseudo_inverse(tall), want));
  CHECK(dense_near(pine::linalg::pseudo_inverse(pine::linalg::transpose(tall)), pine::linalg::transpose(want)));
  // Rank one, A = a b^T with a = b = (1, 2): pinv = b a^T / (|a|^2 |b|^2) = A / 25.
  CHECK(dense_near(pine::linalg::pseudo_inverse(from_rows({{1, 2}, {2, 4}})), from_rows({{0.04, 0.08}, {0.08, 0.16}})));
  // The Moore-Penrose conditions on a wide random matrix.
  const Dense a = pseudo_random(3, 5, 77);
  const Dense p = pine::linalg::pseudo_inverse(a);
  using pine::linalg::multiply;
  using pine::linalg::transpose;
  CHECK(dense_near(multiply(multiply(a, p), a), a, 1e-9));
  CHECK(dense_near(multiply(multiply(p, a), p), p, 1e-9));
  CHECK(dense_near(transpose(multiply(a, p)), multiply(a, p), 1e-9));
  CHECK(dense_near(transpose(multiply(p, a)), multiply(p, a), 1e-9));
}

TEST_CASE("linalg: eigen decomposition of symmetric matrices") {
  const double r = std::sqrt(0.5);
  const pine::linalg::Eigen e2 = pine::linalg::eigen(from_rows({{2, 1}, {1, 2}}));
  CHECK(near(e2.values[0].real(), 3));
  CHECK(near(e2.values[1].real(), 1));
  CHECK(dense_near(e2.vectors, from_rows({{r, r}, {r, -r}})));
  // det(A - l I) = -(l - 1)(l^2 - 8 l + 13): l = 4 + sqrt3, 4 - sqrt3, 1.
  const Dense a3 = from_rows({{4, 1, -2}, {1, 2, 0}, {-2, 0, 3}});
  const pine::linalg::Eigen e3 = pine::linalg::eigen(a3);
  CHECK(near(e3.values[0].real(), 4 + std::sqrt(3.0)));
  CHECK(near(e3.values[1].real(), 4 - std::sqrt(3.0)));
  CHECK(near(e3.values[2].real(), 1));
  check_eigenpairs(a3, e3, 1e-9);
  for (std::uint64_t seed = 50; seed < 56; ++seed) {
    const Dense b = pseudo_random(6, 6, seed);
    const Dense s = pine::linalg::multiply(b, pine::linalg::transpose(b));  // symmetric
    const pine::linalg::Eigen e = pine::linalg::eigen(s);
    INFO("seed " << seed);
    check_eigenpairs(s, e, 1e-8);
    for (std::size_t k = 0; k < 6; ++k) {
      double norm = 0, big = 0;
      for (std::size_t i = 0; i < 6; ++i) {
        norm += e.vectors(i, k) * e.vectors(i, k);
        if (std::fabs(e.vectors(i, k)) > std::fabs(big)) big = e.vectors(i, k);
      }
      CHECK(near(norm, 1));
      CHECK(big > 0);  // the largest component is positive
      if (k > 0) CHECK(e.values[k - 1].real() >= e.values[k].real());
    }
  }
}

TEST_CASE("linalg: eigen decomposition of general matrices, real and complex") {
  // The companion matrix of (l - 1)(l - 2)(l - 3) = l^3 - 6 l^2 + 11 l - 6.
  const Dense c = from_rows({{6, -11, 6}, {1, 0, 0}, {0, 1, 0}});
  const pine::linalg::Eigen ec = pine::linalg::eigen(c);
  CHECK(near(ec.values[0].real(), 3));
  CHECK(near(ec.values[1].real(), 2));
  CHECK(near(ec.values[2].real(), 1));
  check_eigenpairs(c, ec, 1e-9);
  // Lower triangular [2 0; 1 3]: l = 3 with (0, 1), l = 2 with (1, -1)/sqrt2.
  const double r = std::sqrt(0.5);
  CHECK(dense_near(pine::linalg::eigen(from_rows({{2, 0}, {1, 3}})).vectors, from_rows({{0, r}, {1, -r}})));
  // The companion matrix of (l - 2)(l^2 + 1): l = 2, i, -i.
  const Dense z = from_rows({{2, -1, 2}, {1, 0, 0}, {0, 1, 0}});
  const pine::linalg::Eigen ez = pine::linalg::eigen(z);
  CHECK(near(ez.values[0].real(), 2));
  CHECK(std::abs(ez.values[1] - std::complex<double>(0, 1)) < 1e-9);
  CHECK(std::abs(ez.values[2] - std::complex<double>(0, -1)) < 1e-9);
  check_eigenpairs(z, ez, 1e-9);
  // The rotation by 90 degrees: (1, -i)/sqrt2 for +i, split into its real and imaginary parts.
  const pine::linalg::Eigen rot = pine::linalg::eigen(from_rows({{0, -1}, {1, 0}}));
  CHECK(dense_near(rot.vectors, from_rows({{r, 0}, {0, -r}})));
  // Random matrices: the pairs hold, the trace is the sum of the eigenvalues
  // and the determinant their product.
  for (std::uint64_t seed = 60; seed < 70; ++seed) {
    const Dense x = pseudo_random(3 + seed % 4, 3 + seed % 4, seed);
    const pine::linalg::Eigen e = pine::linalg::eigen(x);
    INFO("seed " << seed << ", size " << x.rows);
    REQUIRE(e.converged);
    check_eigenpairs(x, e, 1e-8);
    std::complex<double> sum = 0, product = 1;
    double trace = 0;
    for (std::size_t k = 0; k < x.rows; ++k) {
      sum += e.values[k];
      product *= e.values[k];
      trace += x(k, k);
    }
    CHECK(near(sum.real(), trace, 1e-8));
    CHECK(near(product.real(), cofactor_det(x), 1e-8));
  }
}

TEST_CASE("matrix runtime errors name the index and the size, or the shapes") {
  CHECK(runtime_error_of("m = matrix.new<float>(2, 2, 0)\nx = m.get(2, 0)\n") ==
        "Index out of bounds in 'matrix.get': row index 2, the matrix has 2 rows");
  CHECK(runtime_error_of("m = matrix.new<float>(2, 3, 0)\nm.set(0, -1, 5)\n") ==
        "Index out of bounds in 'matrix.set': column index -1, the matrix has 3 columns");
  CHECK(runtime_error_of("m = matrix.new<float>(1, 1, 0)\nr = m.remove_row(1)\n") ==
        "Index out of bounds in 'matrix.remove_row': row index 1, the matrix has 1 row");
  CHECK(runtime_error_of("m = matrix.new<float>(2, 3, 1)\nd = m.det()\n") ==
        "Operation not available for non-square matrices: 'matrix.det' on a 2x3 matrix");
  CHECK(runtime_error_of("m = matrix.new<float>(2, 3, 1)\nx = m.mult(m)\n").find(
            "Matrix dimension mismatch in 'matrix.mult': 2x3 times 2x3") == 0);
  CHECK(runtime_error_of("m = matrix.new<int>(2, 3, 1)\nx = m.sum(matrix.new<int>(3, 2, 1))\n").find(
            "Matrix dimension mismatch in 'matrix.sum': 2x3 and 3x2") == 0);
  CHECK(runtime_error_of("m = matrix.new<float>(2, 2, 1)\nm.add_row(0, array.from(1.0, 2.0, 3.0))\n").find(
            "Array size does not match the matrix in 'matrix.add_row'") == 0);
  CHECK(runtime_error_of("m = matrix.new<float>(2, 3, 1)\nm.reshape(4, 2)\n").find("Cannot reshape a 2x3 matrix into 4x2") == 0);
  CHECK(runtime_error_of("m = matrix.new<float>(2, 2, 1)\nx = m.pow(-1)\n").find("'matrix.pow' needs a power of 0 or more") == 0);
  CHECK(runtime_error_of("m = matrix.new<float>(1000, 101, 0)\n").find("Matrix is too large. Maximum size is 100000") == 0);
  CHECK(runtime_error_of("m = matrix.new<float>(-1, 2, 0)\n").find("Cannot create a matrix with a negative") == 0);
  CHECK(runtime_error_of("matrix<float> m = na\nn = m.rows()\n") == "Cannot call 'matrix.rows' on an na matrix reference");
  CHECK(runtime_error_of("m = matrix.new<float>(2, 2, 1)\nm.fill(0, 0, 3)\n") ==
        "Invalid row range in 'matrix.fill': from 0 to 3, the matrix has 2 rows");
  // An empty matrix cannot grow rows without bound (each dimension is capped too).
  CHECK(runtime_error_of("m = matrix.new<float>()\nfor i = 0 to 100000\n    m.add_row()\n")
            .find("Matrix is too large") == 0);
  CHECK(runtime_error_of("m = matrix.new<float>(2, 2, 1)\nm.add_row(1)\nm.add_col(0, array.from(1.0, 2.0, 3.0))\n") ==
        "");
}

TEST_CASE("matrix compile errors") {
  CHECK(compile_error_of("m = matrix.new<foobar>(2, 2)\n") == "Invalid matrix element type: unknown type 'foobar'");
  CHECK(compile_error_of("m = matrix.new(2, 2)\n").find("matrix.new needs one type argument") == 0);
  CHECK(compile_error_of("m = matrix.new<string>(2, 2, \"a\")\nx = m.inv()\n") ==
        "'matrix.inv' cannot be used on matrix<string>");
  CHECK(compile_error_of("m = matrix.new<float>(2, 2)\nm.add_row(0, array.from(\"a\"))\n")
            .find("argument 'array_id' of 'matrix.add_row' expects array<float>") != std::string::npos);
  CHECK(compile_error_of("m = matrix.new<float>(2, 2)\nx = m.kron(2)\n")
            .find("'matrix.kron' expects a matrix") != std::string::npos);
  CHECK(compile_error_of("m = matrix.new<float>(2, 2)\nmatrix<int> k = m\n") != "");
  CHECK(compile_error_of("m = matrix.new<float>(2, 2)\nmatrix<float> k = m.copy()\nf(matrix<float> x) => x.rows()\nplot(f(k))\n") == "");
}
