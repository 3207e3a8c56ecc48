// Dense linear algebra kernels (see matrix_algebra.h).
#include "matrix_algebra.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace pine::linalg {

namespace {

using C = std::complex<double>;

constexpr double kEps = std::numeric_limits<double>::epsilon();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Rotation sweeps allowed to the Jacobi methods. Cyclic Jacobi converges
/// quadratically (typically under 10 sweeps); the cap only ends hopeless
/// inputs (infinities) in bounded time.
constexpr int kMaxJacobiSweeps = 100;

/// The largest element in magnitude (0 for an empty matrix).
double max_abs(const Dense& x) {
  double m = 0;
  for (double v : x.a) m = std::max(m, std::fabs(v));
  return m;
}

/// False when some element is NaN or infinite (na in Pine).
bool all_finite(const Dense& x) {
  return std::all_of(x.a.begin(), x.a.end(), [](double v) { return std::isfinite(v); });
}

/// An LU decomposition with partial pivoting: P x = L U, with L's unit
/// diagonal implied and both stored in `lu`.
struct Lu {
  Dense lu;
  std::vector<std::size_t> perm; ///< row i of P x is row perm[i] of x
  double sign = 1;               ///< the permutation's parity
  bool singular = false;
};

/// Doolittle elimination, choosing the largest pivot of each column. A pivot
/// at or below n * eps * max|x| counts as zero (the matrix is singular to
/// working precision).
Lu lu_decompose(const Dense& x) {
  const std::size_t n = x.rows;
  Lu r{x, std::vector<std::size_t>(n), 1, false};
  std::iota(r.perm.begin(), r.perm.end(), std::size_t{0});
  Dense& a = r.lu;
  const double tiny = static_cast<double>(n) * kEps * max_abs(x);
  for (std::size_t k = 0; k < n; ++k) {
    std::size_t p = k;
    for (std::size_t i = k + 1; i < n; ++i)
      if (std::fabs(a(i, k)) > std::fabs(a(p, k))) p = i;
    if (!(std::fabs(a(p, k)) > tiny)) {
      r.singular = true;
      continue;
    }
    if (p != k) {
      for (std::size_t j = 0; j < n; ++j) std::swap(a(p, j), a(k, j));
      std::swap(r.perm[p], r.perm[k]);
      r.sign = -r.sign;
    }
    for (std::size_t i = k + 1; i < n; ++i) {
      const double f = a(i, k) / a(k, k);
      a(i, k) = f;
      if (f == 0) continue;
      for (std::size_t j = k + 1; j < n; ++j) a(i, j) -= f * a(k, j);
    }
  }
  return r;
}

/// One-sided Jacobi (Hestenes) on a matrix with rows >= cols: rotates pairs
/// of columns of `u` until all are orthogonal, accumulating the rotations
/// in `v`. Afterwards u = U * diag(sigma) and x = u * v^T; returns the
/// column norms sigma.
std::vector<double> orthogonalize_columns(Dense& u, Dense& v) {
  const std::size_t m = u.rows, n = u.cols;
  v = Dense::identity(n);
  for (int sweep = 0; sweep < kMaxJacobiSweeps; ++sweep) {
    bool rotated = false;
    for (std::size_t p = 0; p + 1 < n; ++p) {
      for (std::size_t q = p + 1; q < n; ++q) {
        double alpha = 0, beta = 0, gamma = 0;
        for (std::size_t i = 0; i < m; ++i) {
          alpha += u(i, p) * u(i, p);
          beta += u(i, q) * u(i, q);
          gamma += u(i, p) * u(i, q);
        }
        if (gamma == 0 || std::fabs(gamma) <= kEps * std::sqrt(alpha * beta)) continue;
        rotated = true;
        // The rotation angle that makes columns p and q orthogonal: t is
        // the smaller root of t^2 + 2 zeta t - 1 = 0.
        const double zeta = (beta - alpha) / (2 * gamma);
        const double t = (zeta >= 0 ? 1.0 : -1.0) / (std::fabs(zeta) + std::hypot(1.0, zeta));
        const double c = 1 / std::hypot(1.0, t), s = c * t;
        for (std::size_t i = 0; i < m; ++i) {
          const double up = u(i, p), uq = u(i, q);
          u(i, p) = c * up - s * uq;
          u(i, q) = s * up + c * uq;
        }
        for (std::size_t i = 0; i < n; ++i) {
          const double vp = v(i, p), vq = v(i, q);
          v(i, p) = c * vp - s * vq;
          v(i, q) = s * vp + c * vq;
        }
      }
    }
    if (!rotated) break;
  }
  std::vector<double> sigma(n);
  for (std::size_t j = 0; j < n; ++j) {
    double s = 0;
    for (std::size_t i = 0; i < m; ++i) s += u(i, j) * u(i, j);
    sigma[j] = std::sqrt(s);
  }
  return sigma;
}

/// Singular values below this are treated as zero (rank, pseudoinverse).
double rank_tolerance(const Dense& x, const std::vector<double>& sigma) {
  const double largest = sigma.empty() ? 0 : *std::max_element(sigma.begin(), sigma.end());
  return static_cast<double>(std::max(x.rows, x.cols)) * kEps * largest;
}

/// A unit-length copy of v whose largest component (the first of equal
/// ones) is real and positive: the deterministic representative of the
/// eigenvector's direction.
std::vector<C> normalized(std::vector<C> v) {
  double norm2 = 0;
  std::size_t big = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    norm2 += std::norm(v[i]);
    if (std::abs(v[i]) > std::abs(v[big])) big = i;
  }
  if (!(norm2 > 0) || !std::isfinite(norm2)) return v;
  const C scale = std::conj(v[big]) / (std::abs(v[big]) * std::sqrt(norm2));
  for (C& x : v) x *= scale;
  v[big] = C(v[big].real(), 0);
  return v;
}

