// Non-negative least squares with a ridge towards a prior, the fit behind
// `tinyskip calibrate`: minimise |A x - b|^2 + ridge * |x - prior|^2 over
// x >= 0. Non-negativity keeps every cycle count physical when the fit set
// cannot tell two features apart; the ridge splits collinear features the
// way the prior does instead of arbitrarily.
#pragma once

#include <Eigen/Dense>

namespace tinyskip::engine {

// Lawson-Hanson active set on the ridge-augmented system. Columns are scaled
// to unit norm internally (ridge acts on the scaled coefficients), so
// features of very different magnitude (the 1 of a call, millions of MACs)
// are treated alike. std::invalid_argument for mismatched sizes.
Eigen::VectorXd fit_nonnegative(const Eigen::MatrixXd& a, const Eigen::VectorXd& b, const Eigen::VectorXd& prior,
                                double ridge);

}  // namespace tinyskip::engine
