#include "engine/calibrate/least_squares.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace tinyskip::engine {
namespace {

// Unconstrained least squares on the columns in `passive`, zero elsewhere.
Eigen::VectorXd solve_passive(const Eigen::MatrixXd& a, const Eigen::VectorXd& b, const std::vector<bool>& passive) {
  std::vector<Eigen::Index> columns;
  for (Eigen::Index j = 0; j < a.cols(); ++j)
    if (passive[static_cast<size_t>(j)]) columns.push_back(j);
  Eigen::MatrixXd sub(a.rows(), static_cast<Eigen::Index>(columns.size()));
  for (size_t i = 0; i < columns.size(); ++i) sub.col(static_cast<Eigen::Index>(i)) = a.col(columns[i]);
  const Eigen::VectorXd z = sub.colPivHouseholderQr().solve(b);
  Eigen::VectorXd x = Eigen::VectorXd::Zero(a.cols());
  for (size_t i = 0; i < columns.size(); ++i) x(columns[i]) = z(static_cast<Eigen::Index>(i));
  return x;
}

Eigen::VectorXd lawson_hanson(const Eigen::MatrixXd& a, const Eigen::VectorXd& b) {
  const Eigen::Index n = a.cols();
  const double tolerance = 1e-12 * (1.0 + b.norm()) * (1.0 + a.norm());
  std::vector<bool> passive(static_cast<size_t>(n), false);
  Eigen::VectorXd x = Eigen::VectorXd::Zero(n);
  for (int outer = 0; outer < 3 * n + 10; ++outer) {
    const Eigen::VectorXd gradient = a.transpose() * (b - a * x);
    Eigen::Index best = -1;
    for (Eigen::Index j = 0; j < n; ++j)
      if (!passive[static_cast<size_t>(j)] && gradient(j) > tolerance && (best < 0 || gradient(j) > gradient(best)))
        best = j;
    if (best < 0) break;
    passive[static_cast<size_t>(best)] = true;
    for (int inner = 0; inner < 3 * n + 10; ++inner) {
      const Eigen::VectorXd z = solve_passive(a, b, passive);
      double step = 1.0;
      bool feasible = true;
      for (Eigen::Index j = 0; j < n; ++j)
        if (passive[static_cast<size_t>(j)] && z(j) <= 0) {
          feasible = false;
          step = std::min(step, x(j) / (x(j) - z(j)));
        }
      if (feasible) {
        x = z;
        break;
      }
      x += step * (z - x);
      for (Eigen::Index j = 0; j < n; ++j)
        if (passive[static_cast<size_t>(j)] && x(j) <= 1e-15) {
          passive[static_cast<size_t>(j)] = false;
          x(j) = 0;
        }
    }
  }
  return x;
}

}  // namespace

Eigen::VectorXd fit_nonnegative(const Eigen::MatrixXd& a, const Eigen::VectorXd& b, const Eigen::VectorXd& prior,
                                double ridge) {
  if (a.rows() != b.size() || a.cols() != prior.size())
    throw std::invalid_argument("fit_nonnegative: A, b and the prior do not match");
  const Eigen::Index n = a.cols();
  Eigen::VectorXd scale(n);
  for (Eigen::Index j = 0; j < n; ++j) scale(j) = a.col(j).norm() > 0 ? a.col(j).norm() : 1.0;
  // x = y / scale; rows of sqrt(ridge) * (y - prior * scale) append the ridge.
  Eigen::MatrixXd augmented(a.rows() + n, n);
  augmented.topRows(a.rows()) = a * scale.cwiseInverse().asDiagonal();
  augmented.bottomRows(n) = std::sqrt(ridge) * Eigen::MatrixXd::Identity(n, n);
  Eigen::VectorXd target(a.rows() + n);
  target.head(a.rows()) = b;
  target.tail(n) = std::sqrt(ridge) * prior.cwiseProduct(scale);
  return lawson_hanson(augmented, target).cwiseQuotient(scale);
}

}  // namespace tinyskip::engine