/// Eigen decomposition of a symmetric matrix by cyclic Jacobi rotations:
/// each rotation zeroes one off-diagonal pair; the diagonal converges to
/// the eigenvalues and the accumulated rotations to orthonormal
/// eigenvectors (columns of the result's second member).
std::pair<std::vector<double>, Dense> symmetric_eigen(const Dense& x) {
  const std::size_t n = x.rows;
  Dense a = x;
  Dense v = Dense::identity(n);
  double total = 0;
  for (double e : a.a) total += e * e;
  for (int sweep = 0; sweep < kMaxJacobiSweeps; ++sweep) {
    double off = 0;
    for (std::size_t p = 0; p < n; ++p)
      for (std::size_t q = p + 1; q < n; ++q) off += a(p, q) * a(p, q);
    if (off <= kEps * kEps * total * 1e-4) break;
    for (std::size_t p = 0; p + 1 < n; ++p) {
      for (std::size_t q = p + 1; q < n; ++q) {
        const double apq = a(p, q);
        if (apq == 0) continue;
        // t = tan(angle), the smaller root of t^2 + 2 theta t - 1 = 0,
        // makes the rotated (p, q) element zero.
        const double theta = (a(q, q) - a(p, p)) / (2 * apq);
        const double t = (theta >= 0 ? 1.0 : -1.0) / (std::fabs(theta) + std::hypot(1.0, theta));
        const double c = 1 / std::hypot(1.0, t), s = c * t;
        for (std::size_t k = 0; k < n; ++k) {  // A := A J (columns p, q)
          const double kp = a(k, p), kq = a(k, q);
          a(k, p) = c * kp - s * kq;
          a(k, q) = s * kp + c * kq;
        }
        for (std::size_t k = 0; k < n; ++k) {  // A := J^T A (rows p, q)
          const double pk = a(p, k), qk = a(q, k);
          a(p, k) = c * pk - s * qk;
          a(q, k) = s * pk + c * qk;
        }
        a(p, q) = a(q, p) = 0;
        for (std::size_t k = 0; k < n; ++k) {  // V := V J
          const double kp = v(k, p), kq = v(k, q);
          v(k, p) = c * kp - s * kq;
          v(k, q) = s * kp + c * kq;
        }
      }
    }
  }
  std::vector<double> values(n);
  for (std::size_t k = 0; k < n; ++k) values[k] = a(k, k);
  return {values, v};
}

