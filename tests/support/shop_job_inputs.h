#pragma once

// Random input files for the shop job of the loader property (shop_job_property.h), and the
// model of what its base tables must hold once they are loaded:
//   products   CSV:  name TEXT NOT NULL, price REAL NOT NULL; primary key name; op column
//   line_items CSV:  basket_id INTEGER, product_name TEXT, qty INTEGER; op column
//   baskets    JSONL: basket_id INTEGER, customer TEXT; op column
// Domains are small, so that joins match often and groups collide.
#include <cstddef>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "engine/zset.h"

namespace zload::test::shop {

using Rng = std::mt19937_64;

// A uniform integer in [lo, hi].
int64_t Uniform(Rng& rng, int64_t lo, int64_t hi);
// True with probability p.
bool Chance(Rng& rng, double p);

// The three sources, in the order of kSourceNames.
enum Source { kProducts = 0, kLineItems = 1, kBaskets = 2 };
inline constexpr const char* kSourceNames[] = {"products", "line_items", "baskets"};

// One row of an input file. A bad row is one the loader must refuse: a field that does not
// parse, a NULL key, or a delete of a row or key that is not loaded.
struct Change {
  Row row;  // the values as written (a bad row may hold TEXT in a numeric column)
  bool is_delete = false;
  bool bad = false;
};

// One generated input file and the changes it makes, in file order.
struct InputFile {
  std::string text;
  std::vector<Change> changes;
  int64_t inserts = 0;  // good rows only
  int64_t deletes = 0;
  int64_t bad = 0;
};

// Which rows of a file are bad: each row with probability `rate` (of any kind), and with
// `one_bad_delete`, exactly one row at a random position is a delete of a row or key that is
// not loaded (a row that parses fine, so that it fails where the batch is applied).
struct BadRows {
  double rate = 0;
  bool one_bad_delete = false;
};

// What the base tables must hold: products by key, line items and baskets as multisets.
struct Model {
  std::map<std::string, double> products;
  std::vector<Row> line_items;
  std::vector<Row> baskets;

  // Applies the first `count` changes of a file of `source`, as the loader does: an insert
  // into products replaces the row holding its name, a delete removes the row holding its name
  // (whatever its price column says), a delete elsewhere removes one equal row; bad rows
  // change nothing.
  void Apply(Source source, const std::vector<Change>& changes, size_t count);
  // The table of `source` as SQLite returns it: INTEGER, REAL, TEXT or NULL values.
  ZSet Table(Source source) const;
};

// Draws a random file for `source` of 0..max_rows rows (at least 1 with one_bad_delete) whose
// good deletes remove rows present at that point of the file, given the table holds `model`.
// Every file differs from those in `seen` (a store refuses a file it already holds) and is
// added to it. CSV files have their header columns in a random order, random line endings and
// every accepted op spelling; JSONL files write NULL as null or by leaving the member out.
// `model` is not changed: Model::Apply() applies the file.
InputFile NewFile(Rng& rng, const Model& model, Source source, int max_rows, BadRows bad,
                  std::set<std::string>& seen);

}  // namespace zload::test::shop
