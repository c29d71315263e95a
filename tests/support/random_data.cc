#include "tests/support/random_data.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace zload::test {
namespace {

int64_t Uniform(std::mt19937_64& rng, int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
}

bool Chance(std::mt19937_64& rng, double p) {
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng) < p;
}

double RandomReal(std::mt19937_64& rng, RealStyle style) {
  if (style == RealStyle::kDecimal) return static_cast<double>(Uniform(rng, 1, 99999)) / 100.0;
  return std::ldexp(static_cast<double>(Uniform(rng, -64, 64)),
                    static_cast<int>(Uniform(rng, -4, 20)));
}

}  // namespace

const std::vector<std::string>& TextPool() {
  static const std::vector<std::string> pool = {
      "a",   "A",   "ab",  "Ab", "aB", "b",  "",    "abc", "ABC", "ba", "Bab",
      "c_a", "x%y", "cab", "B",  "zz", "aa", "AbC", "bA",  "_b",  "%",  "q"};
  return pool;
}

RowGenerator::RowGenerator(Schema schema, std::map<std::string, ColumnDomain> domains,
                           ColumnDomain fallback)
    : schema_(std::move(schema)) {
  for (const Column& column : schema_.columns()) {
    auto it = domains.find(column.name);
    domains_.push_back(it == domains.end() ? fallback : it->second);
  }
}

Row RowGenerator::Next(std::mt19937_64& rng) const {
  Row row;
  row.reserve(schema_.size());
  for (size_t i = 0; i < schema_.size(); ++i) row.push_back(NextValue(i, rng));
  return row;
}

Value RowGenerator::NextValue(size_t column, std::mt19937_64& rng) const {
  const Column& c = schema_[column];
  const ColumnDomain& d = domains_[column];
  if (c.nullable && Chance(rng, d.null_rate)) return Value::Null();
  switch (c.type) {
    case Type::kReal:
      return Value::Real(RandomReal(rng, d.real_style));
    case Type::kText: {
      const auto& pool = TextPool();
      size_t n = std::clamp<size_t>(d.text_count, 1, pool.size());
      return Value::Text(pool[Uniform(rng, 0, static_cast<int64_t>(n) - 1)]);
    }
    case Type::kBoolean:
      return Value::Boolean(Chance(rng, 0.5));
    case Type::kTimestamp:
      return Value::Time(Uniform(rng, d.min, d.max) * 1'000'000);
    case Type::kNull:
    case Type::kInteger:
      return Value::Integer(Uniform(rng, d.min, d.max));
  }
  return Value::Null();
}

ZSet RandomBatch(std::mt19937_64& rng, const RowGenerator& rows, const ZSet& contents,
                 size_t changes, const BatchOptions& options) {
  // Present rows in a deterministic order, so that a seed replays whatever the hash layout.
  std::vector<std::pair<Row, int64_t>> present = contents.Sorted();
  int64_t present_total = contents.TotalWeight();
  const double delete_rate =
      std::min(0.85, 0.5 * static_cast<double>(present_total) /
                         static_cast<double>(std::max<size_t>(options.target_rows, 1)));
  ZSet delta;
  for (size_t i = 0; i < changes; ++i) {
    if (present_total > 0 && Chance(rng, delete_rate)) {
      // Picking by position in the multiset keeps duplicates as likely as their weight.
      int64_t pick = Uniform(rng, 0, present_total - 1);
      for (auto& [row, w] : present) {
        if (pick < w) {
          delta.Add(row, -1);
          --w;
          --present_total;
          break;
        }
        pick -= w;
      }
    } else if (!present.empty() && Chance(rng, options.duplicate_rate)) {
      delta.Add(present[Uniform(rng, 0, static_cast<int64_t>(present.size()) - 1)].first, 1);
    } else {
      delta.Add(rows.Next(rng), 1);
    }
  }
  return delta;
}

}  // namespace zload::test