/// Reduces x to upper Hessenberg form H = Q^T x Q with Householder
/// reflections; returns H and accumulates Q in `q`.
Dense hessenberg(const Dense& x, Dense& q) {
  const std::size_t n = x.rows;
  Dense a = x;
  q = Dense::identity(n);
  std::vector<double> v(n);
  for (std::size_t k = 0; k + 2 < n; ++k) {
    // The reflection I - 2 v v^T maps a(k+1.., k) onto a multiple of e1.
    double norm = 0;
    for (std::size_t i = k + 1; i < n; ++i) norm += a(i, k) * a(i, k);
    norm = std::sqrt(norm);
    if (norm == 0) continue;
    const double alpha = a(k + 1, k) > 0 ? -norm : norm;
    double vnorm = 0;
    for (std::size_t i = k + 1; i < n; ++i) {
      v[i] = a(i, k) - (i == k + 1 ? alpha : 0);
      vnorm += v[i] * v[i];
    }
    vnorm = std::sqrt(vnorm);
    if (vnorm == 0) continue;
    for (std::size_t i = k + 1; i < n; ++i) v[i] /= vnorm;
    for (std::size_t j = 0; j < n; ++j) {  // a := P a
      double s = 0;
      for (std::size_t i = k + 1; i < n; ++i) s += v[i] * a(i, j);
      for (std::size_t i = k + 1; i < n; ++i) a(i, j) -= 2 * v[i] * s;
    }
    for (Dense* m : {&a, &q}) {  // a := a P, q := q P
      for (std::size_t i = 0; i < n; ++i) {
        double s = 0;
        for (std::size_t j = k + 1; j < n; ++j) s += (*m)(i, j) * v[j];
        for (std::size_t j = k + 1; j < n; ++j) (*m)(i, j) -= 2 * s * v[j];
      }
    }
    for (std::size_t i = k + 2; i < n; ++i) a(i, k) = 0;
  }
  return a;
}

/// The eigenvalue of the 2 x 2 block [[a, b], [c, d]] nearer to d: the
/// Wilkinson shift.
C wilkinson_shift(C a, C b, C c, C d) {
  const C half = (a - d) / 2.0;
  const C disc = std::sqrt(half * half + b * c);
  const C mean = (a + d) / 2.0;
  const C mu1 = mean + disc, mu2 = mean - disc;
  return std::abs(mu1 - d) <= std::abs(mu2 - d) ? mu1 : mu2;
}

