#pragma once

#include <string>
#include <vector>

#include "tests/support/view_shape.h"

namespace zload::test {

// Renders batches in the regression file format read by ParseRegression (see
// tests/regressions/README.md): "shape <name>", then per batch a "batch" line followed by
// "<source> <row> x <weight>" lines.
std::string RenderRegression(const ViewShape& shape, const std::vector<Batch>& batches);

// A regression case: the shape it runs and its batches.
struct Regression {
  std::string shape;
  std::vector<Batch> batches;
};

// Parses the regression format; values are read as the source column's type (an integer
// literal in a REAL column is REAL, 0/1 in a BOOLEAN column is BOOLEAN, microseconds in a
// TIMESTAMP column are TIMESTAMP). The shape is looked up by
// name in `shapes`. Throws Error(kParse) with the line number on malformed text or an unknown shape
// or source.
Regression ParseRegression(const std::string& text, const std::string& file_name,
                           const std::vector<ViewShape>& shapes);

}  // namespace zload::test
