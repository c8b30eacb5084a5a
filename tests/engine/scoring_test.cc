// Scores of a run against the exact model's, worked by hand on a two-sample,
// four-element int8 output (scale 0.5, zero point 10), and the rules every
// score kind follows: budgets, the search's error objective, and how a
// fidelity score survives points.csv.
#include <catch2/catch.hpp>

#include <cmath>

#include "engine/explore/scoring.h"
#include "engine/results/point_record.h"

namespace tinyskip::engine {
namespace {

sim::Graph output_only_graph() {
  sim::Graph graph;
  graph.source = "hand.tflite";
  sim::Tensor tensor;
  tensor.shape = {1, 4};
  tensor.type = sim::DataType::kInt8;
  tensor.quant.scale = {0.5f};
  tensor.quant.zero_point = {10};
  graph.tensors = {tensor, tensor};
  graph.input = 0;
  graph.output = 1;
  return graph;
}

sim::RunOutput run_of(const std::vector<int8_t>& values) {
  sim::RunOutput run;
  run.bytes_per_image = 4;
  run.images = static_cast<int>(values.size() / 4);
  run.outputs.assign(values.begin(), values.end());
  return run;
}

sim::ModelInputs labelled_inputs(const sim::Graph& graph, std::vector<int32_t> labels) {
  sim::TensorSet set;
  set.source = "hand.npy";
  set.type = sim::DataType::kInt8;
  set.sample_shape = {4};
  set.count = static_cast<int>(labels.size());
  set.bytes.resize(4 * labels.size());
  set.labels = std::move(labels);
  return sim::ModelInputs(graph, set, std::nullopt);
}

TEST_CASE("scoring: top-1, agreement, MAE and SNR of a run, worked by hand", "[scoring]") {
  const sim::Graph graph = output_only_graph();
  // Exact: sample 0 real (0, 1, 2, 3), top-1 3; sample 1 real (5, 0, 0, 0), top-1 0.
  const sim::RunOutput exact_run = run_of({10, 12, 14, 16, 20, 10, 10, 10});
  const ExactOutputs exact = exact_outputs(graph, exact_run);
  CHECK(exact.top1 == std::vector<int>{3, 0});
  CHECK(exact.real == std::vector<double>{0, 1, 2, 3, 5, 0, 0, 0});
  // Approximate: sample 0's last element is 4 instead of 3, sample 1 the same.
  const sim::RunOutput run = run_of({10, 12, 14, 18, 20, 10, 10, 10});
  const sim::ModelInputs inputs = labelled_inputs(graph, {3, 1});

  const Score top1 = score_run(ScoreKind::kTop1, graph, run, inputs, exact);
  CHECK(top1.matches == 1);
  CHECK(top1.value == 50.0);
  const Score agreement = score_run(ScoreKind::kAgreement, graph, run, inputs, exact);
  CHECK(agreement.matches == 2);
  CHECK(agreement.value == 100.0);

  // Per-sample MAE 1/4 and 0: mean 0.125; sd = 0.125 * sqrt(2), so the
  // standard error is 0.125 and the 95 % half width 1.96 * 0.125.
  const Score mae = score_run(ScoreKind::kOutputMae, graph, run, inputs, exact);
  CHECK(mae.value == Approx(0.125));
  CHECK(mae.ci_low == 0.0);  // clamped: an error is never negative
  CHECK(mae.ci_high == Approx(0.125 + 1.959963984540054 * 0.125));
  CHECK(mae.samples == 2);

  // Signal 0 + 1 + 4 + 9 + 25 = 39, noise 1: 10 log10(39) dB.
  const Score snr = score_run(ScoreKind::kOutputSnr, graph, run, inputs, exact);
  CHECK(snr.value == Approx(10 * std::log10(39.0)));
  CHECK(snr.ci_high == kMaxSnrDb);  // the noise interval reaches 0
  CHECK(snr.ci_low < snr.value);

  // The exact run against itself: 100 % agreement, no error, the SNR cap.
  CHECK(score_run(ScoreKind::kAgreement, graph, exact_run, inputs, exact).value == 100.0);
  CHECK(score_run(ScoreKind::kOutputMae, graph, exact_run, inputs, exact).value == 0.0);
  CHECK(score_run(ScoreKind::kOutputSnr, graph, exact_run, inputs, exact).value == kMaxSnrDb);
}

TEST_CASE("scoring: budgets, strictness and the error objective follow each kind's unit", "[scoring]") {
  const Score exact_top1 = Score::count(ScoreKind::kTop1, 900, 1000);
  const Score point_top1 = Score::count(ScoreKind::kTop1, 890, 1000);
  CHECK(budget_measure(exact_top1, point_top1) == Approx(1.0));  // percentage points lost
  CHECK(within_budget(exact_top1, point_top1, 1.0));
  CHECK_FALSE(within_budget(exact_top1, point_top1, 0.5));
  CHECK(error_objective(point_top1) == Approx(0.11));
  CHECK(stricter_budget(ScoreKind::kTop1, 0.5, 1.0));

  const Score exact_mae = Score::fidelity(ScoreKind::kOutputMae, 0, 0, 0, 10);
  const Score point_mae = Score::fidelity(ScoreKind::kOutputMae, 0.2, 0.1, 0.3, 10);
  CHECK(within_budget(exact_mae, point_mae, 0.2));
  CHECK_FALSE(within_budget(exact_mae, point_mae, 0.1));
  CHECK(error_objective(point_mae) == 0.2);

  // SNR budgets are minimum dB: stricter is higher.
  const Score exact_snr = Score::fidelity(ScoreKind::kOutputSnr, kMaxSnrDb, kMaxSnrDb, kMaxSnrDb, 10);
  const Score point_snr = Score::fidelity(ScoreKind::kOutputSnr, 25, 24, 26, 10);
  CHECK(within_budget(exact_snr, point_snr, 20));
  CHECK_FALSE(within_budget(exact_snr, point_snr, 30));
  CHECK(stricter_budget(ScoreKind::kOutputSnr, 30, 20));
  CHECK(error_objective(point_snr) == -25);  // minimised: higher SNR is better
  CHECK(budget_text(ScoreKind::kOutputSnr, 30) == "SNR >= 30 dB");
}

TEST_CASE("scoring: a fidelity score reads back exactly from points.csv under its own columns", "[scoring]") {
  RunSchema schema;
  schema.layers = {{"fc1", 0, 100}};
  schema.boards = {"nucleo_f401re"};
  schema.network_macs = 100;
  schema.score = ScoreKind::kOutputMae;
  PointRecord record;
  record.key = "1";
  record.thresholds = {0.001};
  record.skipped_macs = {10};
  record.macs_kept = 90;
  record.search = Score::fidelity(ScoreKind::kOutputMae, 0.1 + 0.2, 0.05, 0.55, 7);
  record.boards = {{1000, 0.01, 2000}};
  CHECK_THAT(csv_header(schema), Catch::Contains(",search_mae,search_correct,search_total,search_ci_low,search_ci_high,"));
  const std::string row = csv_row(record, schema);
  CHECK_THAT(row, Catch::Contains(",0.30000000000000004,,7,0.05,0.55,"));
  const PointRecord back = parse_csv_row(row, schema);
  REQUIRE(back.search);
  CHECK(back.search->value == 0.1 + 0.2);
  CHECK(back.search->samples == 7);
  CHECK(back.search->kind == ScoreKind::kOutputMae);
  CHECK(to_json(back, schema)["score"]["search"]["mae"] == 0.1 + 0.2);
  // A row of another score kind does not fit.
  record.search = Score::count(ScoreKind::kTop1, 5, 7);
  CHECK_THROWS_WITH(csv_row(record, schema), Catch::Contains("a top1 score in a run scored by output_mae"));
}

}  // namespace
}  // namespace tinyskip::engine