/// Reduces the Hessenberg matrix t (n x n, row-major) to upper triangular
/// (complex Schur) form by shifted QR steps made of Givens rotations,
/// applying every rotation to z too, so that x = z t z^H keeps holding.
/// Returns false when the iteration limit is reached.
bool complex_schur(std::vector<C>& t, std::vector<C>& z, std::size_t n, double scale) {
  auto T = [&](std::size_t i, std::size_t j) -> C& { return t[i * n + j]; };
  auto Z = [&](std::size_t i, std::size_t j) -> C& { return z[i * n + j]; };
  // Iterations allowed per matrix: QR converges in a few steps per
  // eigenvalue; this bound only stops pathological inputs.
  const std::size_t max_steps = 100 * n + 100;
  std::size_t steps = 0;
  std::size_t since_deflation = 0;
  std::size_t hi = n - 1;
  std::vector<C> alpha(n), beta(n);
  while (hi > 0) {
    // The active block is l..hi: the last one with no negligible subdiagonal element.
    std::size_t l = hi;
    while (l > 0) {
      double s = std::abs(T(l - 1, l - 1)) + std::abs(T(l, l));
      if (s == 0) s = scale;
      if (std::abs(T(l, l - 1)) <= kEps * s) {
        T(l, l - 1) = 0;
        break;
      }
      --l;
    }
    if (l == hi) {
      --hi;
      since_deflation = 0;
      continue;
    }
    if (++steps > max_steps) return false;
    ++since_deflation;
    // Every 10th step without progress an exceptional shift breaks cycles.
    const C mu = since_deflation % 10 == 0 ? T(hi, hi) + 1.5 * std::abs(T(hi, hi - 1))
                                           : wilkinson_shift(T(hi - 1, hi - 1), T(hi - 1, hi), T(hi, hi - 1), T(hi, hi));
    for (std::size_t k = l; k <= hi; ++k) T(k, k) -= mu;
    // Left rotations G_k = [[conj(a), conj(b)], [-b, a]] zero the subdiagonal: R = G (T - mu I).
    for (std::size_t k = l; k < hi; ++k) {
      const C x = T(k, k), y = T(k + 1, k);
      const double r = std::hypot(std::abs(x), std::abs(y));
      alpha[k] = r == 0 ? C(1) : x / r;
      beta[k] = r == 0 ? C(0) : y / r;
      for (std::size_t j = k; j < n; ++j) {
        const C u = T(k, j), w = T(k + 1, j);
        T(k, j) = std::conj(alpha[k]) * u + std::conj(beta[k]) * w;
        T(k + 1, j) = -beta[k] * u + alpha[k] * w;
      }
    }
    // Right rotations: R G^H + mu I, and z := z G^H.
    for (std::size_t k = l; k < hi; ++k) {
      for (std::size_t i = 0; i <= k + 1; ++i) {
        const C u = T(i, k), w = T(i, k + 1);
        T(i, k) = u * alpha[k] + w * beta[k];
        T(i, k + 1) = -u * std::conj(beta[k]) + w * std::conj(alpha[k]);
      }
      for (std::size_t i = 0; i < n; ++i) {
        const C u = Z(i, k), w = Z(i, k + 1);
        Z(i, k) = u * alpha[k] + w * beta[k];
        Z(i, k + 1) = -u * std::conj(beta[k]) + w * std::conj(alpha[k]);
      }
    }
    for (std::size_t k = l; k <= hi; ++k) T(k, k) += mu;
  }
  return true;
}

/// Eigenvalues and (unsorted, complex) eigenvectors of a general square
/// matrix: Hessenberg reduction, complex Schur form, then for each
/// eigenvalue lambda_k a back substitution solving (T - lambda_k I) y = 0
/// with y_k = 1, mapped back by z.
bool general_eigen(const Dense& x, std::vector<C>& values, std::vector<std::vector<C>>& vectors) {
  const std::size_t n = x.rows;
  Dense q;
  const Dense h = hessenberg(x, q);
  std::vector<C> t(h.a.begin(), h.a.end()), z(q.a.begin(), q.a.end());
  double scale = 0;
  for (double e : x.a) scale += e * e;
  scale = std::sqrt(scale);
  if (!complex_schur(t, z, n, scale)) return false;
  auto T = [&](std::size_t i, std::size_t j) { return t[i * n + j]; };
  values.resize(n);
  vectors.assign(n, std::vector<C>(n));
  // A divisor this small is replaced (repeated eigenvalues): the standard
  // perturbation that keeps back substitution finite.
  const double small = std::max(scale, 1.0) * kEps;
  for (std::size_t k = 0; k < n; ++k) {
    const C lambda = T(k, k);
    values[k] = lambda;
    std::vector<C> y(n);
    y[k] = 1;
    for (std::size_t j = k; j-- > 0;) {
      C s = 0;
      for (std::size_t m = j + 1; m <= k; ++m) s += T(j, m) * y[m];
      C d = T(j, j) - lambda;
      if (std::abs(d) < small) d = small;
      y[j] = -s / d;
    }
    for (std::size_t i = 0; i < n; ++i) {
      C s = 0;
      for (std::size_t m = 0; m <= k; ++m) s += z[i * n + m] * y[m];
      vectors[k][i] = s;
    }
    vectors[k] = normalized(vectors[k]);
  }
  return true;
}

} // namespace

