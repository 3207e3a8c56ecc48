// Dense linear algebra on small real matrices, written for matrix.* (no
// dependency). Everything works on doubles in row-major order; callers
// convert int elements (na becomes NaN, which then propagates).
//
// Algorithms (each chosen for being simple, robust and well understood):
// - determinant and inverse: LU decomposition with partial pivoting;
// - pseudoinverse and rank: singular values by one-sided Jacobi rotations
//   (Hestenes), cutting singular values below max(m, n) * eps * largest;
// - eigen decomposition: cyclic Jacobi rotations for symmetric matrices;
//   otherwise Householder reduction to Hessenberg form, then shifted QR
//   steps in complex arithmetic down to a complex Schur form, eigenvectors
//   by back substitution. See eigen() for the order and the complex case.
#pragma once

#include <complex>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace pine::linalg {

/// A dense real matrix, row-major.
struct Dense {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<double> a;

  Dense() = default;
  Dense(std::size_t r, std::size_t c, double fill = 0.0) : rows(r), cols(c), a(r * c, fill) {}
  double& operator()(std::size_t i, std::size_t j) { return a[i * cols + j]; }
  double operator()(std::size_t i, std::size_t j) const { return a[i * cols + j]; }
  static Dense identity(std::size_t n);
};

/// x * y; requires x.cols == y.rows.
Dense multiply(const Dense& x, const Dense& y);
Dense transpose(const Dense& x);
/// x^p for a square x by repeated squaring (x^0 is the identity).
Dense power(const Dense& x, std::uint64_t p);
/// The Kronecker product: block (i, j) of the result is x(i, j) * y.
Dense kronecker(const Dense& x, const Dense& y);

/// The determinant of a square matrix (1 for 0 x 0).
double determinant(const Dense& x);
/// The inverse of a square matrix; nullopt when it is singular (a pivot
/// below n * eps * the largest element in magnitude).
std::optional<Dense> inverse(const Dense& x);

/// Singular values of x, largest first.
std::vector<double> singular_values(const Dense& x);
/// The Moore-Penrose pseudoinverse (x.cols x x.rows).
Dense pseudo_inverse(const Dense& x);
/// The number of singular values above the rank tolerance.
std::size_t rank(const Dense& x);

/// Eigenvalues and eigenvectors of a square matrix.
struct Eigen {
  std::vector<std::complex<double>> values; ///< sorted: real part descending, then imaginary part descending
  /// Column k is the eigenvector of values[k] (unit length; see eigen()).
  Dense vectors;
  bool converged = true; ///< false: the QR iteration hit its limit (values are NaN)
};

/// Eigen decomposition of a square matrix. Real eigenvectors have unit
/// length and their largest component (the first of equal ones) positive.
/// For a conjugate pair a +- bi (listed +b first), the two columns hold the
/// real and the imaginary part of the eigenvector of a + bi, scaled to unit
/// length as a complex vector with its largest component real and positive.
Eigen eigen(const Dense& x);

} // namespace pine::linalg
