#pragma once

#include <string>
#include <vector>

#include "tests/support/view_shape.h"

namespace zload::test {

// The view shapes the property tests run: joins (inner, three-way, left), every aggregate with
// and without GROUP BY, HAVING, DISTINCT, a view over a view, NULL keys, CASE/LIKE,
// arithmetic/COALESCE/IN/BETWEEN filters, BOOLEAN and TIMESTAMP columns. Each shape's SQL is
// valid SQLite with the same meaning, and its data avoids known SQLite divergences (see the
// comments in view_shapes.cc). Built once; immutable.
const std::vector<ViewShape>& ViewShapes();

// The shape named `name`. Throws Error(kInternal) when there is none.
const ViewShape& FindViewShape(const std::string& name);

}  // namespace zload::test