Dense Dense::identity(std::size_t n) {
  Dense x(n, n);
  for (std::size_t i = 0; i < n; ++i) x(i, i) = 1;
  return x;
}

Dense multiply(const Dense& x, const Dense& y) {
  Dense r(x.rows, y.cols);
  for (std::size_t i = 0; i < x.rows; ++i)
    for (std::size_t k = 0; k < x.cols; ++k) {
      const double f = x(i, k);
      for (std::size_t j = 0; j < y.cols; ++j) r(i, j) += f * y(k, j);
    }
  return r;
}

Dense transpose(const Dense& x) {
  Dense r(x.cols, x.rows);
  for (std::size_t i = 0; i < x.rows; ++i)
    for (std::size_t j = 0; j < x.cols; ++j) r(j, i) = x(i, j);
  return r;
}

Dense power(const Dense& x, std::uint64_t p) {
  Dense result = Dense::identity(x.rows);
  Dense base = x;
  bool first = true;
  while (p > 0) {
    if (p & 1) {
      result = first ? base : multiply(result, base);
      first = false;
    }
    p >>= 1;
    if (p > 0) base = multiply(base, base);
  }
  return result;
}

Dense kronecker(const Dense& x, const Dense& y) {
  Dense r(x.rows * y.rows, x.cols * y.cols);
  for (std::size_t i = 0; i < x.rows; ++i)
    for (std::size_t j = 0; j < x.cols; ++j)
      for (std::size_t k = 0; k < y.rows; ++k)
        for (std::size_t l = 0; l < y.cols; ++l) r(i * y.rows + k, j * y.cols + l) = x(i, j) * y(k, l);
  return r;
}

double determinant(const Dense& x) {
  if (!all_finite(x)) return kNaN;
  const Lu lu = lu_decompose(x);
  if (lu.singular) return 0.0;
  double d = lu.sign;
  for (std::size_t k = 0; k < x.rows; ++k) d *= lu.lu(k, k);
  return d;
}

std::optional<Dense> inverse(const Dense& x) {
  const std::size_t n = x.rows;
  if (!all_finite(x)) return Dense(n, n, kNaN);
  const Lu lu = lu_decompose(x);
  if (lu.singular) return std::nullopt;
  Dense inv(n, n);
  std::vector<double> col(n);
  for (std::size_t c = 0; c < n; ++c) {
    // Solve L U col = P e_c: forward with unit L, then back with U.
    for (std::size_t i = 0; i < n; ++i) {
      double s = lu.perm[i] == c ? 1.0 : 0.0;
      for (std::size_t k = 0; k < i; ++k) s -= lu.lu(i, k) * col[k];
      col[i] = s;
    }
    for (std::size_t i = n; i-- > 0;) {
      double s = col[i];
      for (std::size_t k = i + 1; k < n; ++k) s -= lu.lu(i, k) * col[k];
      col[i] = s / lu.lu(i, i);
    }
    for (std::size_t i = 0; i < n; ++i) inv(i, c) = col[i];
  }
  return inv;
}

std::vector<double> singular_values(const Dense& x) {
  Dense u = x.rows >= x.cols ? x : transpose(x);
  Dense v;
  std::vector<double> sigma = orthogonalize_columns(u, v);
  std::sort(sigma.begin(), sigma.end(), std::greater<>());
  return sigma;
}

