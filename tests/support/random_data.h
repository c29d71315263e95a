#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <string>

#include "engine/schema.h"
#include "engine/zset.h"

namespace zload::test {

// How REAL values are drawn.
enum class RealStyle {
  // m * 2^e with |m| <= 64 and e in [-4, 20], both signs: magnitudes from 1/16 to ~6.7e7 whose
  // sums stay exact in a double, so results do not depend on the order of summation.
  kDyadic,
  // Positive decimals with two fraction digits in [0.01, 999.99], like prices: sums round, but
  // without cancellation, so any order of summation agrees within 1e-9 relative.
  kDecimal,
};

// The values one column draws from. Domains are small on purpose, so that join and group keys
// collide and rows repeat.
struct ColumnDomain {
  int64_t min = 0;  // INTEGER values (and TIMESTAMP seconds) in [min, max]
  int64_t max = 9;
  size_t text_count = 12;  // TEXT values: the first text_count strings of TextPool()
  RealStyle real_style = RealStyle::kDyadic;
  double null_rate = 0.15;  // the chance of NULL, for nullable columns only
};

// A fixed pool of short texts in mixed case ("", "a", "A", "ab", "Ab", ...), some holding the
// LIKE wildcards '%' and '_' as plain characters.
const std::vector<std::string>& TextPool();

// Draws random rows of a schema, column by column from its ColumnDomain. Stateless apart from
// its configuration: all randomness comes from the generator passed in, so a seed replays.
class RowGenerator {
 public:
  // `domains` overrides `fallback` for the columns it names (exact column names).
  explicit RowGenerator(Schema schema, std::map<std::string, ColumnDomain> domains = {},
                        ColumnDomain fallback = {});

  const Schema& schema() const { return schema_; }
  // A random row: NULL with the column's null_rate in nullable columns, otherwise a value of the
  // column's type from its domain (a Type::kNull column draws INTEGER).
  Row Next(std::mt19937_64& rng) const;
  // A random value of column `column`. REQUIRES: column < schema().size().
  Value NextValue(size_t column, std::mt19937_64& rng) const;

 private:
  Schema schema_;
  std::vector<ColumnDomain> domains_;  // one per column
};

// The shape of random batches.
struct BatchOptions {
  size_t target_rows = 60;       // deletes outnumber inserts once the contents grow past this
  double duplicate_rate = 0.15;  // the chance that an insert repeats a row already present
};

// Returns a random delta of `changes` unit changes (+1 insert, -1 delete) to a source whose
// current contents are `contents`. Inserts are fresh random rows or, with duplicate_rate,
// copies of present rows; deletes take rows present in `contents` (never more copies than
// present, counting the batch's own deletes), so contents + delta keeps positive weights.
// Equal changes add up, so the delta may hold fewer than `changes` rows.
// REQUIRES: every weight of `contents` is positive.
ZSet RandomBatch(std::mt19937_64& rng, const RowGenerator& rows, const ZSet& contents,
                 size_t changes, const BatchOptions& options = {});

}  // namespace zload::test
