// What a test does when a tool it needs is missing. On a developer's machine
// the test warns and checks nothing more; under CI=true, where
// scripts/setup.sh has installed every tool, a missing one is a failure, so
// that a check cannot pass silently by not running.
#pragma once

#include <cstdlib>
#include <string>

#include <catch2/catch.hpp>

namespace tinyskip::test {

inline bool running_in_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

// true when `found`; otherwise FAILs under CI=true, else WARNs that `what`
// is missing and returns false (the caller returns).
inline bool require_tool(bool found, const std::string& what) {
  if (found) return true;
  if (running_in_ci()) FAIL(what << " is missing, and CI=true needs it (scripts/setup.sh installs it)");
  WARN(what << " is missing: not checked here (CI=true would fail)");
  return false;
}

}  // namespace tinyskip::test