Dense pseudo_inverse(const Dense& x) {
  if (x.rows < x.cols) return transpose(pseudo_inverse(transpose(x)));
  if (!all_finite(x)) return Dense(x.cols, x.rows, kNaN);
  Dense u = x, v;
  const std::vector<double> sigma = orthogonalize_columns(u, v);
  const double tol = rank_tolerance(x, sigma);
  // pinv = V diag(1/sigma) U^T, and u's columns are sigma_k * U_k.
  Dense r(x.cols, x.rows);
  for (std::size_t k = 0; k < sigma.size(); ++k) {
    if (!(sigma[k] > tol)) continue;
    const double w = 1 / (sigma[k] * sigma[k]);
    for (std::size_t i = 0; i < x.cols; ++i)
      for (std::size_t j = 0; j < x.rows; ++j) r(i, j) += v(i, k) * u(j, k) * w;
  }
  return r;
}

std::size_t rank(const Dense& x) {
  const std::vector<double> sigma = singular_values(x);
  const double tol = rank_tolerance(x, sigma);
  return static_cast<std::size_t>(std::count_if(sigma.begin(), sigma.end(), [&](double s) { return s > tol; }));
}

Eigen eigen(const Dense& x) {
  const std::size_t n = x.rows;
  Eigen out;
  out.vectors = Dense(n, n);
  if (n == 0) return out;
  auto fail = [&] {
    out.converged = false;
    out.values.assign(n, C(kNaN, 0));
    out.vectors = Dense(n, n, kNaN);
    return out;
  };
  if (!all_finite(x)) return fail();
  std::vector<C> values;
  std::vector<std::vector<C>> vectors(n);
  bool symmetric = true;
  for (std::size_t i = 0; i < n && symmetric; ++i)
    for (std::size_t j = i + 1; j < n && symmetric; ++j) symmetric = x(i, j) == x(j, i);
  if (symmetric) {
    const auto [vals, vecs] = symmetric_eigen(x);
    values.assign(vals.begin(), vals.end());
    for (std::size_t k = 0; k < n; ++k) {
      std::vector<C> col(n);
      for (std::size_t i = 0; i < n; ++i) col[i] = vecs(i, k);
      vectors[k] = normalized(col);
    }
  } else if (!general_eigen(x, values, vectors)) {
    return fail();
  }
  // Imaginary parts this small are rounding noise of real eigenvalues;
  // conjugate pairs get exactly mirrored values so they sort together.
  double scale = 0;
  for (double e : x.a) scale = std::max(scale, std::fabs(e));
  const double real_tol = 1e-9 * std::max(scale, 1.0);
  std::vector<bool> paired(n, false);
  for (std::size_t k = 0; k < n; ++k)
    if (std::fabs(values[k].imag()) <= real_tol) values[k] = C(values[k].real(), 0);
  for (std::size_t k = 0; k < n; ++k) {
    if (values[k].imag() <= 0 || paired[k]) continue;
    std::size_t best = n;
    for (std::size_t j = 0; j < n; ++j)
      if (!paired[j] && values[j].imag() < 0 && (best == n || std::abs(values[j] - std::conj(values[k])) <
                                                                   std::abs(values[best] - std::conj(values[k]))))
        best = j;
    if (best == n) continue;
    const double re = (values[k].real() + values[best].real()) / 2;
    const double im = (values[k].imag() - values[best].imag()) / 2;
    values[k] = C(re, im);
    values[best] = C(re, -im);
    paired[k] = paired[best] = true;
  }
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (values[a].real() != values[b].real()) return values[a].real() > values[b].real();
    return values[a].imag() > values[b].imag();
  });
  for (std::size_t p = 0; p < n; ++p) {
    const std::size_t k = order[p];
    out.values.push_back(values[k]);
    const std::vector<C>& v = vectors[k];
    const bool imaginary_half = values[k].imag() < 0 && paired[k] && p > 0 &&
                                values[order[p - 1]] == std::conj(values[k]);
    for (std::size_t i = 0; i < n; ++i) {
      // The second column of a pair is the imaginary part of the first's vector.
      out.vectors(i, p) = imaginary_half ? vectors[order[p - 1]][i].imag() : v[i].real();
    }
  }
  return out;
}

} // namespace pine::linalg
